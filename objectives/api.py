"""API v1: the strategy, its objectives and priorities, indicators, observations and progress toward 2030.

Progress comes from objectives.selectors.progress_overview, the same figures
the pages show, with every one that went into a status. Only the secretariat
writes indicators and observations.
"""

import math
import re
from operator import attrgetter

import django_filters
from django import forms
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, views, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.errors import QueryParameterError
from core.api.fields import DemoFlagMixin, LinkField, OptionalURIField, absolute_url, demo_flag
from core.api.permissions import SecretariatOrReadOnly
from core.api.views import ApiViewMixin
from objectives import progress, services
from objectives.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Indicator,
    Objective,
    Observation,
    Priority,
    Status,
    breakdown_validator,
    year_asked,
)
from objectives.registry import validate_metric
from objectives.selectors import (
    asem_series,
    current_strategy,
    objective_list,
    partner_progress,
    progress_overview,
    status_counts,
)
from partners.models import Partner

INDICATOR_CODE = r"[0-9]+\.[0-9]+\.[a-z0-9]+"
NUMBER = r"[0-9]{1,4}"
ID = r"[0-9]{1,18}"

AS_OF = OpenApiParameter(
    "as_of", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}, OpenApiParameter.QUERY,
    description=f"Compute progress as of this year ({FIRST_YEAR} to {LAST_YEAR}): only observations up to it count. "
                "By default, the latest year with data.",
)
INDICATOR_CODE_PATH = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^{INDICATOR_CODE}$",
                                       description="The indicator's code, such as 1.1.a.")


def as_of_param(request) -> int | None:
    value = request.query_params.get("as_of", "").strip()
    if not value:
        return None
    year = year_asked(value)
    if year is None:
        raise QueryParameterError({"as_of": [f"Give a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2024."]})
    return year


class ProgressIndex:
    """One progress overview, looked up by objective, priority or indicator."""

    def __init__(self, as_of: int | None):
        self.overview = progress_overview(as_of)
        self.objectives = {item.objective.pk: item for item in self.overview.objectives}
        self.priorities = {p.priority.pk: p for item in self.overview.objectives for p in item.priorities}
        self.indicators = {i.indicator.pk: i for i in self.overview.indicators}


def _progress_index(context) -> ProgressIndex:
    if "progress" not in context:
        context["progress"] = ProgressIndex(as_of_param(context["request"]))
    return context["progress"]


# Progress figures ---------------------------------------------------------------


