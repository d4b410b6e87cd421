"""API v1: the stocktaking report, the same figures as its page and its downloads (reports.selectors)."""

from operator import attrgetter

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, views
from rest_framework.response import Response

from core.api.errors import QueryParameterError
from core.api.pagination import Pagination
from core.api.views import ApiViewMixin
from objectives import progress
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator
from reports.data import TREND_LABELS
from reports.exports import FORMATS
from reports.forms import PeriodForm
from reports.selectors import report_activity_ids, stocktaking_summary

YEAR = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}
FROM = OpenApiParameter(
    "from", YEAR, OpenApiParameter.QUERY,
    description=f"The first year of the period ({FIRST_YEAR} to {LAST_YEAR}). Without it, the year before `to`, "
                "or the year before the last full year.",
)
TO = OpenApiParameter(
    "to", YEAR, OpenApiParameter.QUERY,
    description=f"The last year of the period ({FIRST_YEAR} to {LAST_YEAR}), not before `from`. Without it, the "
                "last full year (or `from`, if that is later).",
)


def _count(help_text: str, **kwargs):
    return serializers.IntegerField(min_value=0, help_text=help_text, **kwargs)


def _figure(help_text: str, **kwargs):
    return serializers.FloatField(allow_null=True, help_text=help_text, **kwargs)


class _Length(serializers.IntegerField):
    """How many items its source holds."""

    def to_representation(self, value):
        return len(value)


def _length(help_text: str, **kwargs):
    return _Length(min_value=0, help_text=help_text, **kwargs)


class _Each(serializers.ListField):
    """One attribute of each item of its source: their codes, numbers or slugs."""

    def __init__(self, attribute: str, **kwargs):
        self.attribute = attrgetter(attribute)
        super().__init__(**kwargs)

    def to_representation(self, data):
        return [self.child.to_representation(self.attribute(item)) for item in data]


class _BlankAsNull(serializers.CharField):
    def to_representation(self, value):
        return value or None


# "from" is a Python keyword, so this serializer is built from a dict of its fields.
StocktakingPeriodSerializer = type("StocktakingPeriodSerializer", (serializers.Serializer,), {
    "__doc__": "The years the report covers, both included.",
    "from": serializers.IntegerField(source="start", help_text="The first year."),
    "to": serializers.IntegerField(source="end", help_text="The last year."),
    "years": serializers.IntegerField(min_value=1, help_text="How many years."),
    "progress_start_as_of": serializers.IntegerField(
        source="baseline_year",
        help_text="Progress at the start counts observations up to this year: the year before the first."),
    "progress_end_as_of": serializers.IntegerField(
        source="end", help_text="Progress at the end counts observations up to this year."),
})


class StocktakingDemoSerializer(serializers.Serializer):
    any = serializers.BooleanField(source="demo.any",
                                   help_text="Whether any figure of the report comes from demonstration data.")
    only = serializers.BooleanField(source="only_demo",
                                    help_text="Whether every activity and mobility figure of the period is synthetic.")
    activities = _count("Activities of the period that are demonstration data.", source="demo.activities")
    flow_participants = _count("Mobility participants of the period that are demonstration data.",
                               source="demo.flow_participants")
    indicators = _count("Indicators that are demonstration data.", source="demo.indicators")
    round = serializers.BooleanField(source="demo.round",
                                     help_text="Whether the reporting round shown is demonstration data.")


class StocktakingSummarySerializer(serializers.Serializer):
    activities = _count("Published activities under way in the period, cancelled ones left out.",
                        source="activity_count")
    cancelled_left_out = _count("Published activities of the period that were cancelled.", source="cancelled")
    partners = _length("All partners.")
    partners_taking_part = _count("Partners that led or joined at least one activity.")
    partners_absent = _length("Partners that led and joined none.", source="absent_partners")
    coverage_cells = _length("Objective and instrument cells: objectives times instruments.", source="coverage.cells")
    coverage_cells_empty = _length("Cells with no activity.", source="coverage.empty_cells")


