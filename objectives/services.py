"""Writes of progress data: computed indicators' observations, refreshed when the portal's data changes.

Every write of indicators, observations, mobility flows or activities
announces itself with ``core.changes.data_changed()`` (directly, or through
the receivers that objectives/apps.py and mobility/metrics.py connect). Once
it commits, ``refresh_when_asked()`` hears of it and queues at most one
refresh; while a refresh waits in the queue, later commits queue no other.

``refresh_computed_indicators()`` writes the yearly observations of every
indicator whose source is a registered metric. It is idempotent: a second run
over unchanged data writes nothing.

The secretariat's writes of indicators and observations (the API's, and any
other caller's) go through ``indicator_create()`` and its siblings: each
checks the role, runs full_clean() before saving and records who wrote it.

Partners' own values: ``publish_partner_values()`` makes a partner's approved
values its observations, and ``recompute_partner_aggregates()`` makes the ASEM
series of an indicator partners report from them (a sum, a simple mean or a
count of partners, each year carrying its coverage). ``check_partner_value()``
says what is wrong with one value, for a return's checks before approval.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import changes
from core.roles import is_secretariat
from core.writes import set_fields, validate_and_save
from objectives import progress
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, Observation
from objectives.registry import UnknownMetric, metrics
from partners.models import Partner

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser

REFRESH_QUEUED_KEY = "objectives:refresh:queued"
# If a queued refresh is lost (a broker restart), changes queue a new one after this long.
REFRESH_QUEUED_TIMEOUT = 300
COMPUTED_NOTE = "Computed by the progress engine from the portal's data."
AGGREGATE_NOTE = "Computed from the partners' approved values."
PUBLISHED_NOTE = "A partner's approved value."

def refresh_when_asked(*, refresh: bool, **kwargs) -> None:
    """A receiver for core.changes.committed: a committed change that may move a computed indicator queues a refresh."""
    if refresh:
        schedule_refresh()


def schedule_refresh() -> bool:
    """Queue a refresh of all computed indicators unless one is already waiting. True if it queued one."""
    from core.queue import enqueue
    from objectives.tasks import refresh_computed_indicators

    if not cache.add(REFRESH_QUEUED_KEY, True, timeout=REFRESH_QUEUED_TIMEOUT):
        return False
    # With the broker away the write still stands; the nightly refresh recomputes what this one would have.
    if not enqueue(refresh_computed_indicators):
        cache.delete(REFRESH_QUEUED_KEY)
        return False
    return True


@dataclass
class RefreshReport:
    indicators: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept_by_hand: int = 0
    unknown_metrics: list[str] = field(default_factory=list)
    failed_metrics: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self):
        text = (f"{self.indicators} computed indicators: {self.created} observations created, "
                f"{self.updated} updated, {self.deleted} deleted, {self.unchanged} unchanged")
        if self.kept_by_hand:
            text += f", {self.kept_by_hand} hand-entered kept"
        if self.unknown_metrics:
            text += f"; unknown metrics: {', '.join(self.unknown_metrics)}"
        if self.failed_metrics:
            text += f"; metrics that failed: {', '.join(self.failed_metrics)}"
        return text


def refresh_computed_indicators(*, indicator_ids: list[int] | None = None) -> RefreshReport:
    """Write the headline observations of computed indicators from their metrics.

    For each year the metric gives, the observation is created or updated and
    marked computed; computed observations for years the metric no longer
    gives are deleted. A hand-entered observation (is_computed=False) for a
    year stays as entered. Indicators are locked while they are written, so
    two refreshes at once take turns instead of colliding.
    """
    report = RefreshReport()
    with changes.without_refresh(), transaction.atomic():
        # An indicator partners report is never a metric's: its ASEM series is made from the partners' values.
        indicators = (Indicator.objects.select_for_update().filter(source=Indicator.Source.COMPUTED)
                      .exclude(metric="").filter(aggregation=Indicator.Aggregation.ASEM))
        if indicator_ids is not None:
            indicators = indicators.filter(pk__in=indicator_ids)
        indicators = list(indicators.order_by("pk"))
        report.indicators = len(indicators)
        existing: dict[tuple[int, int], Observation] = {
            (o.indicator_id, o.year): o
            for o in Observation.objects.filter(indicator__in=indicators, partner__isnull=True, breakdown="").order_by()
        }
        series_by_metric: dict[str, dict[int, float] | None] = {}
        to_create, to_update, to_delete = [], [], []
        for indicator in indicators:
            if indicator.metric not in series_by_metric:
                series_by_metric[indicator.metric] = _series(indicator.metric, report)
            series = series_by_metric[indicator.metric]
            if series is None:
                continue
            for year, value in series.items():
                observation = existing.get((indicator.pk, year))
                if observation is None:
                    to_create.append(Observation(
                        indicator=indicator, year=year, value=value, is_computed=True, note=COMPUTED_NOTE,
                    ))
                elif not observation.is_computed:
                    report.kept_by_hand += 1
                elif math.isclose(observation.value, value, rel_tol=1e-12, abs_tol=1e-12):
                    report.unchanged += 1
                else:
                    observation.value = value
                    to_update.append(observation)
            to_delete += [
                o.pk for (indicator_id, year), o in existing.items()
                if indicator_id == indicator.pk and o.is_computed and year not in series
            ]
        if to_create:
            bulk_create_with_history(to_create, Observation, batch_size=500, default_change_reason=COMPUTED_NOTE)
        if to_update:
            bulk_update_with_history(
                to_update, Observation, ["value"], batch_size=500, default_change_reason=COMPUTED_NOTE
            )
        if to_delete:
            Observation.objects.filter(pk__in=to_delete).delete()
        report.created, report.updated, report.deleted = len(to_create), len(to_update), len(to_delete)
        if report.changed:
            changes.data_changed(refresh=False)
    if report.changed or report.unknown_metrics or report.failed_metrics:
        logger.info("Refreshed computed indicators: %s", report)
    return report


def _series(key: str, report: RefreshReport) -> dict[int, float] | None:
    """The metric's yearly values that fit an observation, or None when it cannot be computed."""
    try:
        metric = metrics.get(key)
    except UnknownMetric:
        logger.warning("Indicators name the metric %r, which no app registers.", key)
        report.unknown_metrics.append(key)
        return None
    try:
        values = metric.compute()
    except Exception:
        # One broken metric must not keep every other computed indicator stale.
        logger.exception("The metric %r failed to compute.", key)
        report.failed_metrics.append(key)
        return None
    return {
        int(year): float(value) for year, value in values.items()
        if value is not None and FIRST_YEAR <= int(year) <= LAST_YEAR and math.isfinite(float(value))
    }


