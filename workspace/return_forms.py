"""The forms of a partner's return: its values and answers, and its flows as rows to change, add or remove.

The rules a value or a flow must meet are the services' (one rule, written once): the forms read what was typed,
say at once what is wrong with each value (through the same check the services run), and put every refusal of
the services next to the input it names.
"""

import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from mobility.models import MAX_COUNT, DeliveryMode, MobilityLevel
from mobility.widgets import Select
from objectives.models import Indicator
from objectives.services import check_partner_value
from partners.models import Partner

NOT_A_NUMBER = _("Give a number, such as 12 or 12.5: digits, with a point for decimals.")
NOT_A_COUNT = _("Give a whole number, such as 120: digits only.")
# The inputs left blank under the flows, to add rows without JavaScript.
EXTRA_FLOW_ROWS = 3
FLOW_FIELDS = ["year", "origin", "destination", "mode", "level", "programme", "participants", "female",
               "fewer_opportunities", "source"]


def shown(value: float | None) -> str:
    """A value as the input shows it: 120 rather than 120.0, and every digit it has."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class AsciiDigits:
    """Digits of another script (٣, ²) are not what the portal stores or shows: refuse them as not a number."""

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DirectInput:
    """An <input> written in Python, character for character as Django's input template writes it: a return asks
    for hundreds of values, each an input and its hidden copy, and the template engine drawing them one by one was
    most of the form's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{_escaped(widget["value"])}"')
        for key, attribute in widget["attrs"].items():
            if attribute is True:
                parts.append(f" {_escaped(key)}")
            elif attribute is not False:
                parts.append(f' {_escaped(key)}="{_escaped(attribute)}"')
        return mark_safe("".join(parts) + ">")  # noqa: S308 (every part is escaped)


def _escaped(value) -> str:
    """As the template writes a value: escaped, unless it is safe HTML already (conditional_escape, without its
    lazy-string wrapping, which a page of hundreds of inputs pays for thousands of times)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class DirectTextInput(DirectInput, forms.TextInput):
    pass


class DirectHiddenInput(DirectInput, forms.HiddenInput):
    pass


class ValueField(AsciiDigits, forms.FloatField):
    hidden_widget = DirectHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, error_messages={"invalid": NOT_A_NUMBER}, show_hidden_initial=True,
                         widget=DirectTextInput(attrs={"inputmode": "decimal", "size": 8, "autocomplete": "off"}),
                         **kwargs)


class AnswerField(forms.CharField):
    """A narrative answer: a browser sends a textarea's line breaks as CRLF, and the page's copy of it maybe not."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class CountField(AsciiDigits, forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_COUNT, error_messages={"invalid": NOT_A_COUNT},
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 7, "autocomplete": "off"}),
                         **kwargs)


@dataclass
class Cell:
    year: int
    field: forms.BoundField
    public: float | None  # the partner's approved value, public now


@dataclass
class IndicatorRow:
    indicator: Indicator
    cells: list[Cell]


