from django import forms
from django.utils.translation import gettext_lazy as _

from objectives.models import FIRST_YEAR, LAST_YEAR, year_asked


class AsOfForm(forms.Form):
    """The year progress is computed as of: any year the data model accepts, or empty for the latest."""

    as_of = forms.IntegerField(
        label=_("Progress as of"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR,
        error_messages={"invalid": _("Choose a year, such as 2024.")},
    )

    def __init__(self, data, *, years: list[int], **kwargs):
        super().__init__(data, **kwargs)
        years = set(years)
        asked = (data or {}).get("as_of", "")
        kept = []
        if (year := year_asked(asked)) is not None:
            years.add(year)  # a year without data is still a fair question; keep it selected
        elif asked:
            kept = [(asked, asked)]  # what was typed stays in view beside its error
        choices = [("", _("The latest year with data")), *kept,
                   *((year, str(year)) for year in sorted(years, reverse=True))]
        self.fields["as_of"].widget = forms.Select(choices=choices)

    @property
    def year(self) -> int | None:
        return self.cleaned_data.get("as_of") if self.is_valid() else None
