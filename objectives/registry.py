"""What other apps register with objectives from their AppConfig.ready(): computed indicators' metrics, and the
activities that serve each objective (related_activities, for the objectives' pages).

A metric turns the portal's live data into a yearly series, ``{year: value}``,
for the headline series of every indicator whose ``metric`` names it. The
``objectives`` app never imports the apps that feed it: they call
``metrics.register(...)`` when Django starts, for example::

    from objectives.registry import metrics

    metrics.register("mobility.female_share", female_share, label="Female share of mobility", unit="%")
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from core.related import RelatedItems

Series = Mapping[int, float]


@dataclass(frozen=True)
class Metric:
    key: str
    compute: Callable[[], Series]
    label: str
    unit: str = ""
    description: str = ""


class UnknownMetric(KeyError):
    pass


class MetricRegistry:
    def __init__(self):
        self._metrics: dict[str, Metric] = {}

    def register(self, key: str, compute: Callable[[], Series], *, label: str, unit: str = "",
                 description: str = "") -> Metric:
        existing = self._metrics.get(key)
        if existing is not None and _name(existing.compute) != _name(compute):
            raise ImproperlyConfigured(
                f"The metric {key!r} is registered twice: by {_name(existing.compute)} and by {_name(compute)}."
            )
        metric = Metric(key=key, compute=compute, label=label, unit=unit, description=description)
        self._metrics[key] = metric
        return metric

    def unregister(self, key: str) -> None:
        self._metrics.pop(key, None)

    def get(self, key: str) -> Metric:
        try:
            return self._metrics[key]
        except KeyError:
            raise UnknownMetric(key) from None

    def __contains__(self, key: str) -> bool:
        return key in self._metrics

    def keys(self) -> list[str]:
        return sorted(self._metrics)

    def choices(self) -> list[tuple[str, str]]:
        """(key, "key: label") pairs for a form's choices."""
        return [(key, f"{key}: {self._metrics[key].label}") for key in self.keys()]


def _name(function: Callable) -> str:
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', repr(function))}"


metrics = MetricRegistry()


def validate_metric(key: str) -> None:
    """The rule for Indicator.metric, for forms and serializers: a key some app registers."""
    if key and key not in metrics:
        raise ValidationError(
            _("No app registers the metric %(key)s. Choose one of: %(keys)s."),
            params={"key": key, "keys": ", ".join(metrics.keys()) or _("none yet")}, code="unknown_metric",
        )


# The published activities that serve each objective, keyed by its number; mobility fills it.
related_activities = RelatedItems()
