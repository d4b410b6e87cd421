"""Reads for a partner's profile: its status on each indicator it reports beside its side of ASEM and all of ASEM,
its objectives' summary, its reporting record and its mobility by year, mode and level.

Every read here costs a fixed number of queries, however many partners, indicators, values or flows there are.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from mobility.models import DeliveryMode, MobilityLevel, Partner
from mobility.selectors import partner_flow_rows, partner_routes, totals_current
from objectives import progress
from objectives.models import Indicator, Objective, Observation, PartnerTarget
from objectives.selectors import PartnerProgress, assess_partner, year_in_progress
from reporting.models import Return, Round

# The largest routes a profile lists in each direction.
CORRIDORS_SHOWN = 5
MODES = dict(DeliveryMode.choices)
SUMMARY_WORDS = {
    progress.ACHIEVED: _("achieved"), progress.ON_TRACK: _("on track"), progress.MODERATE: _("moderate"),
    progress.LIMITED: _("limited"), progress.DETERIORATION: _("deteriorating"),
    progress.INSUFFICIENT_DATA: _("not assessed yet"),
}
LEVELS = dict(MobilityLevel.choices)


# Values and statuses -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """Partners' values of one indicator in one year made into one figure, the way the indicator makes ASEM's
    (a sum, a simple mean, or how many meet it), with how many of the group's partners it rests on."""

    value: float | None
    coverage: int
    partners: int

    def as_dict(self) -> dict:
        return {"value": self.value, "coverage": self.coverage, "partners": self.partners}


@dataclass(frozen=True)
class IndicatorLine:
    indicator: Indicator
    result: progress.IndicatorResult
    has_own_target: bool
    year: int  # the year its latest value is for, the year the figures beside it are for
    value: float
    side: Figure  # the partners of its region
    asem: Figure  # every partner

    def as_dict(self) -> dict:
        return {
            "indicator": self.indicator.code, "name": self.indicator.name, "unit": self.indicator.unit,
            "aggregation": self.indicator.aggregation, "year": self.year, "value": self.value,
            "has_own_target": self.has_own_target, "result": self.result.as_dict(),
            "side": self.side.as_dict(), "asem": self.asem.as_dict(),
        }


@dataclass(frozen=True)
class ObjectiveLine:
    """One objective's summary for the partner: how many of its indicators have each status, and their weighted
    status, as the objectives' own are rolled up."""

    objective: Objective
    result: progress.RollupResult
    indicators: list[IndicatorLine]

    @property
    def summary(self) -> str:
        """How many of its indicators have each status, best first: "2 on track, 1 limited"."""
        return ", ".join(f"{count} {SUMMARY_WORDS[status]!s}" for status, count in self.result.counts.items()
                         if count)

    def as_dict(self) -> dict:
        return {"number": self.objective.number, "title": self.objective.title, "result": self.result.as_dict(),
                "summary": self.summary, "indicators": [line.as_dict() for line in self.indicators]}


@dataclass(frozen=True)
class Values:
    objectives: list[ObjectiveLine]
    shows_demo: bool

    @property
    def lines(self) -> list[IndicatorLine]:
        return [line for objective in self.objectives for line in objective.indicators]


def _figure(sums: dict | None, *, rule: str, partners: int) -> Figure:
    if not sums:
        return Figure(value=None, coverage=0, partners=partners)
    value = {progress.AGGREGATE_SUM: sums["total"], progress.AGGREGATE_MEAN: sums["total"] / sums["n"],
             progress.AGGREGATE_COUNT: float(sums["meeting"])}.get(rule)
    return Figure(value=value, coverage=sums["n"], partners=partners)


def group_sums(indicators: list[Indicator], *, regions: dict[int, str], years=None) -> dict[tuple[int, int, str], dict]:
    """{(indicator, year, region): {total, n, meeting}} of the partners' headline values (regions: each partner's),
    and under (indicator, year, "") both sides' together; years: only those years' (a profile shows each
    indicator's figures for one year, not every partner's every year). One query: one pass over the values grouped
    by indicator and year, each side summed by its partners' ids, with no join and no list of indicators to match
    each value against (the sums of an indicator not asked for are simply not looked up)."""
    observations = Observation.objects.filter(partner__isnull=False, breakdown="")
    if years is not None:
        observations = observations.filter(year__in=sorted(set(years)))
    # Only a count of partners meeting a condition reads how many meet it.
    thresholds: dict[float, list[int]] = defaultdict(list)
    for indicator in indicators:
        if indicator.aggregation == progress.AGGREGATE_COUNT and indicator.count_at_least is not None:
            thresholds[indicator.count_at_least].append(indicator.pk)
    meets = Q()
    for at_least, pks in sorted(thresholds.items()):
        meets |= Q(indicator_id__in=sorted(pks), value__gte=at_least)
    sides: dict[str, list[int]] = defaultdict(list)
    for partner_id, region in regions.items():
        sides[region].append(partner_id)
    names = sorted(sides)
    aggregates = {}
    for number, region in enumerate(names):
        side = Q(partner_id__in=sorted(sides[region]))
        aggregates |= {f"total_{number}": Sum("value", filter=side), f"n_{number}": Count("pk", filter=side)}
        if meets:
            aggregates[f"meeting_{number}"] = Count("pk", filter=side & meets)
    rows = observations.order_by().values("indicator_id", "year").annotate(**aggregates)
    sums: dict[tuple[int, int, str], dict] = {}
    for row in rows:
        both = {"total": 0, "n": 0, "meeting": 0}
        for number, region in enumerate(names):
            if row[f"n_{number}"]:
                sums[row["indicator_id"], row["year"], region] = {
                    "total": row[f"total_{number}"], "n": row[f"n_{number}"],
                    "meeting": row.get(f"meeting_{number}", 0)}
                both = {name: both[name] + sums[row["indicator_id"], row["year"], region][name]
                        for name in ("total", "n", "meeting")}
        if both["n"]:
            sums[row["indicator_id"], row["year"], ""] = both
    return sums