def _finite(value) -> float | None:
    """A figure that JSON can carry: anything not finite is null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


class FiniteFloatField(serializers.FloatField):
    """A figure that JSON can carry: anything not finite is null."""

    def to_representation(self, value):
        return _finite(value)


def _figure(help_text: str, **kwargs):
    return FiniteFloatField(allow_null=True, read_only=True, help_text=help_text, **kwargs)


class ProjectionSerializer(serializers.Serializer):
    """Where the current pace leads by the target year."""

    year = serializers.IntegerField(help_text="The target year, or without a target the indicator's target year.")
    value = _figure("The value in that year if the growth from the baseline to the latest value goes on.")
    method = serializers.CharField(help_text="How the pace goes on: cagr (compound growth) or linear (the same "
                                             "change each year), as the status measures growth.")


class IndicatorResultSerializer(serializers.Serializer):
    """An indicator's status as of a year, with every figure that went into it."""

    status = serializers.ChoiceField(choices=Status.choices, help_text="The status shown (the override, if any).")
    status_label = serializers.CharField(help_text="The status in words.")
    computed_status = serializers.ChoiceField(choices=Status.choices, help_text="The status the method gives.")
    score = _figure("The status's score, used to roll statuses up to priorities, objectives and the vision.")
    is_override = serializers.BooleanField(help_text="Whether the secretariat set the status by hand.")
    override_reason = serializers.CharField(help_text="Why, when it did.")
    method = serializers.CharField(
        help_text="How the status was found: cagr, linear, fixed_thresholds (no target), override or none."
    )
    growth_method = serializers.CharField(allow_null=True, help_text="How growth was measured: cagr or linear.")
    direction = serializers.IntegerField(help_text="1 when higher is better, -1 when lower is better.")
    as_of = serializers.IntegerField(allow_null=True, help_text="Only observations up to this year count.")
    baseline_year = serializers.IntegerField()
    baseline_value = _figure("The baseline value.")
    latest_year = serializers.IntegerField(allow_null=True, help_text="The year of the latest observation counted.")
    latest_value = _figure("The latest observation counted.")
    target_year = serializers.IntegerField(allow_null=True)
    target_value = _figure("The target, if one is set.")
    actual_growth = _figure("Growth a year from the baseline to the latest value.")
    required_growth = _figure("Growth a year needed from the baseline to reach the target.")
    ratio = _figure("direction × actual growth / |required growth|: 0.95 or more is on track.")
    observations_used = serializers.IntegerField(help_text="How many observations the assessment counted.")
    projection = ProjectionSerializer(allow_null=True, help_text="Where the current pace leads by the target year; "
                                                                 "null without a value after the baseline year.")
    weight = _figure("The indicator's weight in its priority's status.")
    explanation = serializers.CharField(help_text="The status and its figures, in a sentence.")

    def to_representation(self, result):
        # The fields above, read directly: a list carries hundreds of results, and a field object each is most of
        # its time. A test holds this equal to what the fields give.
        projection = result.projection
        return {
            "status": result.status, "status_label": _label(result.status),
            "computed_status": result.computed_status, "score": _finite(result.score),
            "is_override": bool(result.is_override), "override_reason": str(result.override_reason),
            "method": str(result.method), "growth_method": _text(result.growth_method),
            "direction": int(result.direction), "as_of": _integer(result.as_of),
            "baseline_year": int(result.baseline_year), "baseline_value": _finite(result.baseline_value),
            "latest_year": _integer(result.latest_year), "latest_value": _finite(result.latest_value),
            "target_year": _integer(result.target_year), "target_value": _finite(result.target_value),
            "actual_growth": _finite(result.actual_growth), "required_growth": _finite(result.required_growth),
            "ratio": _finite(result.ratio), "observations_used": int(result.observations_used),
            "projection": None if projection is None else {
                "year": int(projection.year), "value": _finite(projection.value), "method": str(projection.method)},
            "weight": _finite(result.weight), "explanation": str(result.explanation),
        }


def _integer(value) -> int | None:
    return None if value is None else int(value)


def _text(value) -> str | None:
    return None if value is None else str(value)


_label = progress.status_label


def _roll_up_description() -> str:
    """How objectives/progress.py turns statuses into scores and a mean score back into a status, in words."""
    scores = ", ".join(f"{progress.STATUS_LABELS[status].lower()} {value:g}"
                       for status, value in progress.STATUS_SCORES.items() if value is not None)
    ladder = sorted((value, status) for status, value in progress.STATUS_SCORES.items()
                    if value is not None and value <= progress.STATUS_SCORES[progress.ON_TRACK])
    bands = ", ".join(f"from {value - 0.5:g} {progress.STATUS_LABELS[status].lower()}" for value, status in ladder[1:])
    return (
        f"Each indicator's status has a score: {scores}; insufficient data has none. A priority, an objective and "
        "the vision take the weighted mean of their children's scores, leaving out children with insufficient "
        "data or no weight (with none left, the status is insufficient data). The mean becomes a status again: "
        f"achieved only when it is {progress.MAX_SCORE:g}, that is when every scored child is achieved; otherwise "
        f"the nearest score, a half rounding up, at most on track: below {ladder[1][0] - 0.5:g} "
        f"{progress.STATUS_LABELS[ladder[0][1]].lower()}, {bands}."
    )


ROLL_UP = _roll_up_description()


