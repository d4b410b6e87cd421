"""Comparing partners on one indicator in one year (ranked, grouped by side, with who did not report), and their
statuses side by side on one objective: the pages, their CSVs and their query counts."""

import csv
import io
import re

import pytest

from objectives import compare, services
from objectives.models import Indicator, Objective, Priority
from partners.models import Partner
from tests.csv_files import download_text, without_licence


@pytest.fixture
def digital_skills(strategy):
    """Adults with basic digital skills, a share each partner reports; ASEM's value is the partners' simple mean."""
    return Indicator.objects.create(
        priority=Priority.objects.get(code="3.3"), code="3.3.p", name="Adults with basic digital skills", unit="%",
        kind=Indicator.Kind.PERCENTAGE, aggregation="mean", baseline_year=2020, baseline_value=54, target_value=80,
    )


@pytest.fixture
def programmes(strategy):
    """TVET programmes co-designed with industry, a count each partner reports; ASEM's value is their sum."""
    return Indicator.objects.create(
        priority=Priority.objects.get(code="3.1"), code="3.1.p", name="Programmes with industry", unit="programmes",
        kind=Indicator.Kind.COUNT, aggregation="sum", baseline_year=2020, baseline_value=100,
    )


def approved(indicator, table: dict[str, dict[int, float]]) -> None:
    """The partners' values as their approved returns publish them."""
    for code, series in table.items():
        services.publish_partner_values(
            partner=Partner.objects.get(code=code), indicators=[indicator], years=list(series),
            values={(indicator.pk, year): value for year, value in series.items()},
        )


# Germany and France are in Europe, Thailand and Japan in Asia.
TABLE = {"DE": {2020: 50.0, 2023: 65.0}, "FR": {2023: 65.0}, "TH": {2020: 40.0, 2023: 38.0}, "JP": {2022: 80.0}}


def ranked(page: str) -> list[str]:
    return re.findall(r'<tr id="rank-([A-Z]+)">', page)


def test_the_partners_are_ranked_best_first_with_ties_sharing_a_place(digital_skills):
    approved(digital_skills, TABLE)

    comparison = compare.indicator_comparison(digital_skills)

    assert comparison.year == 2023  # the latest year some partner reported
    assert comparison.years == [2023, 2022, 2020]
    assert [(row.rank, row.partner.code, row.value) for row in comparison.rows] == [
        (1, "FR", 65.0), (1, "DE", 65.0), (3, "TH", 38.0)]
    assert comparison.rows[1].result.status == "on_track"  # Germany's own series, 50 to 65
    assert comparison.rows[2].result.status == "deterioration"  # Thailand's, 40 to 38


def test_lower_is_better_ranks_the_lowest_value_first(digital_skills):
    digital_skills.direction = -1
    digital_skills.save()
    approved(digital_skills, TABLE)

    assert [row.partner.code for row in compare.indicator_comparison(digital_skills).rows] == ["TH", "FR", "DE"]


def test_asem_and_each_side_are_made_from_the_partners_values_by_the_indicators_rule(digital_skills, programmes):
    approved(digital_skills, TABLE)
    approved(programmes, {"DE": {2023: 10}, "FR": {2023: 5}, "TH": {2023: 7}})

    mean = compare.indicator_comparison(digital_skills, year=2023)
    total = compare.indicator_comparison(programmes, year=2023)

    assert (mean.asem.value, mean.asem.coverage, mean.asem.partner_count) == (56.0, 3, 53)
    assert [(side.label, side.value, side.coverage) for side in mean.sides] == [("Asia", 38.0, 1), ("Europe", 65.0, 2)]
    assert [(side.label, side.value) for side in total.sides] == [("Asia", 7.0), ("Europe", 15.0)]
    assert total.asem.value == 22.0


