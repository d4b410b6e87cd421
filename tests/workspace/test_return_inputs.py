"""A return's value inputs and its flows' lists are written directly, not through Django's widget templates: the
same markup exactly."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from partners.models import Partner
from tests import factories
from workspace.return_forms import DirectHiddenInput, DirectTextInput, ReturnContentForm, ReturnFlowFormSet

ATTRS = {"inputmode": "decimal", "size": 8, "autocomplete": "off"}


@pytest.mark.parametrize("value", [None, "", "12.5", 'a "quoted" <b>&amp;</b>', 120, mark_safe("<i>safe</i>")])
@pytest.mark.parametrize("attrs", [None, {"aria-invalid": "true", "required": True, "disabled": False},
                                   {"id": "id_value-1-2024", "aria-describedby": "x y"}])
def test_the_direct_inputs_write_what_djangos_templates_write(value, attrs):
    assert DirectTextInput(ATTRS).render("value-1-2024", value, attrs) == forms.TextInput(ATTRS).render(
        "value-1-2024", value, attrs)
    assert DirectHiddenInput().render("initial-value-1-2024", value, attrs) == forms.HiddenInput().render(
        "initial-value-1-2024", value, attrs)


def test_a_value_field_and_its_hidden_copy_render_as_djangos_widgets_would_with_an_error_too(db):
    indicator = factories.IndicatorFactory()
    form = ReturnContentForm({"version": "0", f"value-{indicator.pk}-2024": "twelve"}, indicators=[indicator],
                             years=[2024], questions=[], values={(indicator.pk, 2024): 7.0}, answers={},
                             public={}, version=0)
    assert not form.is_valid()
    name = f"value-{indicator.pk}-2024"

    written = str(form[name])
    field = form.fields[name]
    field.widget, field.hidden_widget = forms.TextInput(ATTRS), forms.HiddenInput

    assert written == str(form[name])
    assert 'value="twelve"' in written
    assert 'aria-invalid="true"' in written


def test_a_flow_rows_lists_render_as_djangos_selects_would_with_the_rows_choice_selected():
    partners = [Partner(code="DE", name="Germany"), Partner(code="TH", name="Thai <&>")]
    formset = ReturnFlowFormSet({"flows-TOTAL_FORMS": "1", "flows-INITIAL_FORMS": "0", "flows-0-year": "2025",
                                 "flows-0-origin": "DE", "flows-0-destination": "TH", "flows-0-mode": "physical"},
                                prefix="flows", years=[2024, 2025], partners=partners)
    row = formset.forms[0]
    written = {name: str(row[name]) for name in ("year", "origin", "destination", "mode", "level")}

    for name in written:
        row.fields[name].widget.__class__ = forms.Select
        assert written[name] == str(row[name]), name
    assert '<option value="TH" selected>Thai &lt;&amp;&gt; (TH)</option>' in written["destination"]
    assert '<option value="2025" selected>2025</option>' in written["year"]
