"""A partner's profile: how it is doing toward 2030 beside its side of ASEM and all of ASEM, its reporting record,
its activities and its mobility, as a page, two CSVs and the API."""

import csv
import io
from pathlib import Path

import pytest
from django.utils import timezone

from mobility.models import MobilityFlow
from objectives.models import PartnerTarget
from objectives.services import publish_partner_values
from partners.models import Partner
from reporting.models import Return
from tests import factories
from tests.csv_files import download_text, without_licence
from tests.reporting import conftest as reporting
from tests.reporting.conftest import reported_indicator

YEARS = range(2020, 2025)
reported_indicators = reporting.reported_indicators
opened_round = reporting.open_round


def publish(code: str, indicator, values: dict[int, float]) -> None:
    publish_partner_values(partner=Partner.objects.get(code=code), indicators=[indicator], years=YEARS,
                           values={(indicator.pk, year): value for year, value in values.items()})


@pytest.fixture
def reported(strategy):
    """Germany, France and Thailand report programmes (a sum) and a share (a mean); Germany has its own target."""
    programmes = reported_indicator("2.2.p", "TVET programmes co-designed with industry", aggregation="sum",
                                    kind="count", unit="programmes", baseline=(2020, 140), target=400)
    share = reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean",
                               kind="percentage", unit="%", baseline=(2020, 54), target=80)
    publish("DE", programmes, {2020: 10, 2024: 20})
    publish("FR", programmes, {2024: 30})
    publish("TH", programmes, {2024: 5})
    publish("DE", share, {2020: 60, 2024: 58})
    publish("FR", share, {2024: 70})
    PartnerTarget.objects.create(indicator=programmes, partner=Partner.objects.get(code="DE"), target_value=40)
    return {"programmes": programmes, "share": share}


