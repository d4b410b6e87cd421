"""The stocktaking report: every figure of it, read once for a period.

The page, the XLSX and CSV downloads and the API all call
``stocktaking_report(period)`` or ``stocktaking_summary(period)`` and show
what it returns, so they cannot drift apart. It reads approved data only: published activities, mobility
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

The counts and sums are grouped in the database (a few small answers, however
many activities), so the page and the API, which list only each objective and
instrument's newest activities (``stocktaking_summary``), cost a fixed number
of queries and a small page at any size; the downloads (``stocktaking_report``)
list every activity, with the same figures. The flows' totals come from the
kept totals while they are current (mobility/totals.py).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner, Region
from mobility.selectors import YearDirections, activities_newest_first, flow_summary, partner_list
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


# The page and the API list the newest activities of each objective and instrument, and say how many there are:
# every activity of a period is in the downloads, tens of thousands of them at full scale.
GROUP_SHOWN = 5


def stocktaking_report(period: Period) -> StocktakingReport:
    """The stocktaking report for a period, every activity listed: what the downloads write."""
    return _report(period, per_group=None, listed=None)


def stocktaking_summary(period: Period, *, per_group: int = GROUP_SHOWN,
                        listed: list[int] | None = None) -> StocktakingReport:
    """The same report with every figure, but each objective and instrument's list cut to its newest activities;
    report.activities holds the listed ones (a page of report_activity_ids()), in their order."""
    return _report(period, per_group=per_group, listed=listed or [])


def report_activity_ids(period: Period) -> QuerySet[Activity]:
    """The keys of the activities the report counts, newest first: what the API pages through."""
    counted = period_activities(period).exclude(status=Activity.Status.CANCELLED)
    return activities_newest_first(counted).values_list("pk", flat=True)


def _report(period: Period, *, per_group: int | None, listed: list[int] | None) -> StocktakingReport:
    progress_rows, objectives = _progress_rows(period)
    strategy = current_strategy()
    instruments = list(Instrument.objects.order_by("number"))
    partners = list(partner_list())
    objective_by_id = {o.pk: o for o in objectives}
    instrument_by_id = {i.pk: i for i in instruments}
    partner_by_id = {p.pk: p for p in partners}

    counted = period_activities(period).exclude(status=Activity.Status.CANCELLED)
    figures = _figures(period, counted, objectives, instruments, partners)
    if per_group is None:
        activities = _with_links(list(activities_newest_first(counted.select_related("lead_partner"))),
                                 objective_by_id, instrument_by_id, partner_by_id)
        by_objective = _by_objective(activities, objectives, instruments)
    else:
        activities, by_objective = _newest_by_group(counted, per_group, listed, figures, objectives, instruments,
                                                    objective_by_id, instrument_by_id, partner_by_id)
    flows = _mobility(period)
    round_section = _round(period, partner_by_id)
    return StocktakingReport(
        period=period,
        strategy=strategy,
        objectives=objectives,
        progress=progress_rows,
        activities=activities,
        activity_count=figures.activities,
        by_objective=by_objective,
        coverage=figures.coverage,
        balance=figures.balance,
        mobility=flows,
        partners=figures.partners,
        demo=DemoShare(
            activities=figures.demo,
            flow_participants=flows.demo_participants,
            indicators=sum(1 for row in progress_rows if row.is_indicator and row.is_demo),
            round=bool(round_section and round_section.is_demo),
        ),
        cancelled=figures.cancelled,
        round=round_section,
        complete=per_group is None,
    )


def _with_links(fetched: list[Activity], objective_by_id, instrument_by_id, partner_by_id) -> list[ReportActivity]:
    """The activities with their objectives, instruments and partners: three queries, however many."""
    ids = [a.pk for a in fetched]
    objective_ids, instrument_ids, partner_ids = defaultdict(set), defaultdict(set), defaultdict(set)
    for relation, found in (("objectives", objective_ids), ("instruments", instrument_ids),
                            ("partners", partner_ids)):
        through = getattr(Activity, relation).through
        other = f"{through._meta.get_field(relation[:-1]).attname}"
        for activity_id, other_id in through.objects.filter(activity_id__in=ids).values_list("activity_id", other):
            found[activity_id].add(other_id)
    return [
        ReportActivity(
            activity=a,
            objectives=tuple(sorted((objective_by_id[i] for i in objective_ids[a.pk] if i in objective_by_id),
                                    key=lambda o: o.number)),
            instruments=tuple(sorted((instrument_by_id[i] for i in instrument_ids[a.pk] if i in instrument_by_id),
                                     key=lambda i: i.number)),
            partners=tuple(sorted((partner_by_id[i] for i in partner_ids[a.pk] if i in partner_by_id),
                                  key=lambda p: p.name)),
        )
        for a in fetched
    ]


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
                groups.append(ActivityGroup(objective, instrument, members, len(members)))
        if serving or objective is not None:
            sections.append(ObjectiveActivities(objective, len(serving), groups))
    return sections


def _newest_by_group(counted, per_group, listed, figures, objectives, instruments, objective_by_id,
                     instrument_by_id, partner_by_id) -> tuple[list[ReportActivity], list[ObjectiveActivities]]:
    """The newest activities of each objective and instrument, ranked in the database, and the listed ones."""
    newest = [F("start_year").desc(nulls_last=True), F("start_date").desc(nulls_last=True), "title", "pk"]
    ranked = list(
        counted.values_list("pk", "objectives", "instruments")
        .annotate(rank=Window(RowNumber(), partition_by=[F("objectives"), F("instruments")], order_by=newest))
        .filter(rank__lte=per_group).order_by()
    )
    ids = {pk for pk, *_ in ranked} | set(listed)
    fetched = activities_newest_first(Activity.objects.filter(pk__in=ids).select_related("lead_partner"))
    items = {item.activity.pk: item for item in _with_links(list(fetched), objective_by_id, instrument_by_id,
                                                             partner_by_id)}
    order = {pk: position for position, pk in enumerate(items)}
    members: dict[tuple, list[int]] = defaultdict(list)
    for pk, objective_id, instrument_id, _rank in ranked:
        members[objective_id, instrument_id].append(pk)
    sections = []
    for objective in [*objectives, None]:
        objective_id = objective.pk if objective else None
        groups = []
        for instrument in [*instruments, None]:
            key = (objective_id, instrument.pk if instrument else None)
            count = figures.groups.get(key, 0)
            if count:
                shown = sorted(members[key], key=order.__getitem__)
                groups.append(ActivityGroup(objective, instrument, [items[pk] for pk in shown], count))
        serving = figures.serving.get(objective_id, 0)
        if serving or objective is not None:
            sections.append(ObjectiveActivities(objective, serving, groups))
    return [items[pk] for pk in listed if pk in items], sections


@dataclass(frozen=True)
class _Figures:
    activities: int
    cancelled: int
    demo: int
    coverage: Coverage
    balance: list[ParticipantBalance]
    partners: list[PartnerParticipation]
    groups: dict[tuple[int | None, int | None], int]  # (objective, instrument): activities; None: linked to none
    serving: dict[int | None, int]  # objective: activities; None: linked to none


def _figures(period: Period, counted: QuerySet[Activity], objectives: list[Objective],
             instruments: list[Instrument], partners: list[Partner]) -> _Figures:
    """Every count and sum of the period's activities, grouped in the database: a fixed number of small answers,
    however many activities there are. Cancelled activities are counted apart and left out of the rest."""
    reported = Q(participants_asia__isnull=False) | Q(participants_europe__isnull=False)
    sums = {"n": Count("pk"), "reporting": Count("pk", filter=reported),
            "asia": Sum("participants_asia"), "europe": Sum("participants_europe")}
    kept = ~Q(status=Activity.Status.CANCELLED)
    totals = period_activities(period).order_by().aggregate(
        n=Count("pk", filter=kept), reporting=Count("pk", filter=kept & reported),
        asia=Sum("participants_asia", filter=kept), europe=Sum("participants_europe", filter=kept),
        demo=Count("pk", filter=kept & Q(is_demo=True)),
        cancelled=Count("pk", filter=Q(status=Activity.Status.CANCELLED)),
    )
    by_objective = {row["objectives"]: row for row in counted.order_by().values("objectives").annotate(**sums)}
    by_instrument = {row["instruments"]: row["n"]
                     for row in counted.order_by().values("instruments").annotate(n=Count("pk"))}
    cells: dict[tuple, tuple[int, int]] = {}
    for objective_id, instrument_id, n, demo in counted.order_by().values_list("objectives", "instruments").annotate(
        n=Count("pk"), demo=Count("pk", filter=Q(is_demo=True))
    ):
        cells[objective_id, instrument_id] = (n, demo)
    # Who took part in each objective's activities (None: those linked to none), leading or joining: one union.
    involved: dict[int | None, set[int]] = defaultdict(set)
    for objective_id, partner_id in counted.order_by().values_list("objectives", "partners").union(
        counted.order_by().values_list("objectives", "lead_partner")
    ):
        if partner_id is not None:
            involved[objective_id].add(partner_id)
    led = dict(counted.order_by().values_list("lead_partner").annotate(n=Count("pk")))
    joined = dict(
        Activity.partners.through.objects.filter(activity__in=counted.order_by().values("pk"))
        .exclude(partner_id=F("activity__lead_partner_id")).order_by()
        .values_list("partner_id").annotate(n=Count("pk"))
    )

    region = {p.pk: p.region for p in partners}

    def balance(objective: Objective | None, row: dict, who: set[int]) -> ParticipantBalance:
        return ParticipantBalance(
            objective=objective, activities=row.get("n") or 0, reporting=row.get("reporting") or 0,
            participants_asia=row.get("asia") or 0, participants_europe=row.get("europe") or 0,
            partners_asia=sum(1 for pk in who if region.get(pk) == Region.ASIA),
            partners_europe=sum(1 for pk in who if region.get(pk) == Region.EUROPE),
        )

    everyone = set().union(*involved.values()) if involved else set()
    serving = {key: row["n"] for key, row in by_objective.items()}
    coverage = Coverage(
        instruments=instruments,
        rows=[CoverageRow(
            objective=objective,
            cells=[CoverageCell(objective, instrument, *cells.get((objective.pk, instrument.pk), (0, 0)))
                   for instrument in instruments],
            activities=serving.get(objective.pk, 0),
        ) for objective in objectives],
        instrument_totals=[by_instrument.get(instrument.pk, 0) for instrument in instruments],
        without_objective=serving.get(None, 0),
        without_instrument=by_instrument.get(None, 0),
    )
    return _Figures(
        activities=totals["n"], cancelled=totals["cancelled"], demo=totals["demo"],
        coverage=coverage,
        balance=[*(balance(o, by_objective.get(o.pk, {}), involved[o.pk]) for o in objectives),
                 balance(None, totals, everyone)],
        partners=[PartnerParticipation(p, led.get(p.pk, 0), joined.get(p.pk, 0)) for p in partners],
        groups={key: n for key, (n, _demo) in cells.items()},
        serving=serving,
    )


def _mobility(period: Period) -> MobilityBalance:
    # The public rows only: where both ends reported a route, the host country's row is the figure. The kept
    # totals answer while they are current (a few hundred rows, not a million flows); the demonstration flows,
    # which they do not sum apart, are few and indexed.
    public = MobilityFlow.objects.filter(year__gte=period.start, year__lte=period.end, is_public=True)
    rows = flow_summary(public, ["year", "direction"], filters={"year_from": period.start, "year_to": period.end})
    years = {year: YearDirections(year) for year in period.year_list}
    total = YearDirections(year=None)
    flows = 0
    for row in rows:
        flows += row["flows"] or 0
        if row["direction"] is None or row["year"] not in years:
            continue
        setattr(years[row["year"]], row["direction"], row["participants"] or 0)
        setattr(total, row["direction"], getattr(total, row["direction"]) + (row["participants"] or 0))
    demo = public.filter(is_demo=True).order_by().aggregate(people=Sum("participants"))["people"] or 0
    return MobilityBalance(years=list(years.values()), total=total, flows=flows, demo_participants=demo)


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
    # Each indicator's partners, gathered once: looking through every partner's value for each indicator in turn
    # was a hundred passes over five thousand values.
    by_indicator: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for (indicator_id, partner_id), (year, value) in latest.items():
        by_indicator[indicator_id].append((partner_id, year, value))
    items = []
    for indicator in indicators:
        values = [PartnerValue(partner_by_id[partner_id], year, value, indicator.at_precision(value))
                  for partner_id, year, value in by_indicator[indicator.pk]]
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