class RollupSerializer(serializers.Serializer):
    """A priority's, objective's or the vision's status: the weighted mean of its children's scores."""

    status = serializers.ChoiceField(choices=Status.choices, help_text=f"The status of the mean score. {ROLL_UP}")
    status_label = serializers.CharField()
    score = _figure("The weighted mean of the children's scores, or null without data.")
    as_of = serializers.IntegerField(allow_null=True)
    weight = _figure("Its weight in the level above.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="How many indicators have each status.")
    method = serializers.CharField()
    is_override = serializers.BooleanField()
    override_reason = serializers.CharField()
    indicator_count = serializers.IntegerField()
    scored_count = serializers.IntegerField(help_text="Indicators with enough data to have a status.")

    def to_representation(self, result):
        # The fields above, read directly, as IndicatorResultSerializer does.
        return {
            "status": result.status, "status_label": _label(result.status), "score": _finite(result.score),
            "as_of": _integer(result.as_of), "weight": _finite(result.weight),
            "counts": {str(status): int(count) for status, count in result.counts.items()},
            "method": str(result.method), "is_override": bool(result.is_override),
            "override_reason": str(result.override_reason), "indicator_count": int(result.indicator_count),
            "scored_count": int(result.scored_count),
        }


# The strategy, objectives and priorities ------------------------------------------


class ObjectiveBriefSerializer(serializers.ModelSerializer):
    url = LinkField(view_name="api:objective-detail", lookup_field="number")

    class Meta:
        model = Objective
        fields = ["number", "title", "short_title", "url"]


class StrategySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    vision = serializers.CharField()
    mission = serializers.CharField()
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    source_document = serializers.CharField(help_text="The document the text is taken from.")
    source_url = serializers.URLField(allow_blank=True)
    objectives = ObjectiveBriefSerializer(many=True, help_text="The four strategic objectives.")
    links = serializers.DictField(child=serializers.URLField(), help_text="Where the rest of the strategy is.")


class StrategyView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["strategy"], summary="Read the strategy", responses=StrategySerializer,
        description="The ASEM Education Strategy 2030: its vision, mission, period and objectives, with links to "
                    "the instruments and the progress toward 2030.",
    )
    def get(self, request):
        strategy = current_strategy()
        if strategy is None:
            raise NotFound("No strategy is loaded yet.")
        links = {name: absolute_url(f"api:{view}", request) for name, view in [
            ("objectives", "objective-list"), ("indicators", "indicator-list"), ("progress", "progress"),
            ("instruments", "instrument-list"), ("partners", "partner-list"), ("activities", "activity-list"),
            ("mobility_flows", "flow-list"), ("mobility_summary", "flow-summary-list"),
        ]}
        data = {
            "slug": strategy.slug, "title": strategy.title, "vision": strategy.vision, "mission": strategy.mission,
            "start_year": strategy.start_year, "end_year": strategy.end_year,
            "source_document": strategy.source_document, "source_url": strategy.source_url,
            "objectives": ObjectiveBriefSerializer(
                strategy.objectives.order_by("number"), many=True, context={"request": request}
            ).data,
            "links": links,
        }
        return Response(data)


class IndicatorBriefSerializer(serializers.ModelSerializer):
    url = LinkField(view_name="api:indicator-detail", lookup_field="code")
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "weight", "source", "is_demo", "progress", "url"]

    @extend_schema_field(IndicatorResultSerializer)
    def get_progress(self, indicator):
        item = _progress_index(self.context).indicators.get(indicator.pk)
        return IndicatorResultSerializer().to_representation(item.result) if item else None


class PrioritySerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Priority
        fields = ["code", "number", "title", "description", "progress"]

    @extend_schema_field(RollupSerializer)
    def get_progress(self, priority):
        item = _progress_index(self.context).priorities.get(priority.pk)
        return RollupSerializer(item.result).data if item else None


class PriorityDetailSerializer(PrioritySerializer):
    indicators = serializers.SerializerMethodField()

    class Meta(PrioritySerializer.Meta):
        fields = [*PrioritySerializer.Meta.fields, "indicators"]

    @extend_schema_field(IndicatorBriefSerializer(many=True))
    def get_indicators(self, priority):
        item = _progress_index(self.context).priorities.get(priority.pk)
        indicators = [entry.indicator for entry in item.indicators] if item else []
        return IndicatorBriefSerializer(indicators, many=True, context=self.context).data


class ObjectiveSerializer(serializers.ModelSerializer):
    url = LinkField(view_name="api:objective-detail", lookup_field="number")
    priorities = PrioritySerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = ["number", "title", "short_title", "description", "progress", "priorities", "url"]

    @extend_schema_field(RollupSerializer)
    def get_progress(self, objective):
        item = _progress_index(self.context).objectives.get(objective.pk)
        return RollupSerializer(item.result).data if item else None