def test_a_partner_shows_its_status_on_each_indicator_beside_its_side_and_all_of_asem(client, reported):
    response = client.get("/partners/DE/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Toward 2030" in page
    lines = {line.indicator.code: line for line in response.context["values"].lines}
    programmes, share = lines["2.2.p"], lines["3.3.p"]
    assert (programmes.year, programmes.value) == (2024, 20)
    # Europe's programmes are Germany's and France's, summed; all of ASEM adds Thailand's.
    assert (programmes.side.value, programmes.side.coverage, programmes.side.partners) == (50, 2, 31)
    assert (programmes.asem.value, programmes.asem.coverage, programmes.asem.partners) == (55, 3, 53)
    # The share is a simple mean of those that reported it.
    assert (share.side.value, share.asem.value, share.asem.coverage) == (64, 64, 2)
    assert programmes.has_own_target and programmes.result.target_value == 40
    assert share.result.status == "deterioration"
    assert "sum of 2 of 31 partners" in page
    assert "mean of 2 of 53 partners" in page
    assert 'href="/indicators/2.2.p/#partner-DE"' in page


# The rows and their figures as the template drew them through its includes, before they were written directly.
AS_DRAWN = Path(__file__).parent


def test_the_indicator_rows_read_exactly_as_the_template_drew_them(client, reported):
    from django.template import Context, Template, engines

    from reports.profiles import indicator_rows_html

    publish("TH", reported["programmes"], {2024: 1234})
    germany = Partner.objects.get(code="DE")
    engine = engines["django"].engine
    figure = Template((AS_DRAWN / "profile_figure_as_drawn.html").read_text(), engine=engine)
    rows = Template((AS_DRAWN / "profile_rows_as_drawn.html").read_text(), engine=engine)
    for line in client.get("/partners/DE/").context["values"].objectives:
        drawn = rows.render(Context({"line": line, "partner": germany, "figure": figure}))
        assert indicator_rows_html(line.indicators, germany) == drawn


def test_a_partner_sums_up_each_objective_by_how_many_indicators_have_each_status(client, reported):
    objectives = client.get("/partners/DE/").context["values"].objectives
    # Objective 1 holds Germany's international students as the OECD counts them, which load_strategy ships
    assert [line.objective.number for line in objectives] == [1, 2, 3]
    assert objectives[2].summary == "1 deteriorating"
    assert objectives[2].result.status == "deterioration"
    assert "(1 deteriorating)" in client.get("/partners/DE/").content.decode()


def test_a_partner_without_approved_values_says_so(client, reported):
    page = client.get("/partners/VN/").content.decode()  # Viet Nam reports no students to the OECD either
    assert "No value reported by Viet Nam has been approved yet." in page


def test_the_reporting_record_shows_each_opened_round_and_only_what_the_public_may_know(client, opened_round):
    Return.objects.filter(round=opened_round, partner__code="DE").update(
        state=Return.State.APPROVED, approved_at=timezone.now())
    Return.objects.filter(round=opened_round, partner__code="TH").update(state=Return.State.RETURNED,
                                                                       review_note="Fix 2025, please.")
    de = client.get("/partners/DE/").content.decode()
    assert "Stocktaking 2027" in de and "Approved on" in de
    th = client.get("/partners/TH/").content.decode()
    assert "Not submitted yet" in th
    assert "Fix 2025" not in th


def test_a_partner_shows_its_mobility_by_mode_and_level_its_largest_routes_and_the_balance(client, strategy):
    de, th, fr = (factories.partner(code) for code in ("DE", "TH", "FR"))
    MobilityFlow.objects.create(year=2024, origin=th, destination=de, level="higher_education", participants=100,
                                reported_by=de)
    MobilityFlow.objects.create(year=2024, origin=fr, destination=de, level="staff", mode="virtual",
                                participants=20, reported_by=de)
    MobilityFlow.objects.create(year=2024, origin=de, destination=th, level="higher_education", participants=60,
                                reported_by=th)
    response = client.get("/partners/DE/")
    flows = response.context["flows"]
    assert (flows.incoming, flows.outgoing) == (120, 60)
    assert flows.balance == 2
    assert [row["origin"] for row in flows.incoming_corridors] == ["TH", "FR"]
    assert [row["destination"] for row in flows.outgoing_corridors] == ["TH"]
    page = response.content.decode()
    assert "120 participants came in and 60 went out" in page
    assert "The balance: 2.00 coming in for each one going out." in page
    assert "Mobility to and from Germany by mode" in page and "Mobility to and from Germany by level" in page
    assert 'href="/partners/DE/mobility.csv"' in page


def test_the_mobility_rows_read_exactly_as_the_template_drew_them(client, strategy):
    from django.template import Context, Template, engines

    de, th = factories.partner("DE"), factories.partner("TH")
    MobilityFlow.objects.create(year=2024, origin=th, destination=de, level="higher_education", participants=12345,
                                reported_by=de)
    MobilityFlow.objects.create(year=2023, origin=de, destination=th, level="staff", mode="virtual", participants=7,
                                reported_by=th)
    response = client.get("/partners/DE/")
    drawn = Template((AS_DRAWN / "profile_mobility_rows_as_drawn.html").read_text().rstrip("\n"),
                     engine=engines["django"].engine).render(Context({"flows": response.context["flows"]}))
    assert str(response.context["flow_rows"]) == drawn
    assert "12,345" in drawn and "Virtual" in drawn


def test_the_values_csv_lists_every_value_with_its_side_and_asem_figures(client, reported):
    response = client.get("/partners/DE/values.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="asem-de-values.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(without_licence(download_text(response)))))
    rows = [row for row in rows if not row["indicator"].startswith("1.1.oecd")]  # the OECD's students figures
    assert [(row["indicator"], row["year"], row["value"]) for row in rows] == [
        ("2.2.p", "2020", "10.0"), ("2.2.p", "2024", "20.0"), ("3.3.p", "2020", "60.0"), ("3.3.p", "2024", "58.0")]
    assert (rows[1]["side_value"], rows[1]["asem_value"], rows[1]["asem_coverage"]) == ("50.0", "55.0", "3")


def test_the_mobility_csv_lists_the_sums_by_year_mode_and_level(client, strategy):
    de, th = factories.partner("DE"), factories.partner("TH")
    MobilityFlow.objects.create(year=2024, origin=th, destination=de, level="staff", participants=7, reported_by=de)
    response = client.get("/partners/DE/mobility.csv")
    rows = list(csv.DictReader(io.StringIO(without_licence(download_text(response)))))
    assert rows == [{"year": "2024", "mode": "physical", "level": "staff", "incoming": "7", "outgoing": "0"}]


