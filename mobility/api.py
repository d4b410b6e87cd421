"""API v1: partners, organisations, activities (with their review workflow), mobility flows and their totals.

Lists use the pages' filter sets (mobility.filters) and selectors; writes go
through mobility.services, which hold the rules of who may do what.
"""

import django_filters
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import QueryParameterError
from core.api.fields import DemoFlagMixin, LinkField, ModelSerializer, absolute_url, demo_flag
from core.api.views import ApiViewMixin
from core.roles import is_secretariat
from instruments.models import Instrument
from mobility import services
from mobility.exports import reporter
from mobility.filters import ActivityFilter, MobilityFlowFilter
from mobility.imports import excerpt
from mobility.models import Activity, Direction, MobilityFlow, Organisation, Partner, Region
from mobility.selectors import (
    SUMMARY_GROUPS,
    flow_summary,
    flows,
    partner_list_with_counts,
    public_activities,
    reported_flows,
)
from objectives.models import Objective, Priority

CODE = r"[A-Za-z]{2,5}"
SLUG = r"[-a-zA-Z0-9_]+"
ID = r"[0-9]{1,18}"


# Partners and organisations ---------------------------------------------------


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100, label=_("Search the name or code"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    kind = django_filters.ChoiceFilter(choices=Partner.Kind.choices, label=_("Country or organisation"))
    ordering = django_filters.OrderingFilter(
        fields=[("name", "name"), ("code", "code"), ("region", "region")], label=_("Sort by"),
    )

    class Meta:
        model = Partner
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


class PartnerSerializer(serializers.ModelSerializer):
    url = LinkField(view_name="api:partner-detail", lookup_field="code")
    activities_led = serializers.IntegerField(
        source="led_count", read_only=True, help_text="Published activities the partner leads."
    )
    activities_joined = serializers.IntegerField(
        source="joined_count", read_only=True, help_text="Published activities the partner takes part in."
    )

    class Meta:
        model = Partner
        fields = ["code", "name", "region", "kind", "activities_led", "activities_joined", "url"]
        extra_kwargs = {"code": {"help_text": "ISO 3166 alpha-2 code, or EU or ASEAN."}}


@extend_schema_view(
    list=extend_schema(summary="List the partners",
                       description="The 53 ASEM partners: 30 European countries and the EU, 21 Asian countries and "
                                   "the ASEAN Secretariat, with how many published activities each leads and joins."),
    retrieve=extend_schema(summary="Read one partner",
                           description="A partner by its code: ISO 3166 alpha-2, EU or ASEAN (any case)."),
)
@extend_schema(tags=["partners"])
class PartnerViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    lookup_field = "code"
    lookup_value_regex = CODE
    csv_filename = "partners"

    def get_queryset(self):
        return partner_list_with_counts()

    def get_object(self, queryset=None):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object(queryset)


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100, label=_("Search the name or acronym"))
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Kind"))
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), to_field_name="code", label=_("The partner it is based in (code)")
    )
    ordering = django_filters.OrderingFilter(fields=[("name", "name"), ("acronym", "acronym")], label=_("Sort by"))

    class Meta:
        model = Organisation
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))


class OrganisationSerializer(ModelSerializer):
    url = LinkField(view_name="api:organisation-detail", lookup_field="slug")
    partner = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The code of the partner it is based in, if any."
    )

    class Meta:
        model = Organisation
        fields = ["slug", "name", "acronym", "kind", "description", "website", "partner", "is_demo", "url"]


@extend_schema_view(
    list=extend_schema(summary="List the organisations",
                       description="Stakeholder organisations that take part in the ASEM Education Process."),
    retrieve=extend_schema(summary="Read one organisation", description="An organisation by its slug."),
)
@extend_schema(tags=["partners"])
class OrganisationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG
    csv_filename = "organisations"

    def get_queryset(self):
        return Organisation.objects.select_related("partner").order_by("name")


