"""The strategy as data: its objectives, priorities, indicators and observations."""

import functools
import math
from collections import defaultdict
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.charts import number
from partners.models import Partner

FIRST_YEAR = 1990
LAST_YEAR = 2100
year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def year_asked(text: str) -> int | None:
    """A year given as text (a query's as_of), or None unless it is plain digits from FIRST_YEAR to LAST_YEAR.

    str.isdigit() is not enough: "²" passes it and int() refuses it, and so does a number thousands of digits long.
    """
    if len(text) > 9 or not text.isascii() or not text.isdigit():
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


class Strategy(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    vision = models.TextField()
    mission = models.TextField()
    start_year = models.PositiveSmallIntegerField(validators=year_validators)
    end_year = models.PositiveSmallIntegerField(validators=year_validators)
    source_document = models.CharField(max_length=300, help_text=_("The document the text is taken from."))
    source_url = models.URLField(blank=True)

    class Meta:
        verbose_name_plural = "strategies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gt=models.F("start_year")),
                name="strategy_end_after_start",
                violation_error_message=_("The end year must come after the start year."),
            ),
        ]

    def __str__(self):
        return self.title


class Objective(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("objectives:objective", args=[self.number])


priority_code_validator = RegexValidator(r"^\d+\.\d+$", _("Use the form objective.priority, for example 1.2."))


class Priority(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    code = models.CharField(max_length=10, unique=True, validators=[priority_code_validator])
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["objective__number", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["objective", "number"], name="priority_unique_number_per_objective"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Direction(models.IntegerChoices):
    HIGHER_IS_BETTER = 1, _("Higher is better")
    LOWER_IS_BETTER = -1, _("Lower is better")


class Status(models.TextChoices):
    """The statuses of the progress method, best first."""

    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    MODERATE = "moderate", _("Moderate progress")
    LIMITED = "limited", _("Limited progress")
    DETERIORATION = "deterioration", _("Deterioration")
    INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")


indicator_code_validator = RegexValidator(
    r"^\d+\.\d+\.[a-z0-9]+$", _("Use the form objective.priority.letter, for example 1.1.a.")
)


class Indicator(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        COMPUTED = "computed", _("Computed from the portal's data")

    class Kind(models.TextChoices):
        COUNT = "count", _("A count: whole numbers, and its breakdowns add up to the total")
        PERCENTAGE = "percentage", _("A percentage, to one decimal")
        MEASURE = "measure", _("Another measure, such as a ratio or an average, to two decimals")

    class Aggregation(models.TextChoices):
        """How partners' own values make the ASEM value, for an indicator partners report."""

        ASEM = "asem", _("ASEM-level only: partners do not report it")
        SUM = "sum", _("The sum of the partners' values (participants, for example)")
        MEAN = "mean", _("The simple mean of the partners that reported (a share or a score)")
        COUNT = "count", _("How many partners meet a condition (a yes/no question: 1 is yes)")

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField(max_length=20, unique=True, validators=[indicator_code_validator])
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=60, help_text=_("For example: participants, %, ratio."))
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.MEASURE,
        help_text=_("What the values are: it sets the precision they are shown and compared at, and whether "
                    "breakdowns must add up to the total."),
    )
    aggregation = models.CharField(
        max_length=5, choices=Aggregation.choices, default=Aggregation.ASEM,
        help_text=_("Whether partners report this indicator in rounds, and how their approved values make the ASEM "
                    "value. Any choice but ASEM-level only makes the ASEM series computed from the partners'."),
    )
    count_at_least = models.FloatField(
        default=1.0, help_text=_("For a count of partners: a partner counts when its value is at least this "
                                 "(1 for a yes, when yes is 1 and no is 0)."),
    )
    direction = models.SmallIntegerField(choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    baseline_year = models.PositiveSmallIntegerField(validators=year_validators)
    baseline_value = models.FloatField()
    target_year = models.PositiveSmallIntegerField(default=2030, validators=year_validators)
    target_value = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    metric = models.CharField(
        max_length=100, blank=True, help_text=_("The registered metric that computes this indicator's values.")
    )
    data_source = models.CharField(max_length=300, blank=True, help_text=_("Where hand-entered values come from."))
    source_url = models.URLField(blank=True, help_text=_("A link to the published source of the values."))
    coverage_note = models.TextField(
        blank=True, help_text=_("Which partners or years the source covers, said wherever the figures are shown."))
    methodology = models.TextField(blank=True)
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0)])
    status_override = models.CharField(max_length=20, choices=Status.choices, blank=True)
    override_reason = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False, db_index=True, help_text=_("Synthetic demonstration data."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__gt=models.F("baseline_year")),
                name="indicator_target_after_baseline",
                violation_error_message=_("The target year must come after the baseline year."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="indicator_weight_not_negative",
                violation_error_message=_("The weight cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(status_override="") | ~Q(override_reason=""),
                name="indicator_override_has_reason",
                violation_error_message=_("A manual status override needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(source="manual") | ~Q(metric=""),
                name="indicator_computed_has_metric",
                violation_error_message=_("A computed indicator needs a metric."),
            ),
            models.CheckConstraint(
                condition=Q(aggregation="asem") | Q(source="manual"),
                name="indicator_partner_reported_is_manual",
                violation_error_message=_("An indicator partners report cannot also be computed from a metric."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return indicator_address(self.code, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)

    def clean(self):
        errors = {}
        if self.status_override and not self.override_reason.strip():
            errors["override_reason"] = _("A manual status override needs a reason.")
        if self.source == self.Source.COMPUTED and not self.metric:
            errors["metric"] = _("A computed indicator needs a metric.")
        if self.target_year is not None and self.baseline_year is not None and self.target_year <= self.baseline_year:
            errors["target_year"] = _("The target year must come after the baseline year.")
        if self.is_partner_reported and self.source == self.Source.COMPUTED:
            errors["aggregation"] = _("An indicator partners report cannot also be computed from a metric.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_partner_reported(self) -> bool:
        """Partners report their own values, and the ASEM series is made from the approved ones."""
        return self.aggregation != self.Aggregation.ASEM

    @property
    def decimals(self) -> int:
        """The precision of its values: two values equal at it are the same value."""
        return KIND_DECIMALS[self.kind]

    def at_precision(self, value: float | None) -> float | int | None:
        """A value as it is shown and compared: a count as a whole number."""
        if value is None:
            return None
        return round(value) if self.decimals == 0 else round(value, self.decimals)

    def breakdown_problems(self, year: int, values: Mapping[str, float], *, changed: str | None = None) -> list[str]:
        """What is wrong with one year of a count's values, {breakdown: value} with "" for the total, in words.

        The parts of a count never add up to more than its total, and a complete
        set of parts (Asia and Europe) adds up to it exactly, at the count's
        precision. Other kinds need not add up: the regions' percentages or
        averages do not sum to the whole's. With ``changed``, only the
        breakdown key it belongs to is checked (every key for the total).
        """
        total = values.get("")
        if self.kind != Indicator.Kind.COUNT or total is None:
            return []
        parts: dict[str, dict[str, float]] = defaultdict(dict)
        for breakdown, value in values.items():
            if breakdown:
                key, _sep, part = breakdown.partition("=")
                parts[key][part] = value
        only = changed.partition("=")[0] if changed else None
        problems = []
        for key, shares in sorted(parts.items()):
            if only is not None and key != only:
                continue
            summed, whole = self.at_precision(sum(shares.values())), self.at_precision(total)
            figures = {"key": key.replace("_", " "), "year": year, "sum": f"{summed:,}", "total": f"{whole:,}",
                       "unit": self.unit}
            if summed > whole:
                problems.append(_("The parts by %(key)s of %(year)s add up to %(sum)s %(unit)s, more than the total of "
                                  "%(total)s: the parts of a count cannot exceed its total.") % figures)
            elif set(shares) >= COMPLETE_BREAKDOWNS.get(key, {None}) and summed != whole:
                problems.append(_("The parts by %(key)s of %(year)s add up to %(sum)s %(unit)s, not the total of "
                                  "%(total)s: together they make the whole, so they must add up to it.") % figures)
        return problems


@functools.lru_cache(maxsize=4096)
def indicator_address(code: str, script_prefix: str, urlconf: str) -> str:
    """An indicator page's address, reversed once for each code, prefix and URL configuration: the progress chart
    and an objective's page link hundreds."""
    return reverse("objectives:indicator", args=[code], urlconf=urlconf)  # under script_prefix, the key's part


# The values of a breakdown that make a whole: every ASEM partner is in Asia or in Europe.
COMPLETE_BREAKDOWNS = {"region": {"asia", "europe"}}
KIND_DECIMALS = {Indicator.Kind.COUNT: 0, Indicator.Kind.PERCENTAGE: 1, Indicator.Kind.MEASURE: 2}


breakdown_validator = RegexValidator(
    r"^([a-z_]+=[a-z0-9_\-]+)?$", _("Use the form key=value, for example region=asia, or leave it empty.")
)


class Observation(models.Model):
    """One value of an indicator for one year: for ASEM as a whole (no partner), or for one partner."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="observations",
        help_text=_("Empty for ASEM as a whole; a partner for the value it reported (and the secretariat approved)."),
    )
    year = models.PositiveSmallIntegerField(validators=year_validators)
    value = models.FloatField()
    breakdown = models.CharField(
        max_length=60, blank=True, default="", validators=[breakdown_validator],
        help_text=_("Empty for the headline series, or key=value such as region=asia."),
    )
    is_computed = models.BooleanField(
        default=False, help_text=_("Written by the engine: from a registered metric, or from the partners' values."))
    coverage = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text=_("For an ASEM value made from partners' values: how many partners it rests on."),
    )
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(
        max_length=300, blank=True,
        help_text=_("Where this value comes from when not the indicator's own source: an imported file, for example."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__code", "partner__code", "breakdown", "year"]
        indexes = [
            # The admin's year filter probes it a year at a time, where DISTINCT would read every value.
            models.Index(fields=["year"], name="observation_year"),
            # The breakdowns in use (the SDMX structure's code list): a few rows, not every headline value.
            models.Index(fields=["breakdown"], condition=~Q(breakdown=""), name="observation_breakdowns"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "breakdown"], condition=Q(partner__isnull=True),
                name="observation_unique_per_year_and_breakdown",
                violation_error_message=_("This indicator already has a value for that year and breakdown."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "partner", "year", "breakdown"], condition=Q(partner__isnull=False),
                name="observation_unique_per_partner_year_and_breakdown",
                violation_error_message=_(
                    "This indicator already has a value from that partner for that year and breakdown."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="observation_year_in_range",
                violation_error_message=_("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            ),
        ]

    def __str__(self):
        suffix = f" [{self.breakdown}]" if self.breakdown else ""
        who = f" {self.partner.code}" if self.partner_id else ""
        return f"{self.indicator.code}{who} {self.year}{suffix}: {self.value_shown}"

    @property
    def value_shown(self) -> str:
        """The value as people read it: at its indicator's precision, thousands separated (34,153, not 34153.0)."""
        return number(self.indicator.at_precision(self.value), self.indicator.decimals)

    def clean(self):
        """Beyond its own fields, for the admin, the API and the loaders: a count is a whole number, and its
        breakdowns add up with the other values of that year."""
        if self.indicator_id is None:
            return
        indicator = self.indicator
        if indicator.kind != Indicator.Kind.COUNT or self.value is None or self.year is None:
            return
        if not math.isfinite(self.value) or self.value != round(self.value):
            raise ValidationError({"value": _("%(code)s is a count of %(unit)s: give a whole number.") % {
                "code": indicator.code, "unit": indicator.unit}})
        if getattr(self, "breakdowns_checked_by_formset", False):
            return  # the admin's formset checks them against the rows as submitted
        values = dict(
            Observation.objects.filter(indicator=indicator, partner=self.partner_id, year=self.year).exclude(pk=self.pk)
            .values_list("breakdown", "value")
        )
        values[self.breakdown] = self.value
        problems = indicator.breakdown_problems(self.year, values, changed=self.breakdown)
        if problems:
            raise ValidationError({"value": problems})


class PartnerTarget(models.Model):
    """A partner's own target on an indicator it reports; without one, its status follows the no-target thresholds."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="partner_targets")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="targets")
    target_year = models.PositiveSmallIntegerField(default=2030, validators=year_validators)
    target_value = models.FloatField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__code", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "partner"], name="partner_target_unique",
                violation_error_message=_("This partner already has a target on this indicator."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.partner.code}: {self.target_value:g} by {self.target_year}"
