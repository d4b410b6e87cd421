"""Partners, organisations, their activities and the mobility between Asia and Europe."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import AbstractUndeliveredEmail
from instruments.models import Instrument
from objectives.models import FIRST_YEAR, LAST_YEAR, Objective, Priority, year_validators
from partners.models import DIRECTION_REGIONS, Direction, Partner, Region, partner_code_validator  # noqa: F401

# The most people a count may say: a flow's participants (and of them female, with fewer opportunities) and an
# activity's. Far above any real figure (no route moves a million people a year), and low enough that
# the sum of a billion counts stays inside a 64-bit integer: no total overflows, on SQLite or PostgreSQL. The
# forms, the API and uploads read it from these fields' validators; the database holds it as a check.
MAX_COUNT = 10_000_000
count_validators = [
    MaxValueValidator(MAX_COUNT, _("At most %(max)s: no count may be larger.") % {"max": f"{MAX_COUNT:,}"})
]


def counts_at_most_max(*fields: str) -> Q:
    return Q(*[Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": MAX_COUNT}) for name in fields])


def direction_lookup(direction: str) -> Q:
    """What selects the flows (or route totals) going in a direction, by their partners' regions."""
    origin, destination = DIRECTION_REGIONS[direction]
    return Q(origin__region=origin, destination__region=destination)


class DeliveryMode(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    BLENDED = "blended", _("Blended")
    VIRTUAL = "virtual", _("Virtual")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ASEM_BODY = "asem_body", _("ASEM body")
        REGIONAL = "regional", _("Regional organisation")
        NETWORK = "network", _("Network or association")
        QUALITY_ASSURANCE = "quality_assurance", _("Quality assurance body")
        STUDENT = "student", _("Student organisation")
        INSTITUTION = "institution", _("Education institution")
        GOVERNMENT = "government", _("Ministry or agency")
        OTHER = "other", _("Other")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="organisations",
        help_text=_("The partner the organisation is based in, if any."),
    )
    is_demo = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class PartnerMembership(models.Model):
    """Links a focal point's account to a partner they report for."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="membership_unique_user_partner"),
        ]

    def __str__(self):
        return f"{self.user} for {self.partner}"


class Activity(models.Model):
    class Type(models.TextChoices):
        MINISTERIAL_MEETING = "ministerial_meeting", _("Ministerial meeting")
        SENIOR_OFFICIALS_MEETING = "senior_officials_meeting", _("Senior officials' meeting")
        CONFERENCE = "conference", _("Conference or seminar")
        PROJECT = "project", _("Project")
        PROGRAMME = "programme", _("Programme or scholarship")
        STUDY = "study", _("Study or report")
        NETWORK = "network", _("Network")
        TRAINING = "training", _("Training")
        CALL = "call", _("Call for proposals")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class State(models.TextChoices):
        """Where the activity stands in review: only published ones are public."""

        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    activity_type = models.CharField(max_length=30, choices=Type.choices, default=Type.OTHER, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    review_note = models.TextField(blank=True, help_text=_("The secretariat's note when it returns a submission."))
    start_date = models.DateField(null=True, blank=True, db_index=True)
    end_date = models.DateField(null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=year_validators, db_index=True,
        help_text=_("Filled from the start date; set it alone when only the year is known."),
    )
    end_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=year_validators)
    place = models.CharField(max_length=200, blank=True, help_text=_("City and country, or empty when online."))
    online = models.BooleanField(default=False)
    delivery_mode = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.PHYSICAL)
    lead_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="activities_led"
    )
    lead_description = models.CharField(
        max_length=300, blank=True, help_text=_("Who leads it, in words, where it is more than one partner.")
    )
    partners = models.ManyToManyField(Partner, blank=True, related_name="activities_joined")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="activities")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="activities")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="activities")
    instruments = models.ManyToManyField(Instrument, blank=True, related_name="activities")
    participants_asia = models.PositiveIntegerField(null=True, blank=True, validators=count_validators)
    participants_europe = models.PositiveIntegerField(null=True, blank=True, validators=count_validators)
    website = models.URLField(blank=True)
    source_url = models.URLField(blank=True, help_text=_("Where the facts about this activity were published."))
    outcomes = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False, db_index=True, help_text=_("Synthetic demonstration data."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    history = HistoricalRecords(m2m_fields=[partners, organisations, objectives, priorities, instruments])

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(start_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="activity_end_year_not_before_start_year",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
            models.CheckConstraint(
                condition=counts_at_most_max("participants_asia", "participants_europe"),
                name="activity_participants_at_most_max_count",
                violation_error_message=_("No count of participants may be above %(max)s.") % {"max": f"{MAX_COUNT:,}"},
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-start_date"], name="activity_state_start"),
            # What the lists' filters and counts read of each published activity: a count of a filtered list reads
            # this narrow index (PostgreSQL) and never the wide rows with their descriptions. Migration 0011 adds
            # the lists' two orders on PostgreSQL (newest first, latest published): SQLite cannot index NULLS LAST.
            models.Index(
                fields=["id"], include=["lead_partner", "activity_type", "status", "delivery_mode", "start_year",
                                        "end_year", "is_demo"],
                condition=Q(state="published"), name="activity_published_filters",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("mobility:activity", args=[self.slug])

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The end year cannot be before the start year.")
        if self.start_date and self.start_year and self.start_date.year != self.start_year:
            errors["start_year"] = _("The start year must be the year of the start date.")
        if errors:
            raise ValidationError(errors)

    @property
    def participants_total(self) -> int | None:
        if self.participants_asia is None and self.participants_europe is None:
            return None
        return (self.participants_asia or 0) + (self.participants_europe or 0)


def _in_words(label: str) -> str:
    """A choice's label inside a sentence: lower case, but an acronym (TVET) as it is."""
    return label if label.isupper() else label[:1].lower() + label[1:]