def test_the_partners_that_did_not_report_the_year_are_listed(digital_skills):
    approved(digital_skills, TABLE)

    comparison = compare.indicator_comparison(digital_skills, year=2022)

    assert [row.partner.code for row in comparison.rows] == ["JP"]
    assert len(comparison.not_reported) == 52
    assert "Germany" in [p.name for p in comparison.not_reported]
    asia, europe = comparison.groups()
    assert [row.partner.code for row in asia.rows] == ["JP"] and europe.rows == []
    assert len(asia.not_reported) + len(europe.not_reported) == 52


def test_the_page_says_what_the_ranking_rests_on_and_who_did_not_report(client, digital_skills):
    approved(digital_skills, TABLE)

    response = client.get("/indicators/3.3.p/partners/")
    page = response.content.decode()

    assert response.status_code == 200
    assert "Rests on 3 of 53 partners." in page
    assert "Not reported:" in page and ">Japan</a>" in page[page.index("Not reported:"):]
    assert ranked(page) == ["FR", "DE", "TH"]
    assert '<tr id="figure-asem"><th scope="row">ASEM</th><td class="num">56</td><td>3 of 53 partners</td>' in page
    assert '<svg class="chart" id="ranking"' in page and "Thailand: 38" in page
    assert "On track" in page and "Deterioration" in page
    assert "map slot" not in page  # the slot is a template comment, for the map's include


def test_a_year_and_a_grouping_by_side_can_be_asked(client, digital_skills):
    approved(digital_skills, TABLE)

    page = client.get("/indicators/3.3.p/partners/?year=2020&group=region").content.decode()

    assert '<option value="2020" selected>' in page
    assert '<h3 id="group-asia">Asia: 40 %' in page and '<h3 id="group-europe">Europe: 50 %' in page
    assert ranked(page) == ["TH", "DE"]


def test_a_year_that_is_not_a_year_is_a_clear_error(client, digital_skills):
    approved(digital_skills, TABLE)

    response = client.get("/indicators/3.3.p/partners/?year=soon")

    assert response.status_code == 400
    assert "Choose a year, such as 2024." in response.content.decode()


def test_an_indicator_measured_for_asem_alone_has_nothing_to_compare(client, strategy):
    indicator = Indicator.objects.create(priority=Priority.objects.get(code="1.1"), code="1.1.z", name="Whole",
                                         unit="x", baseline_year=2020, baseline_value=1)

    page = client.get(f"/indicators/{indicator.code}/partners/").content.decode()

    assert "measured for ASEM as a whole, so there is nothing to compare" in page


def test_an_unknown_indicator_is_not_found(client, strategy):
    assert client.get("/indicators/9.9.z/partners/").status_code == 404


def test_the_csv_ranks_the_reporters_and_lists_the_others_without_a_value(client, digital_skills):
    approved(digital_skills, TABLE)

    response = client.get("/indicators/3.3.p/partners/?year=2023&format=csv")
    rows = list(csv.DictReader(io.StringIO(without_licence(download_text(response)))))

    assert [(r["rank"], r["partner"], r["value"], r["status"]) for r in rows[:3]] == [
        ("1", "FR", "65.0", "insufficient_data"), ("1", "DE", "65.0", "on_track"), ("3", "TH", "38.0", "deterioration")]
    assert len(rows) == 53 and rows[3]["rank"] == "" and rows[3]["status"] == "not_reported"


def test_the_comparison_page_costs_the_same_queries_however_many_partners_report(
        client, digital_skills, django_assert_num_queries):
    approved(digital_skills, {"DE": {2023: 50.0}})
    # Expect 4 queries: the indicator with its priority and objective, the partners, their values, their targets
    with django_assert_num_queries(4):
        client.get("/indicators/3.3.p/partners/")
    approved(digital_skills, TABLE | {code: {2021: 30.0, 2023: 60.0} for code in ("VN", "SG", "IT", "ES")})
    with django_assert_num_queries(4):
        client.get("/indicators/3.3.p/partners/?group=region")


# One objective, every partner --------------------------------------------------------------------------------------


