"""The workspace's forms. Validation is the model's and the services' (one rule, written once): the forms only
collect the values, limit the choices to what the user may pick, and put each refusal next to its field."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.constraints import constraint_field
from core.roles import is_secretariat
from mobility import services
from mobility.models import Activity, Organisation, Partner
from objectives.models import Objective, Priority

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def add_service_error(form: forms.Form, exc: Exception) -> None:
    """A service's refusal on the form: a ValidationError on its fields, a NotAllowed on the field it names."""
    if isinstance(exc, services.NotAllowed):
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc))
        return
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    field = name if name in form.fields else None
                    if name == NON_FIELD_ERRORS:
                        field = constraint_field(message)
                        field = field if field in form.fields else None
                    form.add_error(field, message)
        return
    form.add_error(None, exc)


class ActivitySearchForm(forms.Form):
    """The workspace's list of activities: a word to look for in their titles, and a review state."""

    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state")), *Activity.State.choices])


class ReviewSearchForm(ActivitySearchForm):
    """The review queue's search: every activity in it is submitted, so a word in the title only."""

    state = None


class PriorityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number}. {obj.title}"


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # what a person means by www.example.org today
    return model_field.formfield(**kwargs)


class ActivityForm(forms.ModelForm):
    """An activity as a focal point reports it; the slug, state and review fields are the services' own."""

    required_css_class = "required"

    # The activity's updated_at when the form was opened: a save over someone else's later change is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    objectives = ObjectiveChoiceField(
        queryset=Objective.objects.order_by("number"), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Strategic objectives it serves"),
    )
    priorities = PriorityChoiceField(
        queryset=Priority.objects.order_by("code"), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Priorities it serves"),
    )

    class Meta:
        model = Activity
        formfield_callback = _formfield
        fields = [
            "title", "summary", "activity_type", "status", "start_date", "end_date", "start_year", "end_year",
            "place", "online", "delivery_mode", "lead_partner", "lead_description", "partners", "organisations",
            "objectives", "priorities", "instruments", "participants_asia", "participants_europe", "description",
            "outcomes", "website", "source_url",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
            "partners": forms.CheckboxSelectMultiple,
            "organisations": forms.CheckboxSelectMultiple,
            "instruments": forms.CheckboxSelectMultiple,
        }
        labels = {
            "activity_type": _("Type"),
            "status": _("Status"),
            "online": _("Online, or partly online"),
            "lead_partner": _("Lead partner"),
            "partners": _("Partners taking part"),
            "organisations": _("Organisations taking part"),
            "instruments": _("Instruments it uses"),
            "participants_asia": _("Participants from Asia"),
            "participants_europe": _("Participants from Europe"),
            "source_url": _("Source"),
        }
        help_texts = {
            "start_date": _("Leave empty when only the year is known, and give the start year."),
            "start_year": _("Filled from the start date when you give one."),
            "end_year": _("Filled from the end date when you give one."),
            "lead_partner": _("A partner you report for."),
            "source_url": _("Where the facts about this activity were published."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        lead = self.fields["lead_partner"]
        if not is_secretariat(user):
            mine = services.partner_ids(user)
            lead.queryset = Partner.objects.filter(pk__in=mine).order_by("name")
            lead.required = True
            if len(mine) == 1 and not self.instance.pk:
                self.initial.setdefault("lead_partner", next(iter(mine)))
        self.fields["partners"].queryset = Partner.objects.order_by("name")
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        if self.instance.pk:
            self.initial["version"] = self.instance.updated_at.isoformat()

    def activity_data(self) -> dict:
        """What the services take: the cleaned values, the years left to follow their dates."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        for date, year in (("start_date", "start_year"), ("end_date", "end_year")):
            if data.get(date) and data.get(year) is None:
                data.pop(year)
        return data


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the focal points change?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        error_messages={"required": _("Say what the focal points should change.")},
    )
