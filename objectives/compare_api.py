"""API v1: the partners compared on one indicator in one year, and their statuses side by side on one objective.

The same reads (objectives.compare) as the comparison pages and their CSVs.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, views
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.errors import QueryParameterError
from core.api.views import ApiViewMixin
from objectives.api import (
    AS_OF,
    INDICATOR_CODE_PATH,
    IndicatorResultSerializer,
    RollupSerializer,
    _AddressField,
    _figure,
    as_of_param,
)
from objectives.compare import indicator_comparison, objective_matrix
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, Objective, year_asked
from partners.models import Region

YEAR = OpenApiParameter(
    "year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}, OpenApiParameter.QUERY,
    description="Compare the partners' values of this year. By default the latest whole year some partner reported.",
)
NUMBER_PATH = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The objective's number.")


def year_param(request) -> int | None:
    value = request.query_params.get("year", "").strip()
    if not value:
        return None
    year = year_asked(value)
    if year is None:
        raise QueryParameterError({"year": [f"Give a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2024."]})
    return year


class UnreportedPartnerSerializer(serializers.Serializer):
    partner = serializers.CharField(source="code", help_text="The partner's code, such as DE.")
    name = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)


class ComparisonFigureSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="asia or europe; empty for ASEM as a whole.")
    label = serializers.CharField()
    value = _figure("Made from the values of its partners that reported the year, by the indicator's rule; null "
                    "when none did.")
    coverage = serializers.IntegerField(help_text="How many partners it rests on.")
    partner_count = serializers.IntegerField(help_text="How many partners it could rest on.")


class RankedPartnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 for the best value by the indicator's direction; ties share a rank.")
    partner = serializers.CharField(source="partner.code", help_text="The partner's code, such as DE.")
    name = serializers.CharField(source="partner.name")
    region = serializers.ChoiceField(choices=Region.choices, source="partner.region")
    url = _AddressField("api:partner-detail", "code", "partner.code")
    value = _figure("Its value in the year compared, in the indicator's unit.")
    progress = IndicatorResultSerializer(source="result", help_text="Its own status on its own values as of the year.")


class ComparisonSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code", help_text="The indicator's code.")
    unit = serializers.CharField(source="indicator.unit")
    direction = serializers.IntegerField(source="indicator.direction",
                                         help_text="1 when higher is better, -1 when lower is better.")
    aggregation = serializers.ChoiceField(choices=Indicator.Aggregation.choices, source="indicator.aggregation",
                                          help_text="How the partners' values make ASEM's and each side's figure.")
    is_demo = serializers.BooleanField(source="indicator.is_demo")
    year = serializers.IntegerField(allow_null=True, help_text="The year compared; null when nobody reported.")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The years some partner reported.")
    partner_count = serializers.IntegerField(help_text="How many partners there are.")
    coverage = serializers.IntegerField(help_text="How many partners reported the year.")
    asem = ComparisonFigureSerializer(help_text="ASEM's figure for the year.")
    sides = ComparisonFigureSerializer(many=True, help_text="Asia's and Europe's figures for the year.")
    results = RankedPartnerSerializer(source="rows", many=True, help_text="The partners that reported, best first.")
    not_reported = UnreportedPartnerSerializer(many=True,
                                               help_text="The partners that did not report the year, by name.")


class IndicatorComparisonView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["indicators"], summary="The partners compared on an indicator in a year",
        parameters=[YEAR, INDICATOR_CODE_PATH], responses=ComparisonSerializer,
        description="The partners that reported the indicator in a year, ranked best first by its direction, each "
                    "with its value and its own status as of that year; ASEM's and each side's figure made from "
                    "those values by the indicator's rule, with how many partners each rests on; and the partners "
                    "that did not report the year. An indicator measured for ASEM as a whole has nobody to compare.",
    )
    def get(self, request, code):
        year = year_param(request)
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise NotFound("No indicator has this code.")
        return Response(ComparisonSerializer(indicator_comparison(indicator, year=year),
                                             context={"request": request}).data)


class MatrixCellSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="The indicator's code.")
    progress = IndicatorResultSerializer(allow_null=True, help_text="The partner's own status; null when it has "
                                                                    "not reported the indicator.")


class _CellsField(serializers.ListField):
    """A row's statuses paired with the matrix's indicators, in their order."""

    child = MatrixCellSerializer()

    def get_attribute(self, instance):
        codes = self.context["codes"]
        return [{"indicator": code, "progress": cell} for code, cell in zip(codes, instance.cells, strict=True)]


class MatrixRowSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code", help_text="The partner's code, such as DE.")
    name = serializers.CharField(source="partner.name")
    region = serializers.ChoiceField(choices=Region.choices, source="partner.region")
    url = _AddressField("api:partner-detail", "code", "partner.code")
    reported = serializers.IntegerField(help_text="How many of the indicators it has reported.")
    summary = RollupSerializer(help_text="The mean of its statuses, as a priority's is of its indicators'.")
    cells = _CellsField(help_text="Its status on each indicator, in the order of `indicators`.")

    def to_representation(self, row):
        # The fields above, read directly, as IndicatorResultSerializer does: a serializer a cell for a thousand
        # cells cost more than working out their statuses.
        progress = self.fields["cells"].child.fields["progress"]
        partner = row.partner
        return {
            "partner": str(partner.code), "name": str(partner.name), "region": partner.region,
            "url": self.fields["url"].to_representation(partner.code), "reported": row.reported,
            "summary": self.fields["summary"].to_representation(row.summary),
            "cells": [{"indicator": code, "progress": None if cell is None else progress.to_representation(cell)}
                      for code, cell in zip(self.context["codes"], row.cells, strict=True)],
        }


class MatrixIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    aggregation = serializers.ChoiceField(choices=Indicator.Aggregation.choices)


class MatrixSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.number", help_text="The objective's number.")
    title = serializers.CharField(source="objective.title")
    as_of = serializers.IntegerField(allow_null=True, help_text="Only values up to this year count; null: all.")
    indicators = MatrixIndicatorSerializer(many=True, help_text="The objective's indicators partners report.")
    results = MatrixRowSerializer(source="rows", many=True, help_text="Every partner, by name.")


class ObjectivePartnersView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["objectives"], summary="The partners' statuses side by side on an objective",
        parameters=[AS_OF, NUMBER_PATH], responses=MatrixSerializer,
        description="Every partner, with its own status on each of the objective's indicators partners report "
                    "(null where it has not reported one) and the mean of those statuses.",
    )
    def get(self, request, number):
        as_of = as_of_param(request)
        objective = Objective.objects.filter(number=number).first()
        if objective is None:
            raise NotFound("No objective has this number.")
        matrix = objective_matrix(objective, as_of=as_of)
        context = {"request": request, "codes": [indicator.code for indicator in matrix.indicators]}
        return Response(MatrixSerializer(matrix, context=context).data)
