"""The stocktaking report: every figure of it, read once for a period.

The page, the XLSX and CSV downloads and the API all call
``stocktaking_report(period)`` and show what it returns, so they cannot
drift apart. It reads approved data only: published activities, mobility
flows and the progress engine's results.

- Progress of the vision, each objective, priority and indicator at the end
  of the period (as of its last year) against the start of the period (as of
  the year before its first, so the period's own data is the change).
- The activities of the period: published, not cancelled, and under way in at
  least one of its years, by the same rule as the activity list's year filter
  (``ActivityFilter.filter_year``): started by the period's end and not ended
  before its start; without an end year, ongoing or started in the period.
- The coverage matrix: for each objective and instrument, how many distinct
  activities serve both. An activity serving two objectives and two
  instruments counts once in each of its four cells, never twice in one.
- Asia-Europe balance: per objective, the participants from each side in its
  activities and the partners of each side taking part; and the period's
  mobility flows in each direction, per year. Flows are not tied to an
  objective, so they are shown once for the whole period.
- Partner participation: for every partner, the activities it led and those it
  joined without leading.
- The reporting round covering the period, if one does (the latest one open
  or closed whose years meet the period's; a real round before a demo one):
  for each indicator it asks partners for, the ASEM value each year with how
  many partners it rests on, and each partner's latest value in the period;
  which partners' returns were approved; and the answers of each approved
  version, by question. Only what the secretariat approved: a draft's
  answers never show, and a return reopened after its approval shows the
  answers it was approved with.
- How much of all this is demonstration data.

It costs a fixed number of queries however many activities, partners, flows
and returns there are: the two progress overviews (four queries each, or none
when they are cached), the strategy, the instruments, the partners, the
activities, the activities' objectives, instruments and partners, the flows'
totals, and the round; with a round, its indicators, their values, its
questions and its approved versions.
"""

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet, Sum

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner, Region
from mobility.selectors import YearDirections, activities_newest_first, direction_expression, partner_list
from objectives.models import Indicator, Objective, Observation
from objectives.selectors import current_strategy, progress_overview
from reporting.models import ReturnVersion, Round
from reports.data import (
    ActivityGroup,
    AsemValue,
    Coverage,
    CoverageCell,
    CoverageRow,
    DemoShare,
    MobilityBalance,
    ObjectiveActivities,
    ParticipantBalance,
    PartnerParticipation,
    PartnerValue,
    Period,
    ProgressRow,
    QuestionAnswers,
    Quote,
    ReportActivity,
    RoundIndicator,
    RoundSection,
    StocktakingReport,
)


def activities_under_way(queryset: QuerySet[Activity], period: Period) -> QuerySet[Activity]:
    """Activities under way in at least one year of the period.

    The union over the period's years of ActivityFilter.filter_year: started
    by the end of the period, and ended in it or after it; without an end
    year, ongoing, or started within the period.
    """
    return queryset.filter(start_year__lte=period.end).filter(
        Q(end_year__gte=period.start)
        | Q(end_year__isnull=True, status=Activity.Status.ONGOING)
        | Q(end_year__isnull=True, start_year__gte=period.start)
    )


def period_activities(period: Period) -> QuerySet[Activity]:
    """The published activities under way in the period, cancelled ones included (the report counts them apart)."""
    return activities_under_way(Activity.objects.filter(state=Activity.State.PUBLISHED), period)


def _progress_rows(period: Period) -> tuple[list[ProgressRow], list[Objective]]:
    end = progress_overview(as_of=period.end)
    start = progress_overview(as_of=period.baseline_year)
    before = {item.objective.pk: item for item in start.objectives}
    rows = [ProgressRow("vision", "", "The vision: all four objectives", "", start.vision, end.vision)]
    for item in end.objectives:
        objective = item.objective
        earlier = before.get(objective.pk)
        if earlier is None:  # the strategy changed between the two reads; show nothing rather than mismatch
            continue
        rows.append(ProgressRow("objective", str(objective.number), objective.title, objective.get_absolute_url(),
                                earlier.result, item.result))
        earlier_priorities = {p.priority.pk: p for p in earlier.priorities}
        for priority in item.priorities:
            earlier_priority = earlier_priorities.get(priority.priority.pk)
            if earlier_priority is None:
                continue
            rows.append(ProgressRow("priority", priority.priority.code, priority.priority.title, "",
                                    earlier_priority.result, priority.result))
            earlier_indicators = {i.indicator.pk: i for i in earlier_priority.indicators}
            for indicator in priority.indicators:
                earlier_indicator = earlier_indicators.get(indicator.indicator.pk)
                if earlier_indicator is None:
                    continue
                rows.append(ProgressRow(
                    "indicator", indicator.indicator.code, indicator.indicator.name,
                    indicator.indicator.get_absolute_url(), earlier_indicator.result, indicator.result,
                    unit=indicator.indicator.unit, is_demo=indicator.indicator.is_demo,
                ))
    return rows, [item.objective for item in end.objectives]


