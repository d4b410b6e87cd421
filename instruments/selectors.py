"""Reads of the instruments shared by pages, the API and exports."""

from instruments.models import Instrument


def instrument_list():
    return Instrument.objects.prefetch_related("aims")