# Activities ---------------------------------------------------------------------


def activity_queryset(user) -> QuerySet[Activity]:
    """The activities a user may read, with everything a list shows, in a fixed number of queries."""
    if user.is_authenticated:
        queryset = (
            Activity.objects.filter(services.visible_activities_filter(user))
            .select_related("lead_partner")
            .prefetch_related(
                "objectives", "instruments", Prefetch("partners", queryset=Partner.objects.order_by("name"))
            )
        )
    else:
        queryset = public_activities()
    return queryset.prefetch_related("organisations", "priorities")


class ActivitySerializer(DemoFlagMixin, ModelSerializer):
    """An activity. Relations are written and read as codes: partners by code, objectives by number, ..."""

    is_demo = demo_flag()

    url = LinkField(view_name="api:activity-detail", lookup_field="slug")
    slug = serializers.SlugField(
        max_length=120, required=False,
        help_text="Its address: the title's words and a short random suffix, fixed once created. Only the "
                  "secretariat may choose it, on creation.",
    )
    lead_partner = serializers.SlugRelatedField(
        slug_field="code", queryset=Partner.objects.all(), allow_null=True, required=False,
        help_text="The code of the partner that leads it. A focal point's activities are led by their partner.",
    )
    partners = serializers.SlugRelatedField(
        slug_field="code", queryset=Partner.objects.all(), many=True, required=False,
        help_text="Codes of the partners taking part.",
    )
    organisations = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), many=True, required=False,
        help_text="Slugs of the organisations taking part.",
    )
    objectives = serializers.SlugRelatedField(
        slug_field="number", queryset=Objective.objects.all(), many=True, required=False,
        help_text="Numbers of the strategic objectives it serves (1 to 4).",
    )
    priorities = serializers.SlugRelatedField(
        slug_field="code", queryset=Priority.objects.all(), many=True, required=False,
        help_text="Codes of the priorities it serves, such as 1.2.",
    )
    instruments = serializers.SlugRelatedField(
        slug_field="slug", queryset=Instrument.objects.all(), many=True, required=False,
        help_text="Slugs of the instruments it uses.",
    )
    participants_total = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Participants from Asia and Europe together."
    )

    class Meta:
        model = Activity
        fields = [
            "slug", "title", "summary", "description", "activity_type", "status", "state", "review_note",
            "start_date", "end_date", "start_year", "end_year", "place", "online", "delivery_mode",
            "lead_partner", "lead_description", "partners", "organisations", "objectives", "priorities",
            "instruments", "participants_asia", "participants_europe", "participants_total", "website",
            "source_url", "outcomes", "is_demo", "created_at", "updated_at", "submitted_at", "published_at", "url",
        ]
        read_only_fields = ["state", "review_note", "created_at", "updated_at", "submitted_at", "published_at"]
        extra_kwargs = {
            "state": {"help_text": "Where it stands in review: only published activities are public. "
                                   "It changes only through the submit, approve and return actions."},
        }

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["slug"].read_only = True
        return fields

    def validate(self, attrs):
        # The state is read-only; say so instead of silently ignoring a client that tries to set it.
        asked = self.initial_data.get("state") if isinstance(self.initial_data, dict) else None
        current = self.instance.state if self.instance is not None else Activity.State.DRAFT
        if asked is not None and asked != current:
            raise serializers.ValidationError(
                {"state": "The state changes only through the submit, approve and return actions."}
            )
        return attrs


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=5000, help_text="What the focal points should change before submitting again."
    )