def stocktaking_report(period: Period) -> StocktakingReport:
    """The stocktaking report for a period, in a fixed number of queries."""
    progress_rows, objectives = _progress_rows(period)
    strategy = current_strategy()
    instruments = list(Instrument.objects.order_by("number"))
    partners = list(partner_list())

    in_period = period_activities(period)
    fetched = list(activities_newest_first(in_period.select_related("lead_partner")))
    cancelled = sum(1 for a in fetched if a.status == Activity.Status.CANCELLED)
    records = [a for a in fetched if a.status != Activity.Status.CANCELLED]
    ids = in_period.values("pk")
    objective_ids, instrument_ids, partner_ids = defaultdict(set), defaultdict(set), defaultdict(set)
    for activity_id, objective_id in Activity.objectives.through.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "objective_id"
    ):
        objective_ids[activity_id].add(objective_id)
    for activity_id, instrument_id in Activity.instruments.through.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "instrument_id"):
        instrument_ids[activity_id].add(instrument_id)
    for activity_id, partner_id in Activity.partners.through.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "partner_id"
    ):
        partner_ids[activity_id].add(partner_id)

    objective_by_id = {o.pk: o for o in objectives}
    instrument_by_id = {i.pk: i for i in instruments}
    partner_by_id = {p.pk: p for p in partners}
    activities = [
        ReportActivity(
            activity=a,
            objectives=tuple(sorted((objective_by_id[i] for i in objective_ids[a.pk] if i in objective_by_id),
                                    key=lambda o: o.number)),
            instruments=tuple(sorted((instrument_by_id[i] for i in instrument_ids[a.pk] if i in instrument_by_id),
                                     key=lambda i: i.number)),
            partners=tuple(sorted((partner_by_id[i] for i in partner_ids[a.pk] if i in partner_by_id),
                                  key=lambda p: p.name)),
        )
        for a in records
    ]
    flows = _mobility(period)
    round_section = _round(period, partner_by_id)
    return StocktakingReport(
        period=period,
        strategy=strategy,
        objectives=objectives,
        progress=progress_rows,
        activities=activities,
        by_objective=_by_objective(activities, objectives, instruments),
        coverage=_coverage(activities, objectives, instruments),
        balance=_balance(activities, objectives),
        mobility=flows,
        partners=_partners(activities, partners),
        demo=DemoShare(
            activities=sum(1 for item in activities if item.is_demo),
            flow_participants=flows.demo_participants,
            indicators=sum(1 for row in progress_rows if row.is_indicator and row.is_demo),
            round=bool(round_section and round_section.is_demo),
        ),
        cancelled=cancelled,
        round=round_section,
    )


def _by_objective(activities: list[ReportActivity], objectives: list[Objective],
                  instruments: list[Instrument]) -> list[ObjectiveActivities]:
    sections = []
    for objective in [*objectives, None]:
        serving = [item for item in activities
                   if (objective in item.objectives if objective else not item.objectives)]
        groups = []
        for instrument in [*instruments, None]:
            members = [item for item in serving
                       if (instrument in item.instruments if instrument else not item.instruments)]
            if members:
                groups.append(ActivityGroup(objective, instrument, members))
        if serving or objective is not None:
            sections.append(ObjectiveActivities(objective, len(serving), groups))
    return sections


def _coverage(activities: list[ReportActivity], objectives: list[Objective],
              instruments: list[Instrument]) -> Coverage:
    # Sets of activity ids, so an activity is counted once in a cell whatever its other links.
    cells: dict[tuple[int, int], set[int]] = defaultdict(set)
    demo: dict[tuple[int, int], set[int]] = defaultdict(set)
    for item in activities:
        for objective in item.objectives:
            for instrument in item.instruments:
                cells[objective.pk, instrument.pk].add(item.activity.pk)
                if item.is_demo:
                    demo[objective.pk, instrument.pk].add(item.activity.pk)
    rows = [
        CoverageRow(
            objective=objective,
            cells=[CoverageCell(objective, instrument, len(cells[objective.pk, instrument.pk]),
                                len(demo[objective.pk, instrument.pk])) for instrument in instruments],
            activities=sum(1 for item in activities if objective in item.objectives),
        )
        for objective in objectives
    ]
    return Coverage(
        instruments=instruments,
        rows=rows,
        instrument_totals=[sum(1 for item in activities if instrument in item.instruments)
                           for instrument in instruments],
        without_objective=sum(1 for item in activities if not item.objectives),
        without_instrument=sum(1 for item in activities if not item.instruments),
    )


