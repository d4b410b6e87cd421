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
"""

import logging
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import changes
from core.roles import is_secretariat
from core.writes import set_fields, validate_and_save
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, Observation
from objectives.registry import UnknownMetric, metrics

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser

REFRESH_QUEUED_KEY = "objectives:refresh:queued"
# If a queued refresh is lost (a broker restart), changes queue a new one after this long.
REFRESH_QUEUED_TIMEOUT = 300
COMPUTED_NOTE = "Computed by the progress engine from the portal's data."

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
        indicators = Indicator.objects.select_for_update().filter(source=Indicator.Source.COMPUTED).exclude(metric="")
        if indicator_ids is not None:
            indicators = indicators.filter(pk__in=indicator_ids)
        indicators = list(indicators.order_by("pk"))
        report.indicators = len(indicators)
        existing: dict[tuple[int, int], Observation] = {
            (o.indicator_id, o.year): o
            for o in Observation.objects.filter(indicator__in=indicators, breakdown="").order_by()
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
    "override_reason",
}
OBSERVATION_FIELDS = {"year", "value", "breakdown", "note"}


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
    set_fields(indicator, data, allowed=INDICATOR_FIELDS - {"code"})  # the code is the indicator's address
    return validate_and_save(indicator, user=user)


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
    return validate_and_save(observation, user=user)


@transaction.atomic
def observation_update(*, observation: Observation, user: User, data: dict[str, Any]) -> Observation:
    _require_secretariat(user)
    # A value set by hand stays as entered: the engine's refresh keeps hand-entered observations.
    observation.is_computed = False
    set_fields(observation, data, allowed=OBSERVATION_FIELDS)
    return validate_and_save(observation, user=user)


@transaction.atomic
def observation_delete(*, observation: Observation, user: User) -> None:
    _require_secretariat(user)
    observation._history_user = user
    observation.delete()