class ReturnContentForm(forms.Form):
    """The return's values (one input per indicator and year) and its answers, read at one version of it.

    Each value's and answer's input carries what it was shown with (Django's hidden initial), so a save sends only
    what the person changed, and a save refused because someone else saved first can keep their changes and
    show the colleague's.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # The flows the page showed, as a fingerprint: rows sent back unchanged are not sent to the services.
    flows_read = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, indicators: Iterable[Indicator], years: Iterable[int], questions: Iterable,
                 values: Mapping[tuple[int, int], float], answers: Mapping[int, str],
                 public: Mapping[tuple[int, int], float], version: int, flows_read: str = ""):
        super().__init__(data)
        self.indicators, self.years, self.questions = list(indicators), list(years), list(questions)
        self.public = public
        self.initial["version"] = version
        self.initial["flows_read"] = flows_read
        # "<code>/<year>", as the services name a value, to the input's name
        self.value_names: dict[str, str] = {}
        for indicator in self.indicators:
            for year in self.years:
                name = f"value-{indicator.pk}-{year}"
                self.fields[name] = ValueField(label=f"{indicator.code}, {year}")
                self.initial[name] = shown(values.get((indicator.pk, year)))
                self.value_names[f"{indicator.code}/{year}"] = name
        self.answer_names: dict[str, str] = {}
        for question in self.questions:
            name = f"answer-{question.number}"
            self.fields[name] = AnswerField(
                label=f"{question.number}. {question.text}", required=False, max_length=5000, strip=True,
                help_text=question.guidance, widget=forms.Textarea(attrs={"rows": 4}), show_hidden_initial=True,
            )
            self.fields[name].needed_to_submit = question.required
            self.initial[name] = answers.get(question.number, "")
            self.answer_names[str(question.number)] = name

    def rows(self) -> list[IndicatorRow]:
        return [IndicatorRow(indicator, [
            Cell(year, self[f"value-{indicator.pk}-{year}"], self.public.get((indicator.pk, year)))
            for year in self.years
        ]) for indicator in self.indicators]

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.answer_names.values()]

    def clean(self):
        cleaned = super().clean()
        for indicator in self.indicators:
            for year in self.years:
                name = f"value-{indicator.pk}-{year}"
                value = cleaned.get(name)
                if value is not None:
                    for problem in check_partner_value(indicator=indicator, year=year, value=value):
                        self.add_error(name, problem)
        return cleaned

    def changed_values(self) -> dict[tuple[str, int], float | None]:
        """The values the person changed, as the services take them: None clears one."""
        changed = set(self.changed_data)
        return {(indicator.code, year): self.cleaned_data[f"value-{indicator.pk}-{year}"]
                for indicator in self.indicators for year in self.years
                if f"value-{indicator.pk}-{year}" in changed}

    def changed_answers(self) -> dict[int, str]:
        changed = set(self.changed_data)
        return {question.number: self.cleaned_data[f"answer-{question.number}"]
                for question in self.questions if f"answer-{question.number}" in changed}

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """Put the services' errors on the inputs they name; the ones that are not this form's are given back."""
        rest = {}
        for key, messages in errors.items():
            if key in self.value_names:
                name = self.value_names[key]
            elif key.startswith("answer/") and key.removeprefix("answer/") in self.answer_names:
                name = self.answer_names[key.removeprefix("answer/")]
            elif key in ("version", "state", "__all__"):
                name = None
            else:
                rest[key] = messages
                continue
            for message in messages:
                self.add_error(name, message)
        return rest

    def rebased(self, *, values: Mapping[tuple[int, int], float], answers: Mapping[int, str], version: int,
                flows_read: str) -> dict:
        """The data of this form moved onto a later version: what the person changed kept, the rest as it is now."""
        data = self.data.copy()
        changed = set(self.changed_data)
        for name in self.fields:
            if name in ("version", "flows_read"):
                continue
            if name.startswith("value-"):
                _prefix, indicator, year = name.split("-")
                now = shown(values.get((int(indicator), int(year))))
                data[self.add_initial_prefix(name)] = now
            else:
                now = answers.get(int(name.removeprefix("answer-")), "")
            if name not in changed:
                data[name] = now
        data["version"], data["flows_read"] = str(version), flows_read
        return data


def _year_choices(years):
    return [("", "–"), *((year, str(year)) for year in years)]


class ReturnFlowForm(forms.Form):
    """One flow of the return: people moving between the partner and another in one of the round's years."""

    # Each row's selects are written without the template engine (mobility.widgets): a return of thirty flows has
    # over three thousand options, and drawing each through two includes was nearly all of the form's second.
    year = forms.TypedChoiceField(coerce=int, label=_("Year"), widget=Select)
    origin = forms.ChoiceField(label=_("From"), widget=Select)
    destination = forms.ChoiceField(label=_("To"), widget=Select)
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", "–"), *DeliveryMode.choices], widget=Select)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "–"), *MobilityLevel.choices], widget=Select)
    programme = forms.CharField(label=_("Programme"), required=False, max_length=200,
                                widget=forms.TextInput(attrs={"size": 14}))
    participants = CountField(label=_("Participants"))
    female = CountField(label=_("Of them female"), required=False)
    fewer_opportunities = CountField(label=_("Of them with fewer opportunities"), required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=300,
                             widget=forms.TextInput(attrs={"size": 14}))

    def __init__(self, *args, years, partner_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(years)
        self.fields["origin"].choices = partner_choices
        self.fields["destination"].choices = partner_choices

    def clean(self):
        cleaned = super().clean()
        participants = cleaned.get("participants")
        origin, destination = cleaned.get("origin"), cleaned.get("destination")
        if origin and origin == destination:
            self.add_error("destination", _("The origin and the destination must be different partners."))
        for name in ("female", "fewer_opportunities"):
            part = cleaned.get(name)
            if participants is not None and part is not None and part > participants:
                self.add_error(name, _("Cannot be more than the participants (%(n)s).") % {"n": participants})
        return cleaned

    def row(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FLOW_FIELDS} | {
            "programme": self.cleaned_data.get("programme") or "", "source": self.cleaned_data.get("source") or ""}


class BaseReturnFlowFormSet(forms.BaseFormSet):
    def __init__(self, *args, years, partners: Iterable[Partner], **kwargs):
        self.years = list(years)
        # One list of partners for every row's two selects: the page reads the partners once, however many rows.
        self.partner_choices = [("", "–"), *((p.code, f"{p.name} ({p.code})") for p in partners)]
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove")

    def get_form_kwargs(self, index):
        # Every row may be left blank: a blank row is no flow, whether it was one or not (the same as removing it).
        return {"years": self.years, "partner_choices": self.partner_choices, "empty_permitted": True}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), use_required_attribute=False,
                         renderer=self.renderer, **self.get_form_kwargs(None))
        self.add_fields(form, None)
        return form

    def kept_forms(self) -> list[ReturnFlowForm]:
        """The rows that are flows: not ticked to remove, not left blank. The services number them in this order."""
        return [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]

    def rows(self) -> list[dict]:
        return [form.row() for form in self.kept_forms()]

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """Put "flow/<index>/<field>" errors on the row and input they name; give back any other."""
        kept = self.kept_forms()
        rest = {}
        for key, messages in errors.items():
            parts = key.split("/")
            if parts[0] != "flow" or len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(kept):
                rest[key] = messages
                continue
            form = kept[int(parts[1])]
            field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
            for message in messages:
                form.add_error(field, message)
        return rest


ReturnFlowFormSet = forms.formset_factory(
    ReturnFlowForm, formset=BaseReturnFlowFormSet, extra=EXTRA_FLOW_ROWS, can_delete=True, max_num=2000,
    validate_max=True, absolute_max=2000,
)


def flow_initial(flows: Iterable) -> list[dict]:
    """The return's flows as the rows' first values."""
    return [{"year": f.year, "origin": f.origin.code, "destination": f.destination.code, "mode": f.mode,
             "level": f.level, "programme": f.programme, "participants": f.participants, "female": f.female,
             "fewer_opportunities": f.fewer_opportunities, "source": f.source} for f in flows]


def rows_digest(rows: Iterable[Mapping]) -> str:
    """A fingerprint of a list of flow rows: the page carries the one it was shown, so a save that left the flows
    as they were does not send them (and cannot undo a colleague's change to them)."""
    normal = sorted(json.dumps({name: row.get(name) for name in FLOW_FIELDS}, sort_keys=True, default=str)
                    for row in rows)
    return hashlib.sha256("\n".join(normal).encode()).hexdigest()[:32]