class ObjectiveDetailSerializer(ObjectiveSerializer):
    priorities = PriorityDetailSerializer(many=True, read_only=True)


@extend_schema_view(
    list=extend_schema(summary="List the objectives",
                       description="The four strategic objectives, each with its priorities and progress."),
    retrieve=extend_schema(summary="Read one objective",
                           description="An objective by its number, with its priorities, their indicators and the "
                                       "progress of each."),
)
@extend_schema(tags=["objectives"], parameters=[AS_OF])
class ObjectiveViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "number"
    lookup_value_regex = NUMBER
    csv_filename = "objectives"

    def get_queryset(self):
        return objective_list().order_by("number")

    def get_serializer_class(self):
        return ObjectiveDetailSerializer if self.action == "retrieve" else ObjectiveSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        as_of_param(request)  # a bad year is a 400 even when no progress would be shown


# Indicators and observations -----------------------------------------------------


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=200, label=_("Search the code, name and description"))
    objective = django_filters.ModelChoiceFilter(
        field_name="priority__objective", queryset=Objective.objects.all(), to_field_name="number",
        label=_("Objective (number)"),
    )
    priority = django_filters.ModelChoiceFilter(
        queryset=Priority.objects.all(), to_field_name="code", label=_("Priority (code, such as 1.1)")
    )
    source = django_filters.ChoiceFilter(choices=Indicator.Source.choices, label=_("Entered by hand or computed"))
    ordering = django_filters.OrderingFilter(fields=[("code", "code"), ("name", "name")], label=_("Sort by"))

    class Meta:
        model = Indicator
        fields = []

    def filter_q(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(code__icontains=term) | Q(name__icontains=term) | Q(description__icontains=term)
            )
        return queryset


@extend_schema_field({"type": "string", "maxLength": 60, "pattern": breakdown_validator.regex.pattern})
class BreakdownField(serializers.CharField):
    """Empty (the headline series) or key=value.

    The pattern already allows the empty string: declared with allow_blank,
    drf-spectacular would add a second schema for it, and "" would match both.
    """

    def run_validation(self, data=serializers.empty):
        if data == "":
            return ""
        return super().run_validation(data)


class ObservationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    value = serializers.FloatField(help_text="The value, in the indicator's unit.")
    breakdown = BreakdownField(
        max_length=60, required=False, validators=[breakdown_validator],
        help_text="Empty for the headline series, or key=value such as region=asia.",
    )
    partner = serializers.SlugRelatedField(
        slug_field="code", queryset=Partner.objects.all(), allow_null=True, required=False,
        help_text="The code of the partner whose own value this is, such as DE; null for ASEM as a whole. Only an "
                  "indicator partners report takes a partner's value, and its ASEM headline values are made from "
                  "the partners' and never written by hand.",
    )
    coverage = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="For an ASEM value made from the partners' values: how many partners it rests on.",
    )

    class Meta:
        model = Observation
        fields = ["id", "year", "value", "breakdown", "partner", "coverage", "is_computed", "note", "source", "url"]
        read_only_fields = ["is_computed", "source"]
        validators = []  # the model's full_clean() checks the one value per year and breakdown

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, observation) -> str:
        return absolute_url(
            "api:observation-detail", self.context.get("request"), code=observation.indicator.code, pk=observation.pk
        )


class _ListLinkField(LinkField):
    """The resource's own API address, reversed once for a whole list (see _address)."""

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        if value in (None, ""):
            return None
        return _address(self.context, view_name, self.lookup_url_kwarg, value)