def _shown_year(result: progress.IndicatorResult) -> int:
    """The year of the partner's value its profile shows: its latest, else its baseline."""
    return result.latest_year if result.latest_year is not None else result.baseline_year


def _series(partner: Partner) -> dict[int, dict[int, float]]:
    """{indicator id: {year: value}} of the partner's headline values of the indicators partners report, read as
    plain numbers (a thousand model instances would cost more than every figure made from them)."""
    series: dict[int, dict[int, float]] = defaultdict(dict)
    observations = (Observation.objects.filter(partner=partner, breakdown="")
                    .exclude(indicator__aggregation=Indicator.Aggregation.ASEM)
                    .order_by().values_list("indicator_id", "year", "value"))
    for indicator_id, year, value in observations:
        series[indicator_id][year] = value
    return series


def own_statuses(partner: Partner, *, as_of: int | None = None) -> list[tuple[Indicator, PartnerProgress]]:
    """Each indicator partners report that the partner has a headline value of, by code, with its status on its own
    series, through the same assess_partner() as an indicator's partners (objectives.selectors), weighted by the
    indicator's weight so its objectives can be rolled up). Three queries: its values, their indicators with their
    priorities and objectives, and its own targets."""
    series = _series(partner)
    if not series:
        return []
    indicators = Indicator.objects.filter(pk__in=list(series)).select_related("priority__objective").order_by("code")
    targets = {indicator_id: (year, value) for indicator_id, year, value in
               PartnerTarget.objects.filter(partner=partner).order_by()
               .values_list("indicator_id", "target_year", "target_value")}
    this_year = year_in_progress()
    return [
        (indicator, PartnerProgress(
            partner=partner, has_own_target=indicator.pk in targets,
            result=replace(assess_partner(indicator, series[indicator.pk], targets.get(indicator.pk), as_of,
                                          this_year=this_year), weight=indicator.weight)))
        for indicator in indicators
    ]


def partner_values(partner: Partner, *, as_of: int | None = None) -> Values:
    """The partner's status on each indicator it reports, with its side's and ASEM's figures for the same year,
    grouped by objective. Five queries."""
    reported = own_statuses(partner, as_of=as_of)
    regions = dict(Partner.objects.order_by().values_list("pk", "region"))
    partners_by_region = Counter(regions.values())
    sums = group_sums([indicator for indicator, _item in reported], regions=regions,
                      years=[_shown_year(item.result) for _indicator, item in reported]) if reported else {}
    by_objective: dict[int, list[IndicatorLine]] = defaultdict(list)
    objectives: dict[int, Objective] = {}
    for indicator, item in reported:
        result = item.result
        year = _shown_year(result)
        value = result.latest_value if result.latest_value is not None else result.baseline_value
        rule = indicator.aggregation
        by_objective[indicator.priority.objective_id].append(IndicatorLine(
            indicator=indicator, result=result, has_own_target=item.has_own_target, year=year, value=value,
            side=_figure(sums.get((indicator.pk, year, partner.region)), rule=rule,
                         partners=partners_by_region.get(partner.region, 0)),
            asem=_figure(sums.get((indicator.pk, year, "")), rule=rule, partners=sum(partners_by_region.values())),
        ))
        objectives[indicator.priority.objective_id] = indicator.priority.objective
    lines = [
        ObjectiveLine(objective=objectives[pk], indicators=items,
                      result=progress.roll_up([line.result for line in items], as_of=as_of))
        for pk, items in sorted(by_objective.items(), key=lambda item: objectives[item[0]].number)
    ]
    return Values(objectives=lines, shows_demo=any(indicator.is_demo for indicator, _item in reported))


