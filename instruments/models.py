"""The strategy's six instruments and working methods, with their aims."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse


class Instrument(models.Model):
    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("instruments:instrument", args=[self.slug])


class Aim(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="aims")
    order = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["instrument__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "order"], name="aim_unique_order_per_instrument"),
        ]

    def __str__(self):
        return self.text