@pytest.mark.parametrize("path", ["/partners/XX/", "/partners/XX/values.csv", "/partners/XX/mobility.csv"])
def test_an_unknown_partner_is_not_found(client, strategy, path):
    assert client.get(path).status_code == 404


def test_the_api_gives_the_profile_as_the_page_shows_it(client, reported):
    response = client.get("/api/v1/partners/de/profile/")
    assert response.status_code == 200
    data = response.json()
    assert data["partner"]["code"] == "DE"
    assert data["partner"]["url"].endswith("/partners/DE/")
    indicators = {item["indicator"]: item for objective in data["objectives"] for item in objective["indicators"]}
    assert indicators["2.2.p"]["side"] == {"value": 50, "coverage": 2, "partners": 31}
    assert indicators["2.2.p"]["result"]["status"]
    assert data["objectives"][2]["summary"] == "1 deteriorating"  # objective 1 holds the OECD's students figures
    assert data["mobility"]["balance"] is None


def test_the_api_says_when_no_partner_has_the_code(client, strategy):
    response = client.get("/api/v1/partners/XX/profile/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No partner has this code."


def test_the_api_profile_is_read_only(client, strategy, secretariat):
    client.force_login(secretariat)
    assert client.post("/api/v1/partners/DE/profile/", {}).status_code == 405


@pytest.mark.parametrize("kept_totals", [False, True], ids=["summing-the-flows", "reading-the-kept-totals"])
@pytest.mark.parametrize("size", [1, 4])
def test_a_partner_takes_the_same_number_of_queries_whatever_the_size(
    client, strategy, django_assert_num_queries, size, kept_totals
):
    from mobility import totals

    partners = list(Partner.objects.order_by("code")[: 3 * size])
    for number in range(size):
        indicator = reported_indicator(f"2.2.{chr(ord('p') + number)}", f"Programmes {number}", aggregation="sum",
                                       kind="count", unit="programmes", baseline=(2020, 10), target=40)
        for position, partner in enumerate([factories.partner("DE"), *partners]):
            publish(partner.code, indicator, {2020: 10 + position, 2024: 12 + position})
        for partner in partners:
            if partner.code != "DE":
                MobilityFlow.objects.create(year=2020 + number, origin=partner, destination=factories.partner("DE"),
                                            level="school", participants=3 + number, reported_by=partner)
        factories.ActivityFactory(slug=f"led-{number}", lead_partner=factories.partner("DE"))
        factories.ActivityFactory(slug=f"joined-{number}", lead_partner=partners[0]).partners.add(
            factories.partner("DE"))
    if kept_totals:
        totals.rebuild()
    # Expect 18 queries: the partner; its values; their indicators with their priorities and objectives; its own
    # targets; how many partners each side has; the partners' sums by indicator, year and side; the activities
    # it leads and those it joins (a page of each) and their two counts; whether the kept flow totals are current,
    # twice (its mobility, and its mobility by year); its flows by year, mode and level, and its routes (which its
    # map shows too), from the kept totals or from the flows; its mobility in and out by year; the routes both ends
    # reported differently; its returns with their rounds; and the partners' names for its map
    with django_assert_num_queries(18):
        assert client.get("/partners/DE/").status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_the_api_profile_takes_the_same_number_of_queries_whatever_the_size(
    client, strategy, django_assert_num_queries, size
):
    partners = list(Partner.objects.order_by("code")[: 3 * size])
    for number in range(size):
        indicator = reported_indicator(f"2.2.{chr(ord('p') + number)}", f"Programmes {number}", aggregation="mean",
                                       kind="count", unit="programmes", baseline=(2020, 10), target=40)
        for position, partner in enumerate([factories.partner("DE"), *partners]):
            publish(partner.code, indicator, {2020: 10 + position, 2024: 12 + position})
    # Expect 10 queries: the partner; its values; their indicators; its own targets; how many partners each
    # side has; the partners' sums; its returns with their rounds; its flows by year, mode and level; its
    # largest routes in and out
    with django_assert_num_queries(10):
        assert client.get("/api/v1/partners/DE/profile/").status_code == 200
