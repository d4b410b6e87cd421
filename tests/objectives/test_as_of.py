"""A year asked for with as_of: anything but plain digits in range is the asker's mistake, never a server error."""

import pytest

from objectives.models import year_asked

NOT_A_YEAR = ["²", "２０２４", "2" * 5000, "-2024", "2024.0", "1989", "2101"]


@pytest.mark.parametrize("text", NOT_A_YEAR)
def test_it_refuses_what_is_not_plain_digits_in_range(text):
    assert year_asked(text) is None


def test_it_reads_a_year_in_range():
    assert year_asked("2024") == 2024


@pytest.mark.parametrize("text", ["%C2%B2", "2" * 5000])
def test_the_api_answers_a_400_naming_as_of(db, client, text):
    response = client.get(f"/api/v1/progress/?as_of={text}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "as_of"
