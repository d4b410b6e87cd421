"""The filter forms' lists are written directly, and must read exactly as Django's templates would draw them."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from mobility.filters import ActivityFilter, MobilityFlowFilter
from mobility.models import Activity, MobilityFlow
from mobility.widgets import Select
from tests.pages import build_portal

CHOICES = [
    ("", "Any"), ("DE", "Germany"), ("x&y", 'Quotes "and" <tags>'), (3, mark_safe("<b>safe</b>")),
    ("Asia", [("TH", "Thailand"), ("JP", "Japan")]),
]


@pytest.mark.parametrize("value", [None, "", "DE", "JP", ["DE", "TH"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_partner", "required": True, "disabled": False,
                                          "data-x": 'a"b'}])
def test_a_list_reads_exactly_as_djangos_template_draws_it(value, attrs):
    django_select = forms.Select(choices=CHOICES)
    select = Select(choices=CHOICES)
    assert select.render("partner", value, attrs) == django_select.render("partner", value, attrs)


def test_a_list_escapes_what_it_shows():
    html = Select(choices=CHOICES).render("partner", "x&y")
    assert '<option value="x&amp;y" selected>Quotes &quot;and&quot; &lt;tags&gt;</option>' in html
    assert "<b>safe</b>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("filterset", [
    (MobilityFlowFilter(
        {"partner": "DE", "level": "staff"}, queryset=MobilityFlow.objects.none())),
    (ActivityFilter({"partner": "FR", "objective": "1"}, queryset=Activity.objects.none())),
])
def test_the_filter_forms_lists_read_as_djangos_would(filterset):
    build_portal(1)
    for name, field in filterset.form.fields.items():
        if isinstance(field.widget, Select):
            written = str(filterset.form[name])
            field.widget.__class__ = forms.Select
            assert written == str(filterset.form[name]), name