# Writes of indicators and observations: the secretariat's only -------------------------------------------------

# What a write may set. is_demo is the demo loader's alone (load_demo --remove deletes whatever carries it), and
# is_computed the engine's: a value written here is one entered by hand.
INDICATOR_FIELDS = {
    "code", "name", "description", "priority", "unit", "kind", "direction", "baseline_year", "baseline_value",
    "target_year", "target_value", "source", "metric", "data_source", "methodology", "weight", "status_override",
    "override_reason", "aggregation", "count_at_least",
}
OBSERVATION_FIELDS = {"year", "value", "breakdown", "note", "partner"}
# What makes an indicator's ASEM series from its partners' values: a change to either makes it afresh.
AGGREGATION_FIELDS = ("aggregation", "count_at_least")


def _require_secretariat(user: User) -> None:
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat may change indicators and observations.")


@transaction.atomic
def indicator_create(*, user: User, data: dict[str, Any]) -> Indicator:
    _require_secretariat(user)
    indicator = Indicator()
    set_fields(indicator, data, allowed=INDICATOR_FIELDS)
    return validate_and_save(indicator, user=user)


@transaction.atomic
def indicator_update(*, indicator: Indicator, user: User, data: dict[str, Any]) -> Indicator:
    _require_secretariat(user)
    before = [getattr(indicator, name) for name in AGGREGATION_FIELDS]
    set_fields(indicator, data, allowed=INDICATOR_FIELDS - {"code"})  # the code is the indicator's address
    validate_and_save(indicator, user=user)
    if before != [getattr(indicator, name) for name in AGGREGATION_FIELDS]:
        recompute_partner_aggregates(indicators=[indicator])
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user: User) -> None:
    _require_secretariat(user)
    indicator._history_user = user
    indicator.delete()


@transaction.atomic
def observation_create(*, indicator: Indicator, user: User, data: dict[str, Any]) -> Observation:
    _require_secretariat(user)
    observation = Observation(indicator=indicator, is_computed=False)
    set_fields(observation, data, allowed=OBSERVATION_FIELDS)
    return _save_observation(observation, user=user)


@transaction.atomic
def observation_update(*, observation: Observation, user: User, data: dict[str, Any]) -> Observation:
    _require_secretariat(user)
    # A value set by hand stays as entered: the engine's refresh keeps hand-entered observations.
    observation.is_computed = False
    set_fields(observation, data, allowed=OBSERVATION_FIELDS)
    return _save_observation(observation, user=user)