def matrix_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="partner-([A-Z]+)">', page)


def test_the_matrix_has_a_row_per_partner_and_a_column_per_indicator_partners_report(
        client, digital_skills, programmes):
    approved(digital_skills, TABLE)
    approved(programmes, {"DE": {2020: 10, 2023: 5}})

    matrix = compare.objective_matrix(Objective.objects.get(number=3))
    page = client.get("/objectives/3/partners/").content.decode()
    germany = page[page.index('<tr id="partner-DE">'):page.index("</tr>", page.index('<tr id="partner-DE">'))]
    austria = page[page.index('<tr id="partner-AT">'):page.index("</tr>", page.index('<tr id="partner-AT">'))]

    assert [indicator.code for indicator in matrix.indicators] == ["3.1.p", "3.3.p"]
    assert len(matrix.rows) == len(matrix_rows(page)) == 53
    assert ">3.1.p</a></th>" in page and ">3.3.p</a></th>" in page
    # Germany: programmes fell (deterioration), skills rose (on track); overall the mean of the two
    assert germany.count('class="status status-') == 3
    assert "Deterioration" in germany and "On track" in germany
    assert austria.count("not reported") == 3  # text, not colour alone


# Best status first; the other way the worst (Thailand's fall). A single value (France's, Japan's) is too little
# data for a status: it sorts with the partners that did not report, last either way.
@pytest.mark.parametrize(("order", "first"), [("3.3.p", "DE"), ("-3.3.p", "TH"), ("-partner", "VN")])
def test_the_matrix_sorts_by_a_column_and_a_partner_without_a_status_sorts_last(client, digital_skills, order,
                                                                                  first):
    approved(digital_skills, TABLE)

    rows = matrix_rows(client.get(f"/objectives/3/partners/?order={order}").content.decode())

    assert rows[0] == first
    if order != "-partner":
        assert set(rows[:2]) == {"DE", "TH"}  # the partners with a status first, either way


def test_the_matrix_csv_gives_each_partners_status_on_each_indicator(client, digital_skills):
    approved(digital_skills, TABLE)

    response = client.get("/objectives/3/partners/?format=csv")
    text = without_licence(download_text(response))
    rows = {r["partner"]: r for r in csv.DictReader(io.StringIO(text))}

    assert rows["DE"]["3.3.p"] == "on_track" and rows["AT"]["3.3.p"] == "not_reported"
    assert len(rows) == 53


def test_an_objective_without_partner_reported_indicators_says_so(client, strategy):
    page = client.get("/objectives/2/partners/").content.decode()

    assert "Partners report none of this objective's indicators" in page


def test_the_matrix_costs_the_same_queries_however_many_partners_and_indicators(
        client, digital_skills, programmes, django_assert_num_queries):
    approved(digital_skills, {"DE": {2023: 50.0}})
    # Expect 5 queries: the objective, its indicators partners report, the partners, their values, their targets
    with django_assert_num_queries(5):
        client.get("/objectives/3/partners/")
    approved(digital_skills, TABLE)
    approved(programmes, {code: {2020: 3, 2023: 4} for code in ("DE", "TH", "VN", "SG")})
    with django_assert_num_queries(5):
        client.get("/objectives/3/partners/?order=-3.1.p")


# Where the comparisons are reached from ----------------------------------------------------------------------------


def test_the_indicator_page_links_to_its_partners_compared(client, digital_skills):
    page = client.get(digital_skills.get_absolute_url()).content.decode()

    assert '<a href="/indicators/3.3.p/partners/">Compare the partners on 3.3.p in one year' in page


def test_an_objective_page_links_to_its_partners_side_by_side_once_when_partners_report_it(
        client, digital_skills, programmes):
    with_partners = client.get("/objectives/3/").content.decode()
    without = client.get("/objectives/2/").content.decode()

    assert with_partners.count('<a href="/objectives/3/partners/">') == 1
    assert "/objectives/2/partners/" not in without