# An indicator's result has no indicators_assessed, a roll-up's no latest year or value: those are null.
class StocktakingStatusSerializer(serializers.Serializer):
    as_of = serializers.IntegerField(allow_null=True, help_text="Observations up to this year count.")
    status = serializers.ChoiceField(choices=list(progress.STATUSES))
    status_label = serializers.CharField()
    score = _figure("The status's score, 0 (deterioration) to 4 (achieved); null for insufficient data.")
    latest_year = serializers.IntegerField(allow_null=True,
                                           help_text="For an indicator, its latest observation's year.")
    latest_value = _figure("For an indicator, its latest observation counted.")
    indicators_assessed = serializers.IntegerField(
        source="scored_count", allow_null=True,
        help_text="For a roll-up, how many of its indicators have enough data to be judged.")


class StocktakingProgressRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["vision", "objective", "priority", "indicator"])
    code = serializers.CharField(allow_blank=True, help_text="The objective's number, or the priority's or "
                                                               "indicator's code; empty for the vision.")
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text="Its page on the portal, a path.")
    start = StocktakingStatusSerializer(help_text="At the start of the period.")
    end = StocktakingStatusSerializer(help_text="At the end of the period.")
    score_change = _figure("The end's score minus the start's; null unless both have one.")
    trend = serializers.ChoiceField(choices=list(TREND_LABELS))
    trend_label = serializers.CharField()
    unit = _BlankAsNull(allow_null=True)
    is_demo = serializers.BooleanField()


class StocktakingActivitySerializer(serializers.Serializer):
    slug = serializers.SlugField(source="activity.slug")
    title = serializers.CharField(source="activity.title")
    url = serializers.CharField(source="activity.get_absolute_url", help_text="Its page on the portal, a path.")
    type = serializers.CharField(source="activity.activity_type")
    type_label = serializers.CharField(source="activity.get_activity_type_display")
    status = serializers.CharField(source="activity.status")
    start_year = serializers.IntegerField(source="activity.start_year", allow_null=True)
    end_year = serializers.IntegerField(source="activity.end_year", allow_null=True)
    lead_partner = serializers.CharField(source="activity.lead_partner.code", allow_null=True,
                                         help_text="The lead partner's code.")
    lead_description = serializers.CharField(source="activity.lead_description", allow_blank=True)
    partners = _Each("code", source="joined", child=serializers.CharField(),
                     help_text="Partners taking part without leading.")
    objectives = _Each("number", child=serializers.IntegerField(), help_text="The objectives' numbers.")
    instruments = _Each("slug", child=serializers.CharField(), help_text="The instruments' slugs.")
    participants_asia = serializers.IntegerField(source="activity.participants_asia", allow_null=True)
    participants_europe = serializers.IntegerField(source="activity.participants_europe", allow_null=True)
    is_demo = serializers.BooleanField()


class StocktakingActivityGroupSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.number", allow_null=True,
                                         help_text="Null: activities linked to no objective.")
    instrument = serializers.CharField(source="instrument.slug", allow_null=True,
                                       help_text="Null: activities naming no instrument.")
    count = _count("How many activities serve the objective through the instrument.")
    activities = _Each("activity.slug", child=serializers.SlugField(),
                       help_text="The slugs of its newest activities, at most five: count says how many there are, "
                                 "and activities (paged) and the downloads list every one.")


class StocktakingInstrumentBriefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class StocktakingCoverageCellSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.number")
    instrument = serializers.SlugField(source="instrument.slug")
    activities = _count("Distinct activities serving the objective through the instrument.")
    demo = _count("Of them, demonstration data.")
    is_empty = serializers.BooleanField(help_text="No activity: where the strategy is not being carried out.")


class StocktakingCoverageRowSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.number")
    title = serializers.CharField(source="objective.title")
    activities = _count("Distinct activities serving the objective, through any instrument or none.")
    cells = StocktakingCoverageCellSerializer(many=True)


class StocktakingInstrumentTotalSerializer(serializers.Serializer):
    instrument = serializers.SlugField(source="instrument.slug")
    activities = _count("Distinct activities using the instrument, for any objective or none.")


class StocktakingCellNameSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.number")
    instrument = serializers.SlugField(source="instrument.slug")


class StocktakingCoverageSerializer(serializers.Serializer):
    instruments = StocktakingInstrumentBriefSerializer(many=True)
    rows = StocktakingCoverageRowSerializer(many=True)
    instrument_totals = StocktakingInstrumentTotalSerializer(many=True, source="totals_by_instrument")
    empty_cells = StocktakingCellNameSerializer(
        many=True, help_text="The objective and instrument cells with no activity.")
    without_objective = _count("Activities linked to no objective.")
    without_instrument = _count("Activities naming no instrument.")


class StocktakingParticipantBalanceSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.number", allow_null=True,
                                         help_text="Null: every activity of the period, once.")
    activities = _count("Activities.")
    reporting_participants = _count("Of them, those reporting a participant figure.", source="reporting")
    participants_asia = _count("Participants from Asia.")
    participants_europe = _count("Participants from Europe.")
    share_asia = _figure("The share of participants from Asia, 0 to 1.")
    ratio = _figure("The smaller side over the larger: 1 is balanced.")
    partners_asia = _count("Asian partners leading or joining these activities.")
    partners_europe = _count("European partners leading or joining these activities.")


class StocktakingDirectionsSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True, help_text="Null for the whole period.")
    asia_to_europe = _count("Participants moving from Asia to Europe.")
    europe_to_asia = _count("Participants moving from Europe to Asia.")
    within_asia = _count("Participants moving within Asia.")
    within_europe = _count("Participants moving within Europe.")
    balance = _figure("The smaller interregional direction over the larger: 1 is balanced.")


class StocktakingMobilitySerializer(serializers.Serializer):
    years = StocktakingDirectionsSerializer(many=True, help_text="Each year of the period.")
    total = StocktakingDirectionsSerializer(help_text="The whole period.")
    flows = _count("Reported flows in the period.")
    demo_participants = _count("Participants from demonstration flows.")


class StocktakingBalanceSerializer(serializers.Serializer):
    objectives = StocktakingParticipantBalanceSerializer(many=True, source="balance_by_objective")
    all = StocktakingParticipantBalanceSerializer(source="balance_all",
                                                  help_text="Every activity of the period, each counted once.")
    mobility = StocktakingMobilitySerializer(
        help_text="Mobility flows are not tied to objectives: shown once for the period.")


class StocktakingPartnerParticipationSerializer(serializers.Serializer):
    code = serializers.CharField(source="partner.code")
    name = serializers.CharField(source="partner.name")
    region = serializers.ChoiceField(source="partner.region", choices=["asia", "europe"])
    led = _count("Activities it led.")
    joined = _count("Activities it joined without leading.")
    total = _count("Activities it led or joined.")
    is_absent = serializers.BooleanField(help_text="It led and joined none.")


class StocktakingAsemValueSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    value = _figure("The ASEM value made from the partners' approved values, at the indicator's precision; null "
                    "when no partner's value of that year is approved.", source="shown")
    coverage = _count("How many partners it rests on: those with an approved value that year.")


class StocktakingPartnerValueSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code", help_text="The partner's code.")
    year = serializers.IntegerField(help_text="The year of its latest approved value in the period.")
    value = serializers.FloatField(source="shown")


class StocktakingRoundIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    unit = _BlankAsNull(source="indicator.unit", allow_null=True)
    aggregation = serializers.ChoiceField(
        source="indicator.aggregation", choices=Indicator.Aggregation.choices,
        help_text="How the partners' values make the ASEM value: their sum, their simple mean, or how many partners "
                  "have a value of at least count_at_least.")
    count_at_least = serializers.FloatField(source="indicator.count_at_least")
    is_demo = serializers.BooleanField(source="indicator.is_demo")
    asem = StocktakingAsemValueSerializer(many=True, help_text="Each year of the period.")
    partners = StocktakingPartnerValueSerializer(
        many=True, help_text="Each partner's latest approved value in the period; partners without one are left out.")


class StocktakingQuoteSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code", help_text="The partner's code.")
    text = serializers.CharField(help_text="The answer, as the secretariat approved it.")


class StocktakingNarrativeSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="question.number")
    question = serializers.CharField(source="question.text")
    answers = StocktakingQuoteSerializer(many=True, help_text="The approved returns' answers, by partner name.")


class StocktakingRoundSerializer(serializers.Serializer):
    name = serializers.CharField(source="round.name")
    slug = serializers.SlugField(source="round.slug")
    url = serializers.CharField(source="round.get_absolute_url", help_text="Its page on the portal, a path.")
    first_year = serializers.IntegerField(source="round.first_year")
    last_year = serializers.IntegerField(source="round.last_year")
    state = serializers.ChoiceField(source="round.state", choices=["open", "closed"])
    deadline = serializers.DateField(source="round.deadline")
    is_demo = serializers.BooleanField()
    returns = _count("The round's returns: one a partner.")
    partners = _count("Every partner: what a coverage is out of.")
    reported = _Each("code", child=serializers.CharField(),
                     help_text="The codes of the partners whose return the secretariat approved.")
    indicators = StocktakingRoundIndicatorSerializer(many=True)
    narratives = StocktakingNarrativeSerializer(many=True, help_text="Each question of the round, with the answers.")