def _balance(activities: list[ReportActivity], objectives: list[Objective]) -> list[ParticipantBalance]:
    def balance(objective: Objective | None, items: list[ReportActivity]) -> ParticipantBalance:
        involved = {p for item in items for p in item.partners}
        involved |= {item.activity.lead_partner for item in items if item.activity.lead_partner}
        return ParticipantBalance(
            objective=objective,
            activities=len(items),
            reporting=sum(1 for item in items if item.participants_reported),
            participants_asia=sum(item.activity.participants_asia or 0 for item in items),
            participants_europe=sum(item.activity.participants_europe or 0 for item in items),
            partners_asia=sum(1 for p in involved if p.region == Region.ASIA),
            partners_europe=sum(1 for p in involved if p.region == Region.EUROPE),
        )

    rows = [balance(o, [item for item in activities if o in item.objectives]) for o in objectives]
    return [*rows, balance(None, activities)]


def _mobility(period: Period) -> MobilityBalance:
    rows = (
        # The public rows only: where both ends reported a route, the host country's row is the figure.
        MobilityFlow.objects.filter(year__gte=period.start, year__lte=period.end, is_public=True)
        .order_by().annotate(direction=direction_expression()).values("year", "direction")
        .annotate(people=Sum("participants"), demo=Sum("participants", filter=Q(is_demo=True)), flows=Count("pk"))
    )
    years = {year: YearDirections(year) for year in period.year_list}
    total = YearDirections(year=None)
    flows = demo = 0
    for row in rows:
        setattr(years[row["year"]], row["direction"], row["people"] or 0)
        setattr(total, row["direction"], getattr(total, row["direction"]) + (row["people"] or 0))
        flows += row["flows"]
        demo += row["demo"] or 0
    return MobilityBalance(years=list(years.values()), total=total, flows=flows, demo_participants=demo)


def _partners(activities: list[ReportActivity], partners: list[Partner]) -> list[PartnerParticipation]:
    led: dict[int, int] = defaultdict(int)
    joined: dict[int, int] = defaultdict(int)
    for item in activities:
        if item.activity.lead_partner_id:
            led[item.activity.lead_partner_id] += 1
        for partner in item.joined:
            joined[partner.pk] += 1
    return [PartnerParticipation(p, led[p.pk], joined[p.pk]) for p in partners]


def covering_round(period: Period) -> Round | None:
    """The round the report shows for a period: open or closed, its years meeting the period's, the latest first;
    a real round before a demonstration one. With how many returns it has."""
    return (
        Round.objects.exclude(state=Round.State.DRAFT)
        .filter(first_year__lte=period.end, last_year__gte=period.start)
        .annotate(return_count=Count("returns"))
        .order_by("is_demo", "-last_year", "-deadline", "name")
        .first()
    )


def _asem_value(indicator: Indicator, year: int, value: float | None, coverage: int) -> AsemValue:
    return AsemValue(year, value, indicator.at_precision(value), coverage)


def _round(period: Period, partner_by_id: dict[int, Partner]) -> RoundSection | None:
    round_ = covering_round(period)
    if round_ is None:
        return None
    indicators = list(round_.indicators.exclude(aggregation=Indicator.Aggregation.ASEM).order_by("code"))
    asem: dict[tuple[int, int], tuple[float, int]] = {}
    latest: dict[tuple[int, int], tuple[int, float]] = {}
    for indicator_id, partner_id, year, value, coverage in Observation.objects.filter(
        indicator__in=[i.pk for i in indicators], breakdown="", year__gte=period.start, year__lte=period.end,
    ).order_by().values_list("indicator_id", "partner_id", "year", "value", "coverage"):
        if partner_id is None:
            asem[indicator_id, year] = (value, coverage or 0)
        elif partner_id in partner_by_id and year >= latest.get((indicator_id, partner_id), (year, 0))[0]:
            latest[indicator_id, partner_id] = (year, value)
    items = []
    for indicator in indicators:
        values = [PartnerValue(partner_by_id[partner_id], year, value, indicator.at_precision(value))
                  for (indicator_id, partner_id), (year, value) in latest.items() if indicator_id == indicator.pk]
        items.append(RoundIndicator(
            indicator=indicator,
            asem=[_asem_value(indicator, year, *asem.get((indicator.pk, year), (None, 0)))
                  for year in period.year_list],
            partners=sorted(values, key=lambda item: item.partner.name),
        ))
    questions = list(round_.questions.order_by("number"))
    # The answers each return was approved with: its approved version's, whatever it holds since.
    approved = ReturnVersion.objects.filter(report__round=round_, number=F("report__approved_version")).order_by()
    answers: dict[str, list[Quote]] = {str(q.number): [] for q in questions}
    reported = []
    for partner_id, content in approved.values_list("report__partner_id", "content"):
        partner = partner_by_id.get(partner_id)
        if partner is None:
            continue
        reported.append(partner)
        for number, text in ((content or {}).get("answers") or {}).items():
            if str(number) in answers and isinstance(text, str) and text.strip():
                answers[str(number)].append(Quote(partner, text.strip()))
    return RoundSection(
        round=round_,
        returns=round_.return_count,
        reported=sorted(reported, key=lambda p: p.name),
        partners=len(partner_by_id),
        indicators=items,
        narratives=[QuestionAnswers(q, sorted(answers[str(q.number)], key=lambda quote: quote.partner.name))
                    for q in questions],
    )
