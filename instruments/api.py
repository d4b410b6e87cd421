"""API v1: the strategy's six instruments and working methods, with their aims."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from core.api.fields import LinkField
from core.api.views import ApiViewMixin
from instruments.models import Aim, Instrument
from instruments.selectors import instrument_list


class InstrumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=200, label=_("Search the name, description and aims"))
    ordering = django_filters.OrderingFilter(fields=[("number", "number"), ("name", "name")], label=_("Sort by"))

    class Meta:
        model = Instrument
        fields = []

    def filter_q(self, queryset, name, value):
        aims = Aim.objects.filter(text__icontains=value).values("instrument_id")
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value) | Q(pk__in=aims))


class InstrumentSerializer(serializers.ModelSerializer):
    url = LinkField(view_name="api:instrument-detail", lookup_field="slug")
    aims = serializers.SlugRelatedField(
        slug_field="text", many=True, read_only=True, help_text="Its aims, in the strategy's order."
    )

    class Meta:
        model = Instrument
        fields = ["number", "slug", "name", "description", "aims", "url"]


@extend_schema_view(
    list=extend_schema(summary="List the instruments",
                       description="The six instruments and working methods of the strategy, with their aims."),
    retrieve=extend_schema(summary="Read one instrument", description="An instrument by its slug, with its aims."),
)
@extend_schema(tags=["instruments"])
class InstrumentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    csv_filename = "instruments"

    def get_queryset(self):
        return instrument_list().order_by("number")