@transaction.atomic
def observation_delete(*, observation: Observation, user: User) -> None:
    _require_secretariat(user)
    indicator = observation.indicator
    if _is_made_from_partners(observation):
        raise ValidationError(_("The ASEM value of %(code)s for %(year)s is made from the partners' values: change "
                                "or delete theirs instead.") % {"code": indicator.code, "year": observation.year})
    observation._history_user = user
    observation.delete()
    if indicator.is_partner_reported:
        recompute_partner_aggregates(indicators=[indicator])


def _is_made_from_partners(observation: Observation) -> bool:
    """The ASEM headline value of an indicator partners report: the engine's, from the partners' values."""
    return observation.indicator.is_partner_reported and not observation.partner_id and not observation.breakdown


def observation_problems(observation: Observation) -> dict[str, list[str]]:
    """What is wrong with whose an observation is, and with a partner's value, by field; empty when nothing is.

    A partner's value goes only to an indicator partners report, and is checked as a return's is; the ASEM headline
    value of such an indicator is the engine's, made from the partners', never written by hand. The services here
    and the admin's forms ask it, so every writer meets the same rules.
    """
    indicator = observation.indicator
    figures = {"code": indicator.code}
    if observation.partner_id and not indicator.is_partner_reported:
        return {"partner": [_("%(code)s is measured for ASEM as a whole: partners do not report it, so its "
                              "observations name no partner.") % figures]}
    if _is_made_from_partners(observation):
        return {"partner": [_("The ASEM value of %(code)s is made from the partners' values: give the partner whose "
                              "value this is.") % figures]}
    if observation.partner_id and observation.value is not None \
            and (problems := _value_problems(indicator, observation.value)):
        return {"value": problems}
    return {}


def _save_observation(observation: Observation, *, user: User) -> Observation:
    """Check whose an observation is and, for a partner's, its value; save it; then the ASEM series."""
    if problems := observation_problems(observation):
        raise ValidationError(problems)
    indicator = observation.indicator
    validate_and_save(observation, user=user)
    if indicator.is_partner_reported:
        recompute_partner_aggregates(indicators=[indicator])
    return observation


# Partners' own values and the ASEM series made from them ---------------------------------------------------


def check_partner_value(*, indicator: Indicator, year: int, value: Any) -> list[str]:
    """What is wrong with one value a partner reports, in words; an empty list when nothing is."""
    problems = []
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(_("The year %(year)s is outside %(first)s to %(last)s.")
                        % {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR})
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(_("%(code)s for %(year)s needs a number.") % {"code": indicator.code, "year": year})
        return problems
    return problems + _value_problems(indicator, value)


def _value_problems(indicator: Indicator, value: float) -> list[str]:
    """What a partner's number cannot be, for the indicator's kind: a count is whole and not below 0, a percentage
    from 0 to 100."""
    figures = {"code": indicator.code, "unit": indicator.unit}
    problems = []
    if indicator.kind == Indicator.Kind.COUNT:
        if value != round(value):
            problems.append(_("%(code)s is a count of %(unit)s: give a whole number.") % figures)
        if value < 0:
            problems.append(_("%(code)s is a count of %(unit)s: it cannot be below 0.") % figures)
    elif indicator.kind == Indicator.Kind.PERCENTAGE and not 0 <= value <= 100:
        problems.append(_("%(code)s is a percentage: give a value from 0 to 100.") % figures)
    return problems