def value_records(partner: Partner) -> list[dict]:
    """Every headline value the partner reported, by indicator and year, with its side's and ASEM's figures that
    year: the rows of its values CSV. Four queries: its values, their indicators, how many partners each side has
    and the partners' sums."""
    series = _series(partner)
    indicators = list(Indicator.objects.filter(pk__in=list(series)).order_by("code")) if series else []
    regions = dict(Partner.objects.order_by().values_list("pk", "region"))
    partners_by_region = Counter(regions.values())
    side_partners, all_partners = partners_by_region.get(partner.region, 0), sum(partners_by_region.values())
    sums = group_sums(indicators, regions=regions) if indicators else {}
    records = []
    for indicator in indicators:
        rule = indicator.aggregation
        for year, value in sorted(series[indicator.pk].items()):
            records.append({
                "indicator": indicator, "year": year, "value": value,
                "side": _figure(sums.get((indicator.pk, year, partner.region)), rule=rule, partners=side_partners),
                "asem": _figure(sums.get((indicator.pk, year, "")), rule=rule, partners=all_partners),
            })
    return records


# The reporting record ------------------------------------------------------------------------------------------


PUBLIC_STATES = {
    Return.State.APPROVED: _("Approved"),
    Return.State.SUBMITTED: _("Submitted, under review"),
}


@dataclass(frozen=True)
class ReturnLine:
    """A partner's return in one round, as the public may know it: a draft and a return sent back for changes are
    both simply not submitted (what the review said stays between the partner and the secretariat)."""

    round: Round
    state: str
    approved_at: object
    submitted_at: object

    @property
    def state_label(self) -> str:
        label = PUBLIC_STATES.get(self.state)
        if label:
            return str(label)
        return str(_("Not submitted") if self.round.state == Round.State.CLOSED else _("Not submitted yet"))

    def as_dict(self) -> dict:
        return {"round": self.round.name, "first_year": self.round.first_year, "last_year": self.round.last_year,
                "deadline": self.round.deadline, "round_state": self.round.state, "state": self.public_state,
                "state_label": self.state_label, "approved_at": self.approved_at}

    @property
    def public_state(self) -> str:
        return self.state if self.state in PUBLIC_STATES else "not_submitted"


def reporting_record(partner: Partner) -> list[ReturnLine]:
    """The partner's return in every round opened so far, newest round first. One query."""
    returns = (Return.objects.filter(partner=partner).exclude(round__state=Round.State.DRAFT)
               .select_related("round").order_by("-round__last_year", "-round__deadline"))
    return [ReturnLine(round=report.round, state=report.state, approved_at=report.approved_at,
                       submitted_at=report.submitted_at) for report in returns]


# Mobility ------------------------------------------------------------------------------------------------------


@dataclass
class Mobility:
    """A partner's mobility in and out: by year, mode and level, its largest routes each way, and the balance."""

    rows: list[dict]  # year, mode, level, incoming, outgoing, demo
    incoming_corridors: list[dict]
    outgoing_corridors: list[dict]
    routes: list[dict] = field(default_factory=list)  # every route in or out, largest first: what its map shows
    by_mode: list[dict] = field(default_factory=list)
    by_level: list[dict] = field(default_factory=list)

    @property
    def incoming(self) -> int:
        return sum(row["incoming"] for row in self.rows)

    @property
    def outgoing(self) -> int:
        return sum(row["outgoing"] for row in self.rows)

    @property
    def balance(self) -> float | None:
        """Participants coming in for each one going out; none when nobody went out."""
        return self.incoming / self.outgoing if self.outgoing else None

    @property
    def shows_demo(self) -> bool:
        return any(row["demo"] for row in self.rows)

    def as_dict(self) -> dict:
        return {"incoming": self.incoming, "outgoing": self.outgoing, "balance": self.balance,
                "by_year_mode_level": [{key: row[key] for key in ("year", "mode", "level", "incoming", "outgoing")}
                                       for row in self.rows],
                "largest_incoming": self.incoming_corridors, "largest_outgoing": self.outgoing_corridors}


def _by(rows: list[dict], group: str, labels: dict) -> list[dict]:
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(row[group], {"key": row[group], "label": labels.get(row[group], row[group]),
                                               "incoming": 0, "outgoing": 0})
        total["incoming"] += row["incoming"]
        total["outgoing"] += row["outgoing"]
    order = list(labels)
    return sorted(totals.values(), key=lambda total: order.index(total["key"]) if total["key"] in order else 99)


def partner_flows(partner: Partner) -> Mobility:
    """The public flows to and from the partner: its sums by year, mode and level, and its routes, the largest in and
    out apart. Three queries: whether the kept totals are current, and the sums and the routes from them or from the
    flows."""
    kept = totals_current()
    rows = partner_flow_rows(partner, kept=kept)
    for row in rows:
        row["mode_label"] = MODES.get(row["mode"], row["mode"])
        row["level_label"] = LEVELS.get(row["level"], row["level"])
    routes = partner_routes(partner, kept=kept)
    return Mobility(
        rows=rows,
        incoming_corridors=[route for route in routes if route["destination"] == partner.code][:CORRIDORS_SHOWN],
        outgoing_corridors=[route for route in routes if route["origin"] == partner.code][:CORRIDORS_SHOWN],
        routes=routes,
        by_mode=_by(rows, "mode", MODES),
        by_level=_by(rows, "level", LEVELS),
    )
