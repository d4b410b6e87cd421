"""The open-data licence and citation, which the secretariat sets in the admin (core/licence.py states them)."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import licence

CACHE_KEY = "opendata:licence:1"
# Stored when no licence has been set, so the default too is known without asking the database again.
UNSET = "unset"


def _one_line(value: str) -> str:
    return " ".join(value.split())


class OpenDataLicence(models.Model):
    """The one licence the portal's figures are published under, and how to cite them: one row, never deleted."""

    name = models.CharField(_("licence"), max_length=100, default=licence.DEFAULT.name,
                            help_text=_("Its short name, as pages and files state it, such as CC BY 4.0."))
    url = models.URLField(_("licence address"), max_length=300, default=licence.DEFAULT.url,
                          help_text=_("Where the licence's text is published."))
    citation = models.CharField(_("citation"), max_length=500, default=licence.DEFAULT.citation,
                                help_text=_("How to cite the portal's data, as plain text on one line."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("open-data licence")
        verbose_name_plural = _("open-data licence")

    def __str__(self):
        return self.name

    def clean(self):
        # One line each: every file and header states them on a single line.
        self.name, self.citation = _one_line(self.name), _one_line(self.citation)
        if not self.name:
            raise ValidationError({"name": _("Give the licence's name.")})
        if not self.citation:
            raise ValidationError({"citation": _("Give the text to cite the data with.")})
        if self.pk is None and OpenDataLicence.objects.exists():
            raise ValidationError(_("The licence is already set: change it instead of adding another."))

    def as_licence(self) -> licence.Licence:
        return licence.Licence(name=self.name, url=self.url, citation=self.citation)


def stored_licence() -> licence.Licence | None:
    """The licence the secretariat set, from the cache; from the database only when the cache has lost it.

    Every page and API response states the licence, so reading it must cost no query: the cache holds it (or
    UNSET) and a save replaces it (asem_portal/apps.py).
    """
    found = cache.get(CACHE_KEY)
    if found is None:
        row = OpenDataLicence.objects.first()
        found = row.as_licence() if row is not None else UNSET
        cache.set(CACHE_KEY, found)
    return None if found == UNSET else found


def remember(instance: OpenDataLicence) -> None:
    cache.set(CACHE_KEY, instance.as_licence())
