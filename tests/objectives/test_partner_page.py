"""The page of an indicator partners report: its ASEM series says how many partners each value rests on, the method
says how their values make it, and a table gives each partner's latest value, own target and status."""

import re

import pytest

from objectives import services
from objectives.models import Indicator, Observation, PartnerTarget, Priority
from partners.models import Partner
from tests import factories


@pytest.fixture
def digital_skills(strategy):
    """Adults with basic digital skills, a share each partner reports; ASEM's value is the partners' simple mean."""
    return Indicator.objects.create(
        priority=Priority.objects.get(code="3.3"), code="3.3.p", name="Adults with basic digital skills", unit="%",
        kind=Indicator.Kind.PERCENTAGE, aggregation="mean", baseline_year=2020, baseline_value=54, target_value=80,
    )


def approved(indicator, table: dict[str, dict[int, float]]) -> None:
    """The partners' values as their approved returns publish them."""
    for code, series in table.items():
        services.publish_partner_values(
            partner=Partner.objects.get(code=code), indicators=[indicator], years=list(series),
            values={(indicator.pk, year): value for year, value in series.items()},
        )


TABLE = {"DE": {2020: 50.0, 2023: 65.0}, "TH": {2020: 40.0, 2023: 38.0}, "JP": {2023: 80.0}}


def partner_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="partner-([A-Z]+)">', page)


def test_each_asem_value_says_how_many_partners_it_rests_on(client, digital_skills):
    approved(digital_skills, TABLE)

    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert '<th scope="col">Rests on</th>' in page
    # 2020: (50 + 40) / 2; 2023: (65 + 38 + 80) / 3
    assert '<th scope="row">2020</th><td class="num">45</td><td>2 of 53 partners</td>' in page
    assert '<th scope="row">2023</th><td class="num">61</td><td>3 of 53 partners</td>' in page


def test_the_page_says_in_words_how_the_asem_value_is_made(client, digital_skills):
    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert "the simple mean of the values of the partners that reported that year" in page
    assert "large partners do not outweigh small ones" in page
    assert "never counted as zero" in page


@pytest.mark.parametrize(("aggregation", "words"), [
    ("sum", "is the sum of the values of the partners that reported that year"),
    ("count", "is how many partners reported a value of at least 1 that year"),
])
def test_a_sum_and_a_count_are_explained_too(client, digital_skills, aggregation, words):
    digital_skills.aggregation, digital_skills.kind = aggregation, Indicator.Kind.COUNT
    digital_skills.save()

    assert words in client.get(digital_skills.get_absolute_url()).content.decode()


def test_the_partners_table_gives_each_partners_latest_value_own_target_and_status(client, digital_skills):
    approved(digital_skills, TABLE)
    PartnerTarget.objects.create(indicator=digital_skills, partner=Partner.objects.get(code="TH"), target_value=60)

    page = client.get(digital_skills.get_absolute_url()).content.decode()
    germany = page[page.index('<tr id="partner-DE">'):page.index("</tr>", page.index('<tr id="partner-DE">'))]
    thailand = page[page.index('<tr id="partner-TH">'):page.index("</tr>", page.index('<tr id="partner-TH">'))]

    assert "3 partners of 53 have reported 3.3.p.</p>" in page
    assert partner_rows(page) == ["DE", "JP", "TH"]  # by name: Germany, Japan, Thailand
    assert '<td class="num">65</td>' in germany and '<td class="num">2023</td>' in germany
    assert '<span class="muted">none</span>' in germany and "On track" in germany
    assert "+9.14 % a year" in germany  # its figures, in the status's details
    assert '<td class="num">60 (2030)</td>' in thailand and "Deterioration" in thailand
    assert "Insufficient data" in page  # Japan has one value


@pytest.mark.parametrize(("order", "codes"), [
    ("-value", ["JP", "DE", "TH"]), ("value", ["TH", "DE", "JP"]), ("status", ["DE", "TH", "JP"]),
    ("-partner", ["TH", "JP", "DE"]), ("nonsense", ["DE", "JP", "TH"]),
])
def test_the_partners_table_sorts_by_its_column_headings(client, digital_skills, order, codes):
    approved(digital_skills, TABLE)

    page = client.get(f"{digital_skills.get_absolute_url()}?order={order}").content.decode()

    assert partner_rows(page) == codes


def test_a_sorted_heading_says_so_and_offers_the_other_way(client, digital_skills):
    approved(digital_skills, TABLE)

    page = client.get(f"{digital_skills.get_absolute_url()}?as_of=2023&order=value").content.decode()

    assert ('<th scope="col" class="num" aria-sort="ascending">'
            '<a href="?as_of=2023&amp;order=-value#partners-heading">') in page


def test_a_partner_reported_indicator_nobody_has_reported_says_so(client, digital_skills):
    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert "No partner's value has been approved yet." in page


def test_an_asem_level_indicator_has_no_partners_section(client, strategy):
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.z")
    Observation.objects.create(indicator=indicator, year=2022, value=120)

    page = client.get(indicator.get_absolute_url()).content.decode()

    assert 'id="partners-heading"' not in page
    assert "Rests on" not in page


@pytest.mark.parametrize("codes", [["DE"], ["DE", "FR", "IT", "TH", "JP", "CN", "KR", "VN"]])
def test_the_page_takes_the_same_number_of_queries_however_many_partners_report(
    client, digital_skills, django_assert_num_queries, codes
):
    approved(digital_skills, {code: {2020: 40.0, 2023: 50.0} for code in codes})
    for code in codes:
        PartnerTarget.objects.create(indicator=digital_skills, partner=Partner.objects.get(code=code), target_value=60)

    # Expect 9 queries: the indicator with its priority and objective, its ASEM observations, its headline series for
    # the progress engine, the partners' values with their partners, their targets, how many partners there are; and
    # for the map, the years partners reported, the year's values and the partners' names
    with django_assert_num_queries(9):
        assert client.get(f"{digital_skills.get_absolute_url()}?order=status").status_code == 200