class MobilityLevel(models.TextChoices):
    HIGHER_EDUCATION = "higher_education", _("Higher education")
    TVET = "tvet", _("TVET")
    SCHOOL = "school", _("School")
    ADULT_LEARNING = "adult_learning", _("Adult learning")
    STAFF = "staff", _("Staff")
    RESEARCHERS = "researchers", _("Researchers")


class MobilityFlow(models.Model):
    """Aggregated count of people moving from one partner to another in a year, as one end of the route reported it.

    Each row names the partner that reported it (reported_by: the origin or the destination); only that partner's
    return, or the secretariat, changes it. Both ends may report the same year, route, mode, level and programme,
    and both rows are kept. Which is public follows the host-country rule (as UNESCO counts inbound students where
    they study): a row is public unless the origin reported it and the destination reported the same key too.
    Public pages, sums and computed indicators read public rows only (mobility.services.settle_public keeps
    is_public; mobility.selectors.flow_conflicts lists where the two ends differ). docs/methodology.md says why.
    """

    year = models.PositiveSmallIntegerField(validators=year_validators)
    origin = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outgoing_flows")
    # flow_destination_year below leads with the destination, so a second index on it alone would only cost writes.
    destination = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="incoming_flows", db_index=False
    )
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.PHYSICAL)
    level = models.CharField(max_length=20, choices=MobilityLevel.choices)
    participants = models.PositiveIntegerField(validators=count_validators)
    female = models.PositiveIntegerField(
        null=True, blank=True, validators=count_validators, help_text=_("Of the participants, how many female.")
    )
    fewer_opportunities = models.PositiveIntegerField(
        null=True, blank=True, validators=count_validators,
        help_text=_("Of the participants, how many with fewer opportunities."),
    )
    programme = models.CharField(max_length=200, blank=True, default="")
    source = models.CharField(max_length=300, blank=True)
    reported_by = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="reported_flows", db_index=False,
        help_text=_("The end of the route that reported the row: only its focal points (and the secretariat) may "
                    "change it. The origin and the destination may each report a route."),
    )
    is_public = models.BooleanField(
        default=True, editable=False,
        help_text=_("Whether the row is the public figure for its year, route, mode, level and programme: when both "
                    "ends report it, the host country's (the destination's) row is, and the other is kept beside it."),
    )
    # Indexed below only where set: the few demo rows and the rows users reported are all that is looked up.
    is_demo = models.BooleanField(default=False, help_text=_("Synthetic demonstration data."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "origin__name", "destination__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin=F("destination")), name="flow_origin_not_destination",
                violation_error_message=_("The origin and the destination must be different partners."),
            ),
            models.CheckConstraint(
                condition=Q(female__isnull=True) | Q(female__lte=F("participants")),
                name="flow_female_not_above_participants",
                violation_error_message=_("Female participants cannot outnumber all participants."),
            ),
            models.CheckConstraint(
                condition=Q(fewer_opportunities__isnull=True) | Q(fewer_opportunities__lte=F("participants")),
                name="flow_fewer_opportunities_not_above_participants",
                violation_error_message=_("Participants with fewer opportunities cannot outnumber all participants."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="flow_year_in_range",
                violation_error_message=_("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            ),
            models.CheckConstraint(
                condition=counts_at_most_max("participants", "female", "fewer_opportunities"),
                name="flow_counts_at_most_max_count",
                violation_error_message=_("No count of participants may be above %(max)s.") % {"max": f"{MAX_COUNT:,}"},
            ),
            models.UniqueConstraint(
                fields=["year", "origin", "destination", "mode", "level", "programme", "reported_by"],
                name="flow_unique_per_reporter_year_route_mode_level_programme",
                violation_error_message=_(
                    "This partner already reported a flow for this year, origin, destination, mode, level and "
                    "programme."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reported_by=F("origin")) | Q(reported_by=F("destination")),
                name="flow_reported_by_an_end",
                violation_error_message=_("A flow is reported by its origin or its destination."),
            ),
        ]
        indexes = [
            models.Index(fields=["destination", "year"], name="flow_destination_year"),
            models.Index(fields=["level", "year"], name="flow_level_year"),
            models.Index(fields=["is_demo"], condition=Q(is_demo=True), name="flow_demo"),
            models.Index(fields=["created_by"], condition=Q(created_by__isnull=False), name="flow_created_by"),
            models.Index(fields=["reported_by", "year"], name="flow_reported_by_year"),
            models.Index(fields=["is_public"], condition=Q(is_public=False), name="flow_not_public"),
            # The admin's list, newest year first (MobilityFlowAdmin.ordering): a page without sorting every row.
            models.Index(fields=["year", "id"], name="flow_year_id"),
        ]

    def __str__(self):
        """What people read (history titles, the admin): partners' codes and words, never database ids."""
        return (f"{self.year} {self.origin.code} → {self.destination.code}, {_in_words(self.get_mode_display())}, "
                f"{_in_words(self.get_level_display())}: {self.participants:,}")

    def clean(self):
        errors = {}
        if self.origin_id and self.origin_id == self.destination_id:
            errors["destination"] = _("The origin and the destination must be different partners.")
        if self.reported_by_id and self.reported_by_id not in (self.origin_id, self.destination_id):
            errors["reported_by"] = _("A flow is reported by its origin or its destination.")
        if self.participants is not None:
            if self.female is not None and self.female > self.participants:
                errors["female"] = _("Female participants cannot outnumber all participants.")
            if self.fewer_opportunities is not None and self.fewer_opportunities > self.participants:
                errors["fewer_opportunities"] = _(
                    "Participants with fewer opportunities cannot outnumber all participants."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def direction(self) -> Direction:
        return Direction.between(self.origin.region, self.destination.region)


class FlowTotal(models.Model):
    """The flows summed per year, direction, mode and level: what most summaries read instead of every flow.

    Written whole by mobility/totals.py, and read only while FlowTotalState says
    it is current; nobody edits it.
    """

    year = models.PositiveSmallIntegerField()
    # Null only for a flow whose partners' regions name no direction, as the flows' own summary has it.
    direction = models.CharField(max_length=20, choices=Direction.choices, null=True)
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices)
    level = models.CharField(max_length=20, choices=MobilityLevel.choices)
    participants = models.PositiveBigIntegerField(null=True)
    female = models.PositiveBigIntegerField(null=True)
    fewer_opportunities = models.PositiveBigIntegerField(null=True)
    flows = models.PositiveIntegerField()

    class Meta:
        ordering = ["year", "direction", "mode", "level"]

    def __str__(self):
        return f"{self.year} {self.direction} {self.mode} {self.level}: {self.participants}"


class RouteTotal(models.Model):
    """The flows summed per year and route: what a partner's page, the largest corridors and summaries by
    partner read instead of every flow. Written whole by mobility/totals.py with FlowTotal, under the same state."""

    year = models.PositiveSmallIntegerField()
    origin = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    participants = models.PositiveBigIntegerField(null=True)
    female = models.PositiveBigIntegerField(null=True)
    fewer_opportunities = models.PositiveBigIntegerField(null=True)
    flows = models.PositiveIntegerField()
    demo_flows = models.PositiveIntegerField(help_text=_("Of the flows, how many are synthetic demonstration data."))

    class Meta:
        ordering = ["year", "origin_id", "destination_id"]

    def __str__(self):
        return f"{self.year} {self.origin_id}→{self.destination_id}: {self.participants}"


class PartnerTotal(models.Model):
    """One partner's flows in and out per year, mode and level: what its profile reads instead of every flow to and
    from it. Written whole by mobility/totals.py with FlowTotal, under the same state."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices)
    level = models.CharField(max_length=20, choices=MobilityLevel.choices)
    incoming = models.PositiveBigIntegerField(help_text=_("Participants who came to the partner."))
    outgoing = models.PositiveBigIntegerField(help_text=_("Participants who left the partner."))
    demo_flows = models.PositiveIntegerField(
        help_text=_("Of its flows in and out, how many are synthetic demonstration data."))

    class Meta:
        ordering = ["partner_id", "year", "mode", "level"]

    def __str__(self):
        return f"{self.partner_id} {self.year} {self.mode} {self.level}: {self.incoming} in, {self.outgoing} out"


class FlowTotalState(models.Model):
    """Whether FlowTotal, RouteTotal and PartnerTotal are current: one row, whose version every change of flows or
    partners bumps.

    A rebuild records the version it started from as built_version; the totals
    answer only while the two are equal.
    """

    version = models.PositiveBigIntegerField(default=0)
    built_version = models.PositiveBigIntegerField(null=True)
    built_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"flow totals: version {self.version}, built from {self.built_version}"


class UndeliveredEmail(AbstractUndeliveredEmail):
    """A review email the mail server did not take after every try: the secretariat sees it in the admin and sends it
    again from there, so an activity's submission, return or approval is never told of silently to nobody."""

    about = "activity"

    activity = models.ForeignKey(Activity, null=True, on_delete=models.SET_NULL, related_name="+")


class ActivityCount(models.Model):
    """How many published activities there are in all, and each partner leads and joins, each objective and each
    instrument has, and of them how many are demonstration data: what the lists of partners, objectives and
    instruments read instead of counting every activity. Written whole by mobility/activity_counts.py, and read
    only while ActivityCountState says it is current."""

    class Kind(models.TextChoices):
        ALL = "all", _("All published activities")
        LED = "led", _("Led by the partner")
        JOINED = "joined", _("Joined by the partner")
        OBJECTIVE = "objective", _("Serving the objective")
        INSTRUMENT = "instrument", _("Using the instrument")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    partner = models.ForeignKey(Partner, null=True, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, null=True, on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, null=True, on_delete=models.CASCADE, related_name="+")
    activities = models.PositiveIntegerField()
    demo = models.PositiveIntegerField(help_text=_("Of the activities, how many are synthetic demonstration data."))

    class Meta:
        ordering = ["kind", "partner_id", "objective_id", "instrument_id"]
        indexes = [models.Index(fields=["kind", "partner"], name="activity_count_by_partner")]

    def __str__(self):
        return f"{self.kind} {self.partner_id or self.objective_id or self.instrument_id or ''}: {self.activities}"


class ActivityCountState(models.Model):
    """Whether ActivityCount is current: one row, whose version every change of an activity or of its partners,
    objectives and instruments bumps. A rebuild records the version it started from as built_version; the counts
    answer only while the two are equal."""

    version = models.PositiveBigIntegerField(default=0)
    built_version = models.PositiveBigIntegerField(null=True)
    built_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"activity counts: version {self.version}, built from {self.built_version}"
