"""Reporting rounds: the secretariat asks the partners for their figures, each partner answers in one return.

A return holds the partner's draft: its values for the round's indicators and
years, its mobility flows for those years and its answers to the narrative
questions. Nothing in it is public. Approving it writes the values as the
partner's observations and the flows as the partner's reported rows: from then
on, and only then, they are the public figures.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import AbstractUndeliveredEmail
from mobility.models import DeliveryMode, MobilityLevel, count_validators, counts_at_most_max
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, year_validators
from partners.models import Partner

# The longest a round may cover: a stocktaking asks for a few years, never a decade of backlog in one return.
MAX_ROUND_YEARS = 10


class Round(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(max_length=120, unique=True, help_text=_("For example: Stocktaking 2027."))
    slug = models.SlugField(max_length=120, unique=True)
    first_year = models.PositiveSmallIntegerField(validators=year_validators)
    last_year = models.PositiveSmallIntegerField(validators=year_validators)
    deadline = models.DateField()
    state = models.CharField(max_length=6, choices=State.choices, default=State.DRAFT, db_index=True)
    indicators = models.ManyToManyField(
        Indicator, related_name="rounds", limit_choices_to=~Q(aggregation=Indicator.Aggregation.ASEM),
        help_text=_("The indicators partners report in this round: only indicators partners report can be chosen."),
    )
    includes_flows = models.BooleanField(
        default=True, help_text=_("Partners also report their mobility flows for the round's years."))
    is_demo = models.BooleanField(default=False, db_index=True, help_text=_("Synthetic demonstration data."))
    opened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[indicators])

    class Meta:
        ordering = ["-deadline", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="round_years_in_order",
                violation_error_message=_("The last year cannot come before the first."),
            ),
            models.CheckConstraint(
                condition=Q(last_year__lt=F("first_year") + MAX_ROUND_YEARS), name="round_years_at_most_ten",
                violation_error_message=_("A round covers at most %(max)s years.") % {"max": MAX_ROUND_YEARS},
            ),
            models.CheckConstraint(
                condition=Q(first_year__gte=FIRST_YEAR) & Q(last_year__lte=LAST_YEAR), name="round_years_in_range",
                violation_error_message=_("The years must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reporting:round", args=[self.slug])

    def clean(self):
        errors = {}
        if self.first_year is not None and self.last_year is not None:
            if self.last_year < self.first_year:
                errors["last_year"] = _("The last year cannot come before the first.")
            elif self.last_year - self.first_year >= MAX_ROUND_YEARS:
                errors["last_year"] = _("A round covers at most %(max)s years.") % {"max": MAX_ROUND_YEARS}
        if errors:
            raise ValidationError(errors)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_past_deadline(self) -> bool:
        return timezone.localdate() > self.deadline


class Question(models.Model):
    """A narrative question of a round, such as the stocktaking's highlights, challenges, good practice and plans."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(help_text=_("Its place in the return: 1 comes first."))
    text = models.CharField(max_length=300)
    guidance = models.CharField(max_length=500, blank=True, help_text=_("What a good answer says, shown below it."))
    required = models.BooleanField(default=False, help_text=_("A return cannot be submitted without an answer."))

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="question_unique_number_in_round",
                                    violation_error_message=_("The round already has a question with that number.")),
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"


