"""Text in an upload follows the one rule the forms and the API follow: no NUL character (PostgreSQL cannot store
one), refused with the very message they give."""

import pytest
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from mobility.imports import FLOW_COLUMNS, FlowFileInvalid, flows_as_csv, import_flows
from mobility.models import MobilityFlow
from tests import factories

ROW = [2024, "TH", "DE", "physical", "tvet", 10, "", "", "ASEM-DUO", "Ministry survey"]
MESSAGE = ProhibitNullCharactersValidator.message


@pytest.fixture
def partners(db):
    for code in ("DE", "TH"):
        factories.partner(code)


def test_the_forms_and_the_api_refuse_a_nul_with_the_message_uploads_give():
    with pytest.raises(forms.ValidationError) as by_form:
        forms.CharField().clean("a\x00b")
    with pytest.raises(serializers.ValidationError) as by_api:
        serializers.CharField().run_validation("a\x00b")

    assert by_form.value.messages == [MESSAGE]
    assert [str(detail) for detail in by_api.value.detail] == [MESSAGE]


@pytest.mark.parametrize("column", ["programme", "source", "origin", "mode"])
def test_a_nul_in_any_column_of_a_csv_row_is_refused_naming_the_line_and_column(partners, column):
    # Past the first 8 KB, where a NUL no longer makes the file look binary.
    padding = [[2023, "TH", "DE", "physical", "tvet", 10, "", "", f"programme {n}", "x" * 100] for n in range(80)]
    row = dict(zip(FLOW_COLUMNS, ROW, strict=True))
    row[column] = f"{row[column]}\x00"

    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=flows_as_csv([*padding, list(row.values())]), filename="flows.csv")

    assert caught.value.messages == [f"Line 82, {column}: {MESSAGE}"]
    assert MobilityFlow.objects.count() == 0


@pytest.mark.parametrize("column", ["year", "participants", "female", "fewer_opportunities"])
def test_digits_of_another_script_in_a_number_are_refused_naming_the_line_and_column(partners, column):
    # "²" is a digit to str.isdigit() but not to int(): a whole number here is ASCII digits only.
    row = dict(zip(FLOW_COLUMNS, ROW, strict=True))
    row[column] = "²²²²"

    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=flows_as_csv([list(row.values())]), filename="flows.csv")

    assert [message.split(":")[0] for message in caught.value.messages] == [f"Line 2, {column}"]
    assert MobilityFlow.objects.count() == 0