class StocktakingDownloadsSerializer(serializers.Serializer):
    xlsx = serializers.URLField(help_text="The report as a workbook, a sheet a section.")
    csv = serializers.URLField(help_text="The report as one CSV file, a block a section.")

    def get_attribute(self, instance):
        # Their addresses depend on the request, not on the report: the view passes them in.
        return self.context["downloads"]


class _PageLink(serializers.URLField):
    def get_attribute(self, instance):
        return self.context["pages"][self.field_name]


# The report's JSON, declared here only, read from the same StocktakingReport as the page and the downloads.
class StocktakingReportSerializer(serializers.Serializer):
    period = StocktakingPeriodSerializer()
    strategy = serializers.CharField(source="strategy.title", allow_null=True)
    demo = StocktakingDemoSerializer(source="*")
    summary = StocktakingSummarySerializer(source="*")
    progress = StocktakingProgressRowSerializer(
        many=True, help_text="The vision, then each objective, its priorities and their indicators.")
    activities_count = _count("The period's published activities, each listed once across the pages.",
                              source="activity_count")
    activities_next = _PageLink(
        allow_null=True, help_text="The next page of activities: the same report with ?page= one more; null on the "
                                   "last.")
    activities_previous = _PageLink(allow_null=True, help_text="The previous page of activities.")
    activities = StocktakingActivitySerializer(
        many=True, help_text="A page of the period's published activities, newest first, each once: page and "
                             "page_size choose it, as in the API's lists.")
    activity_groups = StocktakingActivityGroupSerializer(
        many=True, help_text="The activities by objective and instrument.")
    coverage = StocktakingCoverageSerializer()
    balance = StocktakingBalanceSerializer(source="*")
    partners = StocktakingPartnerParticipationSerializer(many=True, help_text="Every partner, Asian then European.")
    absent_partners = _Each("code", child=serializers.CharField(),
                            help_text="The codes of partners with no activity in the period.")
    round = StocktakingRoundSerializer(
        allow_null=True,
        help_text="The reporting round covering the period (the latest open or closed one whose years meet it), with "
                  "the partners' approved values and answers; null when no round covers it.")
    downloads = StocktakingDownloadsSerializer()


def report_json(report, *, downloads: dict[str, str], pages: dict[str, str | None]) -> dict:
    """The report as the API gives it, with the addresses of its downloads and of its activities' other pages."""
    return StocktakingReportSerializer(report, context={"downloads": downloads, "pages": pages}).data


class StocktakingReportView(ApiViewMixin, views.APIView):
    @extend_schema(
        tags=["reports"], summary="The stocktaking report", parameters=[FROM, TO],
        responses=StocktakingReportSerializer,
        description="The biennial stocktaking report for a period, from approved data: progress of the vision, "
                    "objectives, priorities and indicators at its start and end; the published activities under "
                    "way in it by objective and instrument; the objective x instrument coverage matrix with its "
                    "empty cells; participants from Asia and Europe per objective and mobility in each direction; "
                    "every partner's activities led and joined; the reporting round covering the period, with the "
                    "ASEM values made from the partners' approved values, their coverage and the approved answers. "
                    "The same figures as /reports/stocktaking/ and its XLSX and CSV downloads. By default, the last "
                    "two full years.",
        examples=[OpenApiExample("2024 to 2025", parameter_only=("from", OpenApiParameter.QUERY), value=2024)],
    )
    def get(self, request):
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            raise QueryParameterError(form.error_messages())
        # Every figure in full, the activities a page at a time: tens of thousands of them in one answer were
        # megabytes no client reads at once; the downloads list every one.
        pagination = Pagination()
        listed = pagination.paginate_queryset(report_activity_ids(form.period), request, view=self)
        report = stocktaking_summary(form.period, listed=list(listed))
        downloads = {
            fmt: request.build_absolute_uri(f"{reverse('reports:download', args=[fmt])}?{report.period.query}")
            for fmt in FORMATS
        }
        pages = {"activities_next": pagination.get_next_link(),
                 "activities_previous": pagination.get_previous_link()}
        return Response(report_json(report, downloads=downloads, pages=pages))