class IndicatorSerializer(DemoFlagMixin, serializers.ModelSerializer):
    url = _ListLinkField(view_name="api:indicator-detail", lookup_field="code")
    is_demo = demo_flag()
    priority = serializers.SlugRelatedField(
        slug_field="code", queryset=Priority.objects.all(), help_text="The code of its priority, such as 1.1."
    )
    objective = serializers.IntegerField(
        source="priority.objective.number", read_only=True, help_text="The number of its objective."
    )
    metric = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_metric],
        help_text="For a computed indicator, the registered metric that computes its values.",
    )
    aggregation = serializers.ChoiceField(
        choices=Indicator.Aggregation.choices, required=False,
        help_text="Whether partners report it and how their approved values make the ASEM value: asem (ASEM-level "
                  "only: partners do not report it), sum, mean (the simple mean of the partners that reported) or "
                  "count (how many partners have a value of at least count_at_least).",
    )
    count_at_least = serializers.FloatField(
        required=False, help_text="For a count of partners: a partner counts when its value is at least this (1 for "
                                  "a yes, when yes is 1 and no is 0).",
    )
    source_url = OptionalURIField(
        read_only=True, help_text="A link to the published source of the values, for official statistics; null "
                                  "when the indicator has none.")
    coverage_note = serializers.CharField(
        read_only=True, help_text="Which partners or years the source covers: say it wherever the figures go.")
    progress = serializers.SerializerMethodField()
    observations_url = serializers.SerializerMethodField()
    partners_url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "description", "objective", "priority", "unit", "kind", "direction", "baseline_year",
            "baseline_value", "target_year", "target_value", "source", "metric", "data_source", "source_url",
            "coverage_note", "methodology",
            "aggregation", "count_at_least", "weight", "status_override", "override_reason", "is_demo", "progress",
            "url", "observations_url", "partners_url",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, Indicator):
            fields["code"].read_only = True  # it is the indicator's address
        return fields

    @extend_schema_field(IndicatorResultSerializer)
    def get_progress(self, indicator):
        item = _progress_index(self.context).indicators.get(indicator.pk)
        return IndicatorResultSerializer().to_representation(item.result) if item else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_observations_url(self, indicator) -> str:
        return _address(self.context, "api:observation-list", "code", indicator.code)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_partners_url(self, indicator) -> str | None:
        """Each partner's own value and status, for an indicator partners report."""
        if not indicator.is_partner_reported:
            return None
        return _address(self.context, "api:indicator-partners", "code", indicator.code)


class IndicatorDetailSerializer(IndicatorSerializer):
    observations = ObservationSerializer(
        many=True, read_only=True, help_text="Every observation: the headline series and any breakdowns."
    )

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "observations"]


INDICATOR_EXAMPLE = OpenApiExample(
    "A hand-entered indicator",
    value={"code": "2.1.c", "name": "Partners with a national TVET strategy", "priority": "2.1", "unit": "partners",
           "direction": 1, "baseline_year": 2020, "baseline_value": 18, "target_year": 2030, "target_value": 35,
           "source": "manual", "data_source": "ASEM Education Stocktaking Report"},
    request_only=True,
)
SECRETARIAT_ONLY = "Only the secretariat writes indicators."


