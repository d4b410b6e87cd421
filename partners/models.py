"""The 53 partners of the ASEM Education Process and the two regions they belong to.

Everything else reports about, for or between partners, so they sit below every app that does.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")


class Direction(models.TextChoices):
    """Where a flow goes, following from its partners' regions."""

    ASIA_TO_EUROPE = "asia_to_europe", _("Asia to Europe")
    EUROPE_TO_ASIA = "europe_to_asia", _("Europe to Asia")
    WITHIN_ASIA = "within_asia", _("Within Asia")
    WITHIN_EUROPE = "within_europe", _("Within Europe")

    @classmethod
    def between(cls, origin_region: str, destination_region: str) -> "Direction":
        return next(d for d, regions in DIRECTION_REGIONS.items() if regions == (origin_region, destination_region))


# The regions each direction runs between: the one place the model, the filters and the selectors read it.
DIRECTION_REGIONS = {
    Direction.ASIA_TO_EUROPE: (Region.ASIA, Region.EUROPE),
    Direction.EUROPE_TO_ASIA: (Region.EUROPE, Region.ASIA),
    Direction.WITHIN_ASIA: (Region.ASIA, Region.ASIA),
    Direction.WITHIN_EUROPE: (Region.EUROPE, Region.EUROPE),
}


partner_code_validator = RegexValidator(
    r"^([A-Z]{2}|EU|ASEAN)$", _("Use the ISO 3166 alpha-2 code in capitals, or EU or ASEAN.")
)


class Partner(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        ORGANISATION = "organisation", _("Organisation")

    code = models.CharField(max_length=5, unique=True, validators=[partner_code_validator])
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=6, choices=Region.choices, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COUNTRY)

    class Meta:
        # The table the partners were first made in, when they belonged to mobility: moving them down kept it.
        db_table = "mobility_partner"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:partner", args=[self.code])
