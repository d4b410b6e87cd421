"""Abstract models the apps make their own tables from. Core is no app: it holds no table, and knows none of theirs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AbstractUndeliveredEmail(models.Model):
    """An email the mail server did not take after every try (core.emails.send_or_keep): the secretariat sees it in
    the admin and sends it again from there, so nothing is told of silently to nobody.

    A table made from it adds the foreign key to what the email tells of, null once that is deleted, and names it
    in ``about``.
    """

    about: str

    event = models.CharField(max_length=20, help_text=_("submitted, returned or approved"))
    recipients = models.TextField(help_text=_("The addresses it did not reach."))
    subject = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=500, help_text=_("What the mail server answered the last time."))
    attempts = models.PositiveSmallIntegerField(default=1)
    failed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.subject or self.event} to {self.recipients}"

    @property
    def addresses(self) -> list[str]:
        return [address.strip() for address in self.recipients.split(",") if address.strip()]

    @property
    def about_id(self) -> int | None:
        return getattr(self, f"{self.about}_id")

    @classmethod
    def keep(cls, about_pk: int, event: str, *, addresses: list[str], subject: str, error: Exception,
             attempts: int):
        """Keep an email that could not be sent where the secretariat sees it."""
        about = cls._meta.get_field(cls.about).related_model._default_manager.filter(pk=about_pk).first()
        return cls.objects.create(
            **{cls.about: about}, event=event, recipients=", ".join(addresses), subject=subject[:300],
            error=f"{type(error).__name__}: {error}"[:500], attempts=attempts,
        )