class Return(models.Model):
    """One partner's answer to one round: its values, flows and narratives, reviewed before any is public."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="returns")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="returns")
    state = models.CharField(max_length=9, choices=State.choices, default=State.DRAFT, db_index=True)
    review_note = models.TextField(blank=True, help_text=_("The secretariat's note when it returns the submission."))
    # Every save of the return's content adds one: a form or file read at one version cannot overwrite a later one.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False,
        help_text=_("The version the secretariat last approved: its answers are the partner's public ones."))
    is_demo = models.BooleanField(default=False, db_index=True, help_text=_("Synthetic demonstration data."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "partner"], name="return_unique_per_round_and_partner",
                                    violation_error_message=_("This partner already has a return in this round.")),
        ]

    def __str__(self):
        return f"{self.partner.name}, {self.round.name}"

    @property
    def is_editable(self) -> bool:
        """Focal points may change it: a draft, or a submission the secretariat returned, in an open round."""
        return self.state in (self.State.DRAFT, self.State.RETURNED) and self.round.state == Round.State.OPEN


class ReturnValue(models.Model):
    """A partner's value for one of the round's indicators and years, as it stands in its return."""

    report = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(validators=year_validators)
    value = models.FloatField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["indicator__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "year"], name="return_value_unique",
                                    violation_error_message=_("The return already has a value for that year.")),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.year}: {self.value:g}"


class Answer(models.Model):
    report = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["question__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "question"], name="answer_unique_per_question",
                                    violation_error_message=_("The return already answers this question.")),
        ]

    def __str__(self):
        return f"{self.question.number}: {self.text[:60]}"


class ReturnFlow(models.Model):
    """A mobility flow the partner reports in its return; approving the return makes it the partner's reported row."""

    report = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="flows")
    year = models.PositiveSmallIntegerField(validators=year_validators)
    origin = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.PHYSICAL)
    level = models.CharField(max_length=20, choices=MobilityLevel.choices)
    programme = models.CharField(max_length=200, blank=True, default="")
    participants = models.PositiveIntegerField(validators=count_validators)
    female = models.PositiveIntegerField(null=True, blank=True, validators=count_validators)
    fewer_opportunities = models.PositiveIntegerField(null=True, blank=True, validators=count_validators)
    source = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["year", "origin__name", "destination__name", "mode", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "year", "origin", "destination", "mode", "level", "programme"],
                name="return_flow_unique",
                violation_error_message=_(
                    "The return already has a flow for this year, origin, destination, mode, level and programme."),
            ),
            models.CheckConstraint(condition=~Q(origin=F("destination")), name="return_flow_two_partners",
                                   violation_error_message=_("The origin and the destination must differ.")),
            models.CheckConstraint(
                condition=counts_at_most_max("participants", "female", "fewer_opportunities"),
                name="return_flow_counts_at_most_max",
                violation_error_message=_("A count is too large."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.origin.code} → {self.destination.code} {self.mode} {self.level}: {self.participants}"


class Reminder(models.Model):
    """A reminder email sent to a partner's focal points: at most once per return and threshold."""

    report = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="reminders")
    threshold = models.CharField(
        max_length=20, help_text=_("Which reminder: 'before-7' is seven days before the deadline, 'after-3' three "
                                   "days after it, 'manual-…' one sent from the board."))
    recipients = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "threshold"], name="reminder_once_per_threshold",
                                    violation_error_message=_("This reminder was already sent.")),
        ]

    def __str__(self):
        return f"{self.threshold} to {self.report}"


class ReturnVersion(models.Model):
    """The return's content as one save left it: what its history shows, what a conflict is told, what revert restores.

    Version 0 is the return as the round opened it, prefilled with the partner's approved figures. The content is
    {"values": {"<indicator code>/<year>": value}, "answers": {"<question number>": text}, "flows": [row, ...]},
    partners by their codes, so a snapshot reads the same whatever happens to the rows it was taken from.
    """

    report = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=9, choices=Return.State.choices)
    reason = models.CharField(max_length=200, blank=True, help_text=_("How it was saved, when not from the form: "
                                                                     "prefilled, uploaded from a file, reverted."))
    content = models.JSONField(default=dict)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="return_version_unique",
                                    violation_error_message=_("The return already has a version with that number.")),
        ]

    def __str__(self):
        return f"{self.report} v{self.number}"


class UndeliveredReturnEmail(AbstractUndeliveredEmail):
    """A return's email the mail server did not take after every try, kept for the secretariat to send again."""

    about = "report"

    report = models.ForeignKey(Return, null=True, on_delete=models.SET_NULL, related_name="+")