@extend_schema_view(
    list=extend_schema(summary="List the indicators",
                       description="Every indicator, with its progress figures: status, ratio, both growth rates, "
                                   "baseline, latest, target, method and as_of.", parameters=[AS_OF]),
    retrieve=extend_schema(summary="Read one indicator",
                           description="An indicator by its code, with its observations and progress figures.",
                           parameters=[AS_OF]),
    create=extend_schema(summary="Define an indicator", description=SECRETARIAT_ONLY, examples=[INDICATOR_EXAMPLE]),
    update=extend_schema(summary="Replace an indicator", description=SECRETARIAT_ONLY, examples=[INDICATOR_EXAMPLE]),
    partial_update=extend_schema(
        summary="Change some fields of an indicator", description=SECRETARIAT_ONLY,
        examples=[OpenApiExample("A new target", value={"target_value": 40}, request_only=True)],
    ),
    destroy=extend_schema(summary="Delete an indicator", description=f"{SECRETARIAT_ONLY} Its observations go too."),
)
@extend_schema(tags=["indicators"])
class IndicatorViewSet(ApiViewMixin, viewsets.ModelViewSet):
    filterset_class = IndicatorFilter
    permission_classes = [SecretariatOrReadOnly]
    lookup_field = "code"
    lookup_value_regex = INDICATOR_CODE
    csv_filename = "indicators"
    detail_serializer_class = IndicatorDetailSerializer

    def get_queryset(self):
        queryset = Indicator.objects.select_related("priority__objective").order_by("code")
        if self.action != "list":
            # The indicator's own series: its partners' values are read at /partners/ and ?partner=.
            queryset = queryset.prefetch_related(
                Prefetch("observations", queryset=asem_series(Observation.objects.order_by("breakdown", "year"))))
        return queryset

    def get_serializer_class(self):
        return IndicatorSerializer if self.action == "list" else IndicatorDetailSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        as_of_param(request)

    def _refetched(self, indicator):
        return self.get_queryset().get(pk=indicator.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        indicator = services.indicator_create(user=request.user, data=serializer.validated_data)
        location = absolute_url("api:indicator-detail", request, code=indicator.code)
        return self.written(self._refetched(indicator), status.HTTP_201_CREATED, {"Location": location})

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        indicator = self.object_for_write()
        serializer = self.get_serializer(indicator, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.indicator_update(indicator=indicator, user=request.user, data=serializer.validated_data)
        return self.written(self._refetched(indicator))

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        services.indicator_delete(indicator=self.object_for_write(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class YearFilter(django_filters.NumberFilter):
    """A whole year in the range observations take: 2024.5 is a 400 naming the parameter, not the year 2024."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs)


class ObservationFilter(django_filters.FilterSet):
    year = YearFilter(label=_("Year"))
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    breakdown = django_filters.CharFilter(max_length=60, label=_("Breakdown, such as region=asia"))
    headline = django_filters.BooleanFilter(
        method="filter_headline", label=_("true: only the headline series; false: only breakdowns")
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), to_field_name="code",
        label=_("A partner's code, such as DE: that partner's own values. Without it, ASEM's."),
    )
    ordering = django_filters.OrderingFilter(fields=[("year", "year"), ("breakdown", "breakdown")], label=_("Sort by"))

    class Meta:
        model = Observation
        fields = []

    def filter_headline(self, queryset, name, value):
        return queryset.filter(breakdown="") if value else queryset.exclude(breakdown="")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Without a partner asked for, the series is ASEM's: the partners' own values are never mixed into it.
        return queryset if self.form.cleaned_data.get("partner") else queryset.filter(partner__isnull=True)


OBSERVATION_EXAMPLE = OpenApiExample(
    "The value for 2024", value={"year": 2024, "value": 27, "breakdown": "", "note": "Stocktaking report"},
    request_only=True,
)
OBSERVATIONS_SECRETARIAT = (
    "Only the secretariat writes observations; a value set by hand is kept by the engine. A partner's value (with "
    "`partner`) goes only to an indicator partners report, and writing or deleting one makes that indicator's ASEM "
    "series afresh from the partners' values; its ASEM headline values are the engine's alone."
)


@extend_schema_view(
    list=extend_schema(summary="List an indicator's observations",
                       description="Its values per year for ASEM as a whole: the headline series, and any "
                                   "breakdowns; an ASEM value made from the partners' values says how many it rests "
                                   "on (coverage). With ?partner=DE, that partner's own approved values instead."),
    retrieve=extend_schema(summary="Read one observation", description="An observation by its id."),
    create=extend_schema(summary="Record an observation", description=OBSERVATIONS_SECRETARIAT,
                         examples=[OBSERVATION_EXAMPLE]),
    update=extend_schema(summary="Replace an observation", description=OBSERVATIONS_SECRETARIAT,
                         examples=[OBSERVATION_EXAMPLE]),
    partial_update=extend_schema(
        summary="Change some fields of an observation", description=OBSERVATIONS_SECRETARIAT,
        examples=[OpenApiExample("A corrected value", value={"value": 28.5}, request_only=True)],
    ),
    destroy=extend_schema(summary="Delete an observation", description=OBSERVATIONS_SECRETARIAT),
)
@extend_schema(tags=["indicators"], parameters=[INDICATOR_CODE_PATH])
class ObservationViewSet(ApiViewMixin, viewsets.ModelViewSet):
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    permission_classes = [SecretariatOrReadOnly]
    lookup_value_regex = ID
    csv_filename = "observations"

    def indicator(self) -> Indicator:
        if not hasattr(self, "_indicator"):
            try:
                self._indicator = Indicator.objects.get(code=self.kwargs["code"])
            except Indicator.DoesNotExist:
                raise NotFound("No indicator has this code.") from None
        return self._indicator

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Observation.objects.none()  # the schema generator has no indicator to look up
        # A list is ASEM's unless ?partner= asks for one partner's (ObservationFilter); one observation is any.
        return self.indicator().observations.select_related("indicator", "partner").order_by(
            "breakdown", "year", "pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        observation = services.observation_create(indicator=self.indicator(), user=request.user,
                                                  data=serializer.validated_data)
        location = absolute_url("api:observation-detail", request, code=self.indicator().code, pk=observation.pk)
        return self.written(observation, status.HTTP_201_CREATED, {"Location": location})

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        observation = self.object_for_write()
        serializer = self.get_serializer(observation, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.observation_update(observation=observation, user=request.user, data=serializer.validated_data)
        return self.written(observation)

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        services.observation_delete(observation=self.object_for_write(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Progress toward 2030 -------------------------------------------------------------


class _AddressField(serializers.URLField):
    """An item's API address, from an attribute of the item: the overview's items carry models, not addresses."""

    def __init__(self, view_name: str, lookup: str, attribute: str, **kwargs):
        self.view_name, self.lookup, self.attribute = view_name, lookup, attribute
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return attrgetter(self.attribute)(instance)

    def to_representation(self, value):
        return _address(self.context, self.view_name, self.lookup, value)


# For the views whose items are many: a key no item has, that stands for the item's own in an address reversed once
# for a whole response.
_ANY_KEY = {"api:indicator-detail": "0.0.keyofanyitem", "api:observation-list": "0.0.keyofanyitem",
            "api:indicator-partners": "0.0.keyofanyitem", "api:objective-detail": "9999"}


def _address(context: dict, view_name: str, lookup: str, value) -> str:
    """absolute_url(view_name, request, lookup=value), reversing the view once a response, not once an item: every
    item's address is the same but for its key (a code or a number, which need no quoting)."""
    templates = context.setdefault("addresses", {})
    if (view_name, lookup) not in templates:
        marker = _ANY_KEY.get(view_name)
        address = absolute_url(view_name, context.get("request"), **{lookup: marker}) if marker else None
        templates[view_name, lookup] = (address, marker) if address and address.count(marker) == 1 else None
    template = templates[view_name, lookup]
    if template is None or not _PLAIN_KEY.fullmatch(str(value)):
        return absolute_url(view_name, context.get("request"), **{lookup: value})
    address, marker = template
    return address.replace(marker, str(value))


_PLAIN_KEY = re.compile(r"[0-9a-z.]+")


class _StatusCountsField(serializers.DictField):
    """Every status, best first, with how many indicators have it, as the overview's selectors count them."""

    def get_attribute(self, instance):
        return status_counts(instance)


# The overview's JSON is declared once, here: each serializer reads the selectors' items
# (objectives.selectors.ProgressOverview and what it holds) as they are.


class IndicatorProgressSerializer(serializers.Serializer):
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    weight = _figure("Its weight in its priority's status.", source="indicator.weight")
    source = serializers.ChoiceField(choices=Indicator.Source.choices, source="indicator.source")
    metric = serializers.CharField(source="indicator.metric")
    is_demo = serializers.BooleanField(source="indicator.is_demo", help_text="Synthetic demonstration data.")
    url = _AddressField("api:indicator-detail", "code", "indicator.code")
    progress = IndicatorResultSerializer(source="result")

    def to_representation(self, item):
        # The fields above, read directly, as IndicatorResultSerializer does.
        indicator = item.indicator
        return {
            "code": str(indicator.code), "name": str(indicator.name), "unit": str(indicator.unit),
            "weight": _finite(indicator.weight), "source": indicator.source, "metric": str(indicator.metric),
            "is_demo": bool(indicator.is_demo), "url": self.fields["url"].to_representation(indicator.code),
            "progress": self.fields["progress"].to_representation(item.result),
        }


class PriorityProgressSerializer(serializers.Serializer):
    code = serializers.CharField(source="priority.code")
    title = serializers.CharField(source="priority.title")
    progress = RollupSerializer(source="result")
    indicators = IndicatorProgressSerializer(many=True)


class ObjectiveProgressSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="objective.number")
    title = serializers.CharField(source="objective.title")
    short_title = serializers.CharField(source="objective.short_title")
    url = _AddressField("api:objective-detail", "number", "objective.number")
    progress = RollupSerializer(source="result")
    priorities = PriorityProgressSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    as_of = serializers.IntegerField(allow_null=True, help_text="The year progress is computed as of.")
    vision = RollupSerializer(help_text="The vision's status: the weighted mean of the four objectives'.")
    status_counts = _StatusCountsField(
        child=serializers.IntegerField(), help_text="How many indicators have each status, best first."
    )
    objectives = ObjectiveProgressSerializer(many=True)


class ProgressView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["progress"], summary="Progress toward 2030", parameters=[AS_OF], responses=ProgressSerializer,
        description="The status of the vision, every objective, priority and indicator as of a year, with the "
                    "figures behind each: an indicator's baseline, latest value, target, both growth rates, their "
                    "ratio and the method; a roll-up's score and how many indicators have each status. "
                    "The method follows Open SDG and the UN SDG Progress Chart: an indicator's growth rate a year "
                    "from its baseline to its latest value is compared with the rate its target needs (ratio 0.95 "
                    "or more on track, from 0.6 moderate, from 0 limited, below 0 deterioration), or without a "
                    f"target with fixed rates of 1.5 %, 0.5 % and 0 a year. {ROLL_UP} "
                    "docs/api.md in the portal's repository says the same with examples.",
        examples=[OpenApiExample("As of 2024", parameter_only=("as_of", OpenApiParameter.QUERY), value=2024)],
    )
    def get(self, request):
        overview = progress_overview(as_of_param(request))
        return Response(ProgressSerializer(overview, context={"request": request}).data)


class IndicatorProgressView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["progress"], summary="One indicator's progress", parameters=[AS_OF, INDICATOR_CODE_PATH],
        responses=IndicatorResultSerializer,
        description="An indicator's status as of a year, with every figure that went into it.",
    )
    def get(self, request, code):
        index = ProgressIndex(as_of_param(request))
        item = next((i for i in index.overview.indicators if i.indicator.code == code), None)
        if item is None:
            raise NotFound("No indicator has this code.")
        return Response(IndicatorResultSerializer(item.result).data)


# Each partner's own progress on an indicator it reports ------------------------------------------------------------


class PartnerProgressSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code", help_text="The partner's code, such as DE.")
    name = serializers.CharField(source="partner.name")
    url = _AddressField("api:partner-detail", "code", "partner.code")
    latest_year = serializers.IntegerField(source="result.latest_year", allow_null=True,
                                           help_text="The year of its latest value counted.")
    latest_value = _figure("Its latest value counted, in the indicator's unit.", source="result.latest_value")
    has_own_target = serializers.BooleanField(
        help_text="Whether the secretariat set this partner a target of its own; without one its status follows "
                  "the fixed thresholds for no target.")
    progress = IndicatorResultSerializer(
        source="result", help_text="Its status on its own values, with every figure behind it: its baseline is its "
                                   "value in the indicator's baseline year, else its first value.")


class IndicatorPartnersSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code", help_text="The indicator's code.")
    aggregation = serializers.ChoiceField(choices=Indicator.Aggregation.choices, source="indicator.aggregation",
                                          help_text="How the partners' values make the ASEM value.")
    as_of = serializers.IntegerField(allow_null=True, help_text="Only values up to this year count; null: all.")
    partner_count = serializers.IntegerField(help_text="How many partners there are.")
    reported = serializers.IntegerField(help_text="How many partners have an approved value of this indicator.")
    results = PartnerProgressSerializer(many=True, help_text="Each partner with a value, by name.")


class IndicatorPartnersView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["indicators"], summary="Each partner's value and status on an indicator",
        parameters=[AS_OF, INDICATOR_CODE_PATH],
        responses=IndicatorPartnersSerializer,
        description="For an indicator partners report: each partner with an approved value, its latest value and "
                    "its own status with every figure behind it, measured on its own values from its own baseline, "
                    "toward its own target where the secretariat set one, else against the fixed thresholds for no "
                    "target. An indicator measured for ASEM as a whole has no partners' values: the list is empty.",
    )
    def get(self, request, code):
        as_of = as_of_param(request)
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise NotFound("No indicator has this code.")
        items = partner_progress(indicator, as_of=as_of) if indicator.is_partner_reported else []
        data = {"indicator": indicator, "as_of": as_of, "partner_count": Partner.objects.count(),
                "reported": len(items), "results": items}
        return Response(IndicatorPartnersSerializer(data, context={"request": request}).data)