ACTIVITY_EXAMPLE = OpenApiExample(
    "A conference led by Germany",
    value={
        "title": "Asia-Europe conference on micro-credentials", "summary": "Two days on recognising short courses.",
        "activity_type": "conference", "status": "planned", "start_date": "2025-10-06", "end_date": "2025-10-07",
        "place": "Berlin, Germany", "delivery_mode": "blended", "lead_partner": "DE", "partners": ["TH", "JP"],
        "objectives": [4], "priorities": ["4.1"], "instruments": ["policy-dialogue"],
        "participants_asia": 40, "participants_europe": 60,
    },
    request_only=True,
)
WORKFLOW = (
    "Focal points create activities led by their partner as drafts, edit them while draft or returned, and submit "
    "them; the secretariat approves (publishes) or returns them with a note."
)


@extend_schema_view(
    list=extend_schema(
        summary="List activities",
        description="Published activities for everyone; signed-in focal points also see their partners' "
                    "unpublished ones, the secretariat all. Filtered with the same filters as the activities page.",
    ),
    retrieve=extend_schema(summary="Read one activity", description="An activity by its slug, if you may read it."),
    create=extend_schema(
        summary="Create an activity", description=f"Creates a draft. {WORKFLOW}", examples=[ACTIVITY_EXAMPLE],
    ),
    update=extend_schema(
        summary="Replace an activity", description=f"{WORKFLOW} The state is unchanged by an edit.",
        examples=[ACTIVITY_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change some fields of an activity", description=f"{WORKFLOW} The state is unchanged by an edit.",
        examples=[OpenApiExample("A new end date", value={"end_date": "2025-10-08"}, request_only=True)],
    ),
    destroy=extend_schema(
        summary="Delete an activity",
        description="The secretariat deletes any activity; focal points their partners' while draft or returned.",
    ),
)
@extend_schema(tags=["activities"])
class ActivityViewSet(ApiViewMixin, viewsets.ModelViewSet):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG
    csv_filename = "activities"

    def get_queryset(self):
        return activity_queryset(self.request.user)

    def get_serializer_class(self):
        if self.action == "return_":
            return ReturnSerializer
        return ActivitySerializer

    detail_serializer_class = ActivitySerializer

    def _refetched(self, activity):
        return self.get_queryset().get(pk=activity.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = services.activity_create(user=request.user, data=serializer.validated_data)
        activity = self._refetched(activity)
        location = absolute_url("api:activity-detail", request, slug=activity.slug)
        return self.written(activity, status.HTTP_201_CREATED, {"Location": location})

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        activity = self.object_for_write()
        serializer = self.get_serializer(activity, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.activity_update(activity=activity, user=request.user, data=serializer.validated_data)
        return self.written(self._refetched(activity))

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        services.activity_delete(activity=self.object_for_write(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Submit an activity for review",
        description="A draft or returned activity goes to the secretariat (state submitted). "
                    "Its focal points or the secretariat may submit it.",
        request=None, responses={200: ActivitySerializer}, operation_id="activities_submit",
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def submit(self, request, *args, **kwargs):
        activity = services.activity_submit(activity=self.object_for_write(), user=request.user)
        return self.written(self._refetched(activity))

    @extend_schema(
        summary="Approve a submitted activity",
        description="The secretariat publishes a submitted activity: from then on anyone can read it.",
        request=None, responses={200: ActivitySerializer}, operation_id="activities_approve",
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def approve(self, request, *args, **kwargs):
        activity = services.activity_approve(activity=self.object_for_write(), user=request.user)
        return self.written(self._refetched(activity))

    @extend_schema(
        summary="Return a submitted activity with a note",
        description="The secretariat sends a submission back to its focal points (state returned) with a note "
                    "saying what to change; they can edit and submit it again.",
        request=ReturnSerializer, responses={200: ActivitySerializer}, operation_id="activities_return",
        examples=[OpenApiExample("A note", value={"note": "Please add the participants from Asia."},
                                 request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    @transaction.atomic
    def return_(self, request, *args, **kwargs):
        activity = self.object_for_write()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"]
        activity = services.activity_return(activity=activity, user=request.user, note=note)
        return self.written(self._refetched(activity))


# Mobility ---------------------------------------------------------------------


class ReporterField(serializers.SlugRelatedField):
    """The reporting partner's code, read from the origin or destination already fetched: no query of its own."""

    def get_attribute(self, instance):
        return reporter(instance)


class MobilityFlowSerializer(DemoFlagMixin, ModelSerializer):
    url = LinkField(view_name="api:flow-detail")
    is_demo = demo_flag()
    origin = serializers.SlugRelatedField(
        slug_field="code", queryset=Partner.objects.all(), help_text="The code of the partner people come from."
    )
    destination = serializers.SlugRelatedField(
        slug_field="code", queryset=Partner.objects.all(), help_text="The code of the partner people go to."
    )
    direction = serializers.ChoiceField(
        choices=Direction.choices, read_only=True, help_text="Follows from the origin's and destination's regions."
    )
    reported_by = ReporterField(
        slug_field="code", queryset=Partner.objects.all(), required=False,
        help_text="The code of the end of the route that reported the row: the origin or the destination (left out, "
                  "the destination). When both ends report a route, the destination's row is the public figure.",
    )
    is_public = serializers.BooleanField(
        read_only=True,
        help_text="Whether the row is the public figure: false only for an origin's report of a route its "
                  "destination reported too. Only the secretariat sees such rows.",
    )

    class Meta:
        model = MobilityFlow
        fields = [
            "id", "year", "origin", "destination", "direction", "mode", "level", "participants", "female",
            "fewer_opportunities", "programme", "source", "reported_by", "is_public", "is_demo", "updated_at", "url",
        ]
        read_only_fields = ["updated_at"]
        # The model's own full_clean() checks uniqueness, with its message; no second copy of the rule here.
        validators = []

    def validate(self, attrs):
        """reported_by defaults to the destination on a new flow, and is always one of the two ends."""
        current = self.instance
        origin = attrs.get("origin", getattr(current, "origin", None))
        destination = attrs.get("destination", getattr(current, "destination", None))
        reported_by = attrs.get("reported_by", getattr(current, "reported_by", None) or destination)
        if reported_by is not None and reported_by not in (origin, destination):
            raise serializers.ValidationError({"reported_by": [
                f"{reported_by.code} is neither the origin nor the destination: a flow is reported by one of its "
                "ends."]})
        if reported_by is not None:
            attrs["reported_by"] = reported_by
        return attrs


FLOW_EXAMPLE = OpenApiExample(
    "Students from Thailand to Germany",
    value={"year": 2024, "origin": "TH", "destination": "DE", "mode": "physical", "level": "higher_education",
           "participants": 120, "female": 64, "fewer_opportunities": 12, "programme": "ASEM-DUO",
           "source": "National agency report 2025"},
    request_only=True,
)
FLOW_RULES = ("Only the secretariat writes flows directly. A partner's flows are reported in its return in a "
              "reporting round and published when the secretariat approves it; a focal point's write here is "
              "refused (403).")


@extend_schema_view(
    list=extend_schema(summary="List mobility flows",
                       description="Aggregated counts of people moving from one partner to another in a year, "
                                   "filtered with the same filters as the mobility page: the public figures. "
                                   "The secretariat also sees the rows that are not public (an origin's report of "
                                   "a route its destination reported too), with reported_by and is_public."),
    retrieve=extend_schema(summary="Read one mobility flow", description="A flow by its id."),
    create=extend_schema(summary="Report a mobility flow", description=FLOW_RULES, examples=[FLOW_EXAMPLE]),
    update=extend_schema(summary="Replace a mobility flow", description=FLOW_RULES, examples=[FLOW_EXAMPLE]),
    partial_update=extend_schema(
        summary="Change some fields of a mobility flow", description=FLOW_RULES,
        examples=[OpenApiExample("A corrected count", value={"participants": 125}, request_only=True)],
    ),
    destroy=extend_schema(summary="Delete a mobility flow", description=FLOW_RULES),
)
@extend_schema(tags=["mobility"])
class MobilityFlowViewSet(ApiViewMixin, viewsets.ModelViewSet):
    serializer_class = MobilityFlowSerializer
    filterset_class = MobilityFlowFilter
    lookup_value_regex = ID
    csv_filename = "mobility-flows"

    def get_queryset(self):
        return reported_flows() if is_secretariat(self.request.user) else flows()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flow = services.flow_create(user=request.user, data=serializer.validated_data)
        location = absolute_url("api:flow-detail", request, pk=flow.pk)
        return self.written(self.get_queryset().get(pk=flow.pk), status.HTTP_201_CREATED, {"Location": location})

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        flow = self.object_for_write()
        serializer = self.get_serializer(flow, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        services.flow_update(flow=flow, user=request.user, data=serializer.validated_data)
        return self.written(self.get_queryset().get(pk=flow.pk))

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        services.flow_delete(flow=self.object_for_write(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlowSummaryFilter(MobilityFlowFilter):
    """The flows' filters; rows come sorted by their groups, so the flows' own ordering does not apply."""

    ordering = None


class FlowSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, help_text="With group_by=year.")
    direction = serializers.ChoiceField(choices=Direction.choices, required=False, help_text="With group_by=direction.")
    mode = serializers.ChoiceField(choices=MobilityFlow._meta.get_field("mode").choices, required=False,
                                   help_text="With group_by=mode.")
    level = serializers.ChoiceField(choices=MobilityFlow._meta.get_field("level").choices, required=False,
                                    help_text="With group_by=level.")
    origin = serializers.CharField(required=False, help_text="The origin partner's code, with group_by=origin.")
    destination = serializers.CharField(
        required=False, help_text="The destination partner's code, with group_by=destination."
    )
    participants = serializers.IntegerField(allow_null=True, help_text="All participants in the group.")
    female = serializers.IntegerField(allow_null=True, help_text="Of them female, over the flows that report it.")
    fewer_opportunities = serializers.IntegerField(
        allow_null=True, help_text="Of them with fewer opportunities, over the flows that report it."
    )
    flows = serializers.IntegerField(help_text="How many flows the group adds up.")


GROUP_BY = OpenApiParameter(
    "group_by", OpenApiTypes.STR, OpenApiParameter.QUERY, many=True, explode=False, style="form",
    enum=SUMMARY_GROUPS,
    description="Comma-separated columns to total by, in order: any of year, direction, mode, level, origin, "
                "destination. Without it, one row of grand totals.",
)


@extend_schema(tags=["mobility"])
class FlowSummaryViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = FlowSummarySerializer
    filterset_class = FlowSummaryFilter
    csv_filename = "mobility-summary"

    def get_queryset(self):
        return flows()

    def group_by(self) -> list[str]:
        raw = self.request.query_params.getlist("group_by")
        names = [name.strip() for value in raw for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in SUMMARY_GROUPS]
        if unknown:
            raise QueryParameterError(
                # Each quoted by its start, a few at most: the answer to a huge query stays small.
                {"group_by": [f"Cannot group by {', '.join(excerpt(name) for name in unknown[:5])}; choose from "
                              f"{', '.join(SUMMARY_GROUPS)}."]}
            )
        return list(dict.fromkeys(names))

    def csv_columns(self) -> list[str]:
        return [*self.group_by(), "participants", "female", "fewer_opportunities", "flows"]

    @extend_schema(
        summary="Total mobility by group",
        description="Participants (and of them female and with fewer opportunities) totalled over the flows that "
                    "match the filters, grouped by the columns in group_by.",
        parameters=[GROUP_BY], responses=FlowSummarySerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        group_by = self.group_by()
        queryset = self.filter_queryset(self.get_queryset())
        rows = flow_summary(queryset, group_by, filters=self.filterset.form.cleaned_data)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(page)
        return Response(rows)
