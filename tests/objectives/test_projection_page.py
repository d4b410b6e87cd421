"""An indicator's page says in words where the current pace leads, for ASEM and for each partner."""

import re

import pytest

from objectives import services
from objectives.models import Indicator, Priority
from partners.models import Partner


@pytest.fixture
def digital_skills(strategy):
    """A share each partner reports, 54 % in 2020, aiming at 80 % by 2030; ASEM's value is the partners' mean."""
    return Indicator.objects.create(
        priority=Priority.objects.get(code="3.3"), code="3.3.p", name="Adults with basic digital skills", unit="%",
        kind=Indicator.Kind.PERCENTAGE, aggregation="mean", baseline_year=2020, baseline_value=54, target_value=80,
    )


def approved(indicator, table):
    for code, series in table.items():
        services.publish_partner_values(
            partner=Partner.objects.get(code=code), indicators=[indicator], years=list(series),
            values={(indicator.pk, year): value for year, value in series.items()},
        )


def partner_cells(page, code):
    row = re.search(rf'<tr id="partner-{code}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def test_the_page_says_where_asems_pace_leads_against_the_target(client, digital_skills):
    approved(digital_skills, {"DE": {2020: 50.0, 2023: 56.0}})

    page = client.get(digital_skills.get_absolute_url()).content.decode()

    # 54 in 2020 to 56 in 2023, compounding seven more years: 56 * (56/54) ** (7/3) = 60.96.
    assert "At this pace, 61 in 2030 against a target of 80." in page
    assert "The observed line goes on dashed where the current pace leads." in page


def test_without_a_target_the_words_name_only_the_year(client, digital_skills):
    digital_skills.target_value = None
    digital_skills.save()
    approved(digital_skills, {"DE": {2020: 50.0, 2023: 56.0}})

    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert "At this pace, 61 in 2030." in page
    assert "against a target" not in page


def test_a_share_is_never_projected_past_100(client, digital_skills):
    # 54 to 65 in three years would reach 100.2 by 2030.
    approved(digital_skills, {"DE": {2020: 50.0, 2023: 65.0}})

    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert "At this pace, 100 in 2030 against a target of 80." in page


def test_without_a_value_after_the_baseline_the_page_says_nothing_of_a_pace(client, digital_skills):
    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert "At this pace" not in page


def test_each_partner_shows_where_its_own_pace_leads_by_the_target_year(client, digital_skills):
    approved(digital_skills, {"DE": {2020: 50.0, 2023: 56.0}, "TH": {2020: 40.0, 2023: 38.0}, "JP": {2023: 80.0}})

    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert '<th scope="col" class="num">2030 at this pace</th>' in page
    # Latest value, year, own target, then the pace: 56 * 1.12 ** (7/3) and 38 * 0.95 ** (7/3); Japan's one value
    # has no pace yet.
    assert partner_cells(page, "DE")[-1] == "73"
    assert partner_cells(page, "TH")[-1] == "33.7"
    assert partner_cells(page, "JP")[-1] == "–"
