"""The data releases: numbered, dated packages of everything public, kept so any old one stays downloadable.

A package is kept in the database, in chunks (ReleaseChunk), not on a disk: the database is the one store every web
replica shares and the one `manage.py backup` keeps, and chunks let a build write and a download read a package of a
million flows a piece at a time, where one BinaryField would hold it whole in memory both ways.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reporting.models import Round


class DataRelease(models.Model):
    class State(models.TextChoices):
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    number = models.PositiveIntegerField(unique=True, editable=False, help_text=_("1, 2, 3...: never reused."))
    state = models.CharField(max_length=8, choices=State.choices, default=State.BUILDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("Who asked for it, when it was built on demand."))
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="releases",
        help_text=_("The round whose closing made it."))
    reason = models.CharField(max_length=300, blank=True, help_text=_("Why it was built, in the asker's words."))
    failure = models.TextField(blank=True, help_text=_("Why the build failed."))
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("The package's size in bytes."))
    sha256 = models.CharField(max_length=64, blank=True)
    has_demo = models.BooleanField(default=False, help_text=_("The package holds synthetic demonstration rows."))

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="ready") | (Q(size__isnull=False) & ~Q(sha256="")), name="release_ready_is_whole",
                violation_error_message=_("A ready release has its size and checksum."),
            ),
        ]

    def __str__(self):
        return _("Release %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return f"{reverse('opendata:data')}#release-{self.number}"

    @property
    def download_url(self) -> str:
        return reverse("opendata:download", args=[self.number])

    @property
    def sha256_parts(self) -> list[str]:
        """The checksum in pieces a narrow screen may wrap between, copied whole."""
        return [self.sha256[i:i + 16] for i in range(0, len(self.sha256), 16)]

    @property
    def why(self) -> str:
        """Why it was built, in words the public page shows: the round, or the secretariat's reason (who asked is
        the admin's to show, not the public's)."""
        if self.round_id:
            return str(_("%(round)s closed") % {"round": self.round.name})
        asked = str(_("Requested by the secretariat"))
        return f"{asked}: {self.reason}" if self.reason else asked


class ReleaseChunk(models.Model):
    """One piece of a release's package, in order."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["release", "index"]
        constraints = [
            models.UniqueConstraint(fields=["release", "index"], name="release_chunk_unique_index"),
        ]

    def __str__(self):
        return f"{self.release} chunk {self.index}"
