"""The report's period, read from ?from=YEAR&to=YEAR: one rule for the page, the downloads and the API."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from objectives.models import FIRST_YEAR, LAST_YEAR
from reports.data import Period, default_period

YEAR_MESSAGE = _("Give a year from %(first)s to %(last)s, such as 2024.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def _year_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR,
        error_messages={"invalid": YEAR_MESSAGE, "min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE},
        widget=forms.NumberInput(attrs={"min": FIRST_YEAR, "max": LAST_YEAR, "step": 1, "inputmode": "numeric"}),
    )


class PeriodForm(forms.Form):
    """from and to, both years and both optional.

    Without either, the last two full years. With from alone, from to the
    last full year (or to from, if from is later); with to alone, the two
    years ending with it.
    """

    def __init__(self, data, *, today: datetime.date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = _year_field(_("From"))
        self.fields["to"] = _year_field(_("To"))
        self.default = default_period(today)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if self.errors:
            return cleaned
        if start is None and end is None:
            start, end = self.default.start, self.default.end
        elif end is None:
            end = max(start, self.default.end)
        elif start is None:
            start = max(end - (self.default.years - 1), FIRST_YEAR)
        if start > end:
            self.add_error("to", _("The period cannot end before it starts: to (%(end)s) is before from "
                                   "(%(start)s).") % {"start": start, "end": end})
            return cleaned
        cleaned["period"] = Period(start, end)
        # The fields show the period the report covers, also where it was left to the defaults.
        self.data = self.data.copy()
        self.data["from"], self.data["to"] = str(start), str(end)
        return cleaned

    @property
    def period(self) -> Period:
        """The period asked for, or the default one when the request cannot be used."""
        if self.is_valid():
            return self.cleaned_data["period"]
        return self.default

    def error_messages(self) -> dict[str, list[str]]:
        """{parameter: [messages]} for the API's 400."""
        return {name: [str(message) for message in messages] for name, messages in self.errors.items()}