@transaction.atomic
def publish_partner_values(*, partner: Partner, indicators: Iterable[Indicator], years: Iterable[int],
                           values: Mapping[tuple[int, int], float], user: User | None = None) -> None:
    """Make a partner's headline values of those indicators and years exactly `values`, then the ASEM series.

    values: {(indicator id, year): value}. A value the partner had for an indicator and year in range but not in
    `values` is deleted; one equal to what is there is left as it is. Nothing is written unless every value is
    right: a ValidationError names each wrong one "<indicator code>/<year>".
    """
    indicators = {indicator.pk: indicator for indicator in indicators}
    years = set(years)
    errors: dict[str, list[str]] = {}
    for (indicator_id, year), value in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None or year not in years:
            label = f"{indicator.code if indicator else indicator_id}/{year}"
            errors[label] = [_("Not among the indicators and years being published.")]
            continue
        key = f"{indicator.code}/{year}"
        if not indicator.is_partner_reported:
            errors[key] = [_("%(code)s is measured for ASEM as a whole: partners do not report it.")
                           % {"code": indicator.code}]
            continue
        if problems := check_partner_value(indicator=indicator, year=year, value=value):
            errors[key] = problems
    existing = list(Observation.objects.filter(
        indicator__in=list(indicators), partner=partner, year__in=years,
    ).order_by())
    if not errors:
        errors = _partner_breakdown_problems(indicators, existing, values)
    if errors:
        raise ValidationError(errors)

    headline = {(o.indicator_id, o.year): o for o in existing if o.breakdown == ""}
    to_create, to_update = [], []
    for (indicator_id, year), value in values.items():
        value = float(value)
        observation = headline.pop((indicator_id, year), None)
        if observation is None:
            to_create.append(Observation(indicator_id=indicator_id, partner=partner, year=year, value=value,
                                         is_computed=False, note=PUBLISHED_NOTE))
        elif observation.value != value or observation.is_computed:
            observation.value, observation.is_computed = value, False
            to_update.append(observation)
    history_user = user if user is not None and user.is_authenticated else None
    with changes.without_refresh():
        for observation in headline.values():  # in range, and no longer among the partner's values
            observation._history_user = history_user
            observation.delete()
        if to_create:
            bulk_create_with_history(to_create, Observation, default_user=history_user,
                                     default_change_reason=PUBLISHED_NOTE)
        if to_update:
            bulk_update_with_history(to_update, Observation, ["value", "is_computed"], default_user=history_user,
                                     default_change_reason=PUBLISHED_NOTE)
        recompute_partner_aggregates(indicators=indicators.values())
        changes.data_changed(refresh=False)


def _partner_breakdown_problems(indicators, existing, values) -> dict[str, list[str]]:
    """A count's new headline value must still hold the partner's breakdowns of that year, if it has any."""
    parts: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for observation in existing:
        if observation.breakdown:
            parts[(observation.indicator_id, observation.year)][observation.breakdown] = observation.value
    errors = {}
    for (indicator_id, year), breakdowns in parts.items():
        total = values.get((indicator_id, year))
        if total is None:
            continue
        indicator = indicators[indicator_id]
        if problems := indicator.breakdown_problems(year, {**breakdowns, "": float(total)}):
            errors[f"{indicator.code}/{year}"] = problems
    return errors


@transaction.atomic
def recompute_partner_aggregates(*, indicators: Iterable[Indicator]) -> None:
    """Make the ASEM headline series of each indicator partners report from its partners' headline values.

    Each year any partner reported gets the aggregate (progress.aggregate) as a computed ASEM observation with its
    coverage; a year nobody reported has no ASEM value. Indicators measured for ASEM as a whole are left alone.
    Indicators are locked while they are written, so two approvals at once take turns.
    """
    ids = [indicator.pk for indicator in indicators]
    reported = list(
        Indicator.objects.select_for_update().filter(pk__in=ids).exclude(aggregation=Indicator.Aggregation.ASEM)
        .order_by("pk")
    )
    if not reported:
        return
    by_year: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for indicator_id, year, partner_id, value in Observation.objects.filter(
        indicator__in=reported, partner__isnull=False, breakdown="",
    ).order_by().values_list("indicator_id", "year", "partner_id", "value"):
        by_year[indicator_id][year][partner_id] = value
    asem = {
        (o.indicator_id, o.year): o
        for o in Observation.objects.filter(indicator__in=reported, partner__isnull=True, breakdown="").order_by()
    }
    to_create, to_update, to_delete = [], [], []
    for indicator in reported:
        for year, partner_values in by_year[indicator.pk].items():
            value, coverage = progress.aggregate(
                partner_values, rule=indicator.aggregation, count_at_least=indicator.count_at_least)
            observation = asem.pop((indicator.pk, year), None)
            if observation is None:
                to_create.append(Observation(indicator=indicator, year=year, value=value, is_computed=True,
                                             coverage=coverage, note=AGGREGATE_NOTE))
            elif (observation.value, observation.coverage, observation.is_computed) != (value, coverage, True):
                observation.value, observation.coverage, observation.is_computed = value, coverage, True
                observation.note = AGGREGATE_NOTE
                to_update.append(observation)
    to_delete = list(asem.values())  # years no partner reported any longer
    with changes.without_refresh():
        if to_create:
            bulk_create_with_history(to_create, Observation, default_change_reason=AGGREGATE_NOTE)
        if to_update:
            bulk_update_with_history(to_update, Observation, ["value", "coverage", "is_computed", "note"],
                                     default_change_reason=AGGREGATE_NOTE)
        for observation in to_delete:
            observation.delete()
        if to_create or to_update or to_delete:
            changes.data_changed(refresh=False)
