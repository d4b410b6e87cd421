"""One filter set per list: the pages, the API and the CSV exports all use these."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from instruments.models import Instrument
from mobility.models import (
    Activity,
    DeliveryMode,
    Direction,
    MobilityFlow,
    MobilityLevel,
    Partner,
    Region,
    direction_lookup,
)
from mobility.widgets import Select
from objectives.models import FIRST_YEAR, LAST_YEAR, Objective, Priority

# What an empty choice means in a filter form: no restriction.
ANY = _("Any")



class YearFilter(django_filters.NumberFilter):
    """A year in the range the data model accepts; anything else is a clear form error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        # A text box, not a number box: a browser shows a number box holding "abc" as empty, beside its error.
        kwargs.setdefault("widget", django_filters.fields.forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)
        self.field_class = django_filters.fields.forms.IntegerField


class ActivityOrdering(django_filters.OrderingFilter):
    """Sorts by date on the year when only the year is known, with undated activities last either way.

    Without a choice, the newest activities come first.
    """

    def filter(self, qs, value):
        chosen = [param for param in (value or []) if param]
        if not chosen:
            chosen = ["-start_date"]
        ordering = []
        for param in chosen:
            descending = param.startswith("-")
            name = param.lstrip("-")
            fields = ["start_year", "start_date"] if name == "start_date" else [self.param_map.get(name, name)]
            for field_name in fields:
                expression = F(field_name)
                ordering.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return qs.order_by(*ordering, "title", "pk")


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), max_length=200)
    objective = django_filters.ModelChoiceFilter(
        field_name="objectives", queryset=Objective.objects.all(), to_field_name="number", label=_("Objective"),
        empty_label=ANY, method="filter_related", widget=Select,
    )
    priority = django_filters.ModelChoiceFilter(
        field_name="priorities", queryset=Priority.objects.all(), to_field_name="code", label=_("Priority"),
        empty_label=ANY, method="filter_related", widget=Select,
    )
    instrument = django_filters.ModelChoiceFilter(
        field_name="instruments", queryset=Instrument.objects.all(), to_field_name="slug", label=_("Instrument"),
        empty_label=ANY, method="filter_related", widget=Select,
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), to_field_name="code", method="filter_partner",
        label=_("Partner (leading or taking part)"), empty_label=ANY, widget=Select,
    )
    region = django_filters.ChoiceFilter(
        field_name="lead_partner__region", choices=Region.choices, label=_("Lead partner's region"),
        empty_label=ANY, widget=Select,
    )
    type = django_filters.ChoiceFilter(
        field_name="activity_type", choices=Activity.Type.choices, label=_("Type"), empty_label=ANY, widget=Select
    )
    status = django_filters.ChoiceFilter(
        choices=Activity.Status.choices, label=_("Status"), empty_label=ANY, widget=Select
    )
    mode = django_filters.ChoiceFilter(
        field_name="delivery_mode", choices=DeliveryMode.choices, label=_("Delivery mode"), empty_label=ANY,
        widget=Select,
    )
    year = YearFilter(method="filter_year", label=_("Year"))
    ordering = ActivityOrdering(
        empty_label=_("Newest first"),
        fields=[("start_date", "start_date"), ("title", "title"), ("published_at", "published_at")],
        field_labels={"start_date": _("Start date"), "title": _("Title"), "published_at": _("Publication date")},
        label=_("Sort by"),
    )

    class Meta:
        model = Activity
        fields = []

    def filter_q(self, queryset, name, value):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(summary__icontains=term) | Q(description__icontains=term)
                | Q(lead_description__icontains=term) | Q(place__icontains=term) | Q(outcomes__icontains=term)
            )
        return queryset

    def filter_related(self, queryset, name, value):
        """Activities linked to the objective, priority or instrument, through a subquery: a join would repeat
        rows, and removing the repeats (DISTINCT) makes the database compare whole activities."""
        through = getattr(Activity, name).through  # its keys are named after the models: activity, objective...
        linked = through.objects.filter(**{value._meta.model_name: value}).values("activity_id")
        return queryset.filter(pk__in=linked)

    def filter_partner(self, queryset, name, value):
        joined = Activity.partners.through.objects.filter(partner=value).values("activity_id")
        return queryset.filter(Q(lead_partner=value) | Q(pk__in=joined))

    def filter_year(self, queryset, name, value):
        """Activities under way in that year: started by then and not ended before it."""
        return queryset.filter(start_year__lte=value).filter(
            Q(end_year__gte=value) | Q(end_year__isnull=True, status=Activity.Status.ONGOING)
            | Q(end_year__isnull=True, start_year=value)
        )


class YearRangeForm(forms.Form):
    """A year range that ends before it starts is a mistake to explain, as the report does, not an empty answer."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _(
                "The range cannot end before it starts: to year (%(end)s) is before from year (%(start)s). "
                "Swap them to see the flows between."
            ) % {"start": start, "end": end})
        return cleaned


class MobilityFlowFilter(django_filters.FilterSet):
    year = YearFilter(label=_("Year"))
    year_from = YearFilter(field_name="year", lookup_expr="gte", label=_("From year"))
    year_to = YearFilter(field_name="year", lookup_expr="lte", label=_("To year"))
    origin = django_filters.ModelChoiceFilter(queryset=Partner.objects.all(), to_field_name="code",
                                              label=_("Origin partner"), empty_label=ANY, widget=Select)
    destination = django_filters.ModelChoiceFilter(queryset=Partner.objects.all(), to_field_name="code",
                                                   label=_("Destination partner"), empty_label=ANY, widget=Select)
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), to_field_name="code", method="filter_partner",
        label=_("Partner (origin or destination)"), empty_label=ANY, widget=Select,
    )
    direction = django_filters.ChoiceFilter(choices=Direction.choices, method="filter_direction",
                                            label=_("Direction"), empty_label=ANY, widget=Select)
    mode = django_filters.ChoiceFilter(choices=DeliveryMode.choices, label=_("Mode"), empty_label=ANY, widget=Select)
    level = django_filters.ChoiceFilter(choices=MobilityLevel.choices, label=_("Level"), empty_label=ANY, widget=Select)
    programme = django_filters.CharFilter(lookup_expr="icontains", max_length=200, label=_("Programme"))
    ordering = django_filters.OrderingFilter(
        fields=[("year", "year"), ("participants", "participants")],
        field_labels={"year": _("Year"), "participants": _("Participants")},
        label=_("Sort by"),
    )

    class Meta:
        model = MobilityFlow
        fields = []
        # The page, its CSV, the API's flows and their summary all refuse a reversed range, with one message.
        form = YearRangeForm

    def filter_partner(self, queryset, name, value):
        return queryset.filter(Q(origin=value) | Q(destination=value))

    def filter_direction(self, queryset, name, value):
        return queryset.filter(direction_lookup(value))
