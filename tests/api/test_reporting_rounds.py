"""Rounds, their board and partners' approved values in the API: who reads what, and what a draft never shows."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from objectives.models import Observation
from reporting.models import Question, Reminder, Return, Round
from tests.api.conftest import client_for
from tests.csv_files import without_licence


@pytest.fixture
def draft_round(reported_indicators):
    """Stocktaking 2029, still being prepared: only the secretariat sees it."""
    round_ = Round.objects.create(name="Stocktaking 2029", slug="stocktaking-2029", first_year=2027, last_year=2028,
                                  deadline=timezone.localdate() + datetime.timedelta(days=400))
    round_.indicators.set([reported_indicators["sum"]])
    return round_


def approve(report: Return, when: datetime.datetime | None = None) -> Return:
    report.state = Return.State.APPROVED
    report.approved_at = when or timezone.now()
    report.save()
    return report


# Rounds ------------------------------------------------------------------------------------------------------------


def test_anyone_reads_an_open_round_with_its_years_indicators_questions_and_approved_partners(
        open_round, draft_round, anonymous):
    approve(Return.objects.get(round=open_round, partner__code="TH"))

    response = anonymous.get("/api/v1/rounds/")

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == ["stocktaking-2027"]
    item = response.json()["results"][0]
    assert item["name"] == "Stocktaking 2027"
    assert (item["first_year"], item["last_year"], item["years"]) == (2024, 2026, [2024, 2025, 2026])
    assert item["state"] == "open"
    assert item["indicators"] == ["2.1.p", "2.2.p", "3.3.p"]
    assert item["questions"] == [
        {"number": 1, "text": "What were the highlights?", "guidance": "", "required": True},
        {"number": 2, "text": "What good practice would you share?", "guidance": "", "required": False},
    ]
    assert [approved["partner"] for approved in item["approved"]] == ["TH"]
    assert item["approved"][0]["approved_at"]
    assert item["url"].endswith("/api/v1/rounds/stocktaking-2027/")


def test_a_round_being_prepared_is_the_secretariats_alone(draft_round, anonymous, as_alice, as_secretariat):
    assert anonymous.get("/api/v1/rounds/stocktaking-2029/").status_code == 404
    assert as_alice.get("/api/v1/rounds/stocktaking-2029/").status_code == 404
    assert as_alice.get("/api/v1/rounds/").json()["count"] == 0

    response = as_secretariat.get("/api/v1/rounds/stocktaking-2029/")

    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    assert as_secretariat.get("/api/v1/rounds/?state=draft").json()["count"] == 1


def test_rounds_filter_by_the_year_they_ask_for(open_round, draft_round, as_secretariat):
    def slugs(query):
        return [item["slug"] for item in as_secretariat.get(f"/api/v1/rounds/?{query}").json()["results"]]

    assert slugs("year=2025") == ["stocktaking-2027"]
    assert slugs("year=2028") == ["stocktaking-2029"]
    assert slugs("ordering=name") == ["stocktaking-2027", "stocktaking-2029"]
    response = as_secretariat.get("/api/v1/rounds/?state=ajar")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"


def test_the_rounds_come_as_csv_too(open_round, anonymous):
    response = anonymous.get("/api/v1/rounds/?format=csv")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(response.streaming_content).decode()))))
    assert [(row["slug"], row["years"], row["indicators"]) for row in rows] == [
        ("stocktaking-2027", "2024;2025;2026", "2.1.p;2.2.p;3.3.p")]


# The board -----------------------------------------------------------------------------------------------------------


def test_only_the_secretariat_sees_the_board(open_round, anonymous, as_alice, as_bob):
    assert anonymous.get("/api/v1/rounds/stocktaking-2027/board/").status_code == 401
    refused = as_alice.get("/api/v1/rounds/stocktaking-2027/board/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the secretariat sees the board of a round."
    assert as_bob.get("/api/v1/rounds/stocktaking-2027/board/").status_code == 403


def test_the_board_has_a_row_per_partner_and_totals_by_state(open_round, de_return, as_secretariat):
    approve(Return.objects.get(round=open_round, partner__code="TH"))
    Reminder.objects.create(report=de_return, threshold="before-7", recipients="alice@example.org")

    response = as_secretariat.get("/api/v1/rounds/stocktaking-2027/board/")

    assert response.status_code == 200
    board = response.json()
    assert (board["round"], board["partners"], board["values_requested"], board["questions"]) == (
        "stocktaking-2027", 53, 9, 2)
    assert board["totals"] == {"draft": 52, "approved": 1}
    germany = next(row for row in board["results"] if row["partner"] == "DE")
    assert germany["state"] == "draft"
    assert (germany["values_filled"], germany["percent_filled"]) == (0, 0)
    assert germany["focal_points"] == [{"name": "alice", "email": "alice@example.org"}]
    assert [reminder["threshold"] for reminder in germany["reminders"]] == ["before-7"]
    assert germany["return_url"].endswith(f"/api/v1/returns/{de_return.pk}/")


def test_the_board_filters_and_sorts_as_the_page_does(open_round, as_secretariat):
    approve(Return.objects.get(round=open_round, partner__code="TH"))

    approved = as_secretariat.get("/api/v1/rounds/stocktaking-2027/board/?state=approved").json()
    asia = as_secretariat.get("/api/v1/rounds/stocktaking-2027/board/?region=asia&ordering=-partner").json()

    assert [row["partner"] for row in approved["results"]] == ["TH"]
    assert approved["totals"] == {"draft": 52, "approved": 1}  # every partner, whatever the filter
    names = [row["partner_name"] for row in asia["results"]]
    assert len(names) == 22 and names == sorted(names, key=str.casefold, reverse=True)


@pytest.mark.parametrize(("query", "parameter"), [("state=ajar", "state"), ("region=africa", "region"),
                                                  ("ordering=size", "ordering"), ("state=", "state")])
def test_a_bad_board_parameter_is_a_400_naming_it(open_round, as_secretariat, query, parameter):
    response = as_secretariat.get(f"/api/v1/rounds/stocktaking-2027/board/?{query}")

    assert response.status_code == 400
    assert [(error["location"], error["field"]) for error in response.json()["errors"]] == [("query", parameter)]


def test_the_board_comes_as_csv_one_line_per_partner(open_round, as_secretariat):
    response = as_secretariat.get("/api/v1/rounds/stocktaking-2027/board/?format=csv&region=europe")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="board-stocktaking-2027.csv"'
    rows = list(csv.DictReader(io.StringIO(without_licence(response.content.decode()))))
    assert len(rows) == 31
    assert {"partner", "state", "values_filled", "percent_filled", "updated_by"} <= set(rows[0])


def test_the_secretariat_sees_the_board_of_a_round_being_prepared(draft_round, as_secretariat):
    response = as_secretariat.get("/api/v1/rounds/stocktaking-2029/board/")

    assert response.status_code == 200
    assert response.json()["totals"] == {"none": 53}


# A partner's approved values -------------------------------------------------------------------------------------


def test_a_partners_values_are_its_approved_observations(reported_indicators, partner_de, anonymous):
    Observation.objects.create(indicator=reported_indicators["sum"], partner=partner_de, year=2025, value=12)
    Observation.objects.create(indicator=reported_indicators["mean"], partner=partner_de, year=2024, value=61.5)
    Observation.objects.create(indicator=reported_indicators["sum"], year=2025, value=140)  # ASEM as a whole

    response = anonymous.get("/api/v1/partners/de/values/?year_from=2020")  # before: the OECD's students figures

    assert response.status_code == 200
    assert [(item["indicator"], item["unit"], item["year"], item["value"]) for item in response.json()["results"]] \
        == [("2.2.p", "programmes", 2025, 12.0), ("3.3.p", "%", 2024, 61.5)]
    assert response.json()["results"][0]["indicator_url"].endswith("/api/v1/indicators/2.2.p/")
    only = anonymous.get("/api/v1/partners/DE/values/?indicator=3.3.p").json()["results"]
    assert [item["value"] for item in only] == [61.5]
    assert anonymous.get("/api/v1/partners/DE/values/?year_from=2025").json()["count"] == 1


def test_an_unknown_partner_has_no_values(strategy, anonymous):
    response = anonymous.get("/api/v1/partners/XX/values/")

    assert response.status_code == 404
    assert response.json()["detail"] == "No partner has this code."


def test_a_partners_values_come_as_csv(reported_indicators, partner_de, anonymous):
    Observation.objects.create(indicator=reported_indicators["sum"], partner=partner_de, year=2025, value=12)

    response = anonymous.get("/api/v1/partners/DE/values/?format=csv&indicator=2.2.p")

    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(response.streaming_content).decode()))))
    assert [(row["indicator"], row["year"], row["value"]) for row in rows] == [("2.2.p", "2025", "12.0")]
    assert response["Content-Disposition"] == 'attachment; filename="values-DE.csv"'


# Query counts ------------------------------------------------------------------------------------------------------


def grow_round(round_: Round, n: int) -> None:
    for number in range(3, 3 + n):
        Question.objects.create(round=round_, number=number, text=f"Question {number}")
    for report in Return.objects.filter(round=round_)[:n]:
        approve(report)


def test_reading_rounds_costs_the_same_queries_however_much_they_hold(open_round, draft_round, anonymous,
                                                                      as_secretariat, django_assert_num_queries):
    # Expect 5 queries: count, rounds, their indicators, questions, approved returns with their partners
    with django_assert_num_queries(5):
        assert anonymous.get("/api/v1/rounds/").status_code == 200
    # Expect 4 queries: the round, its indicators, questions, approved returns with their partners
    with django_assert_num_queries(4):
        assert anonymous.get("/api/v1/rounds/stocktaking-2027/").status_code == 200
    grow_round(open_round, 10)
    with django_assert_num_queries(5):
        assert anonymous.get("/api/v1/rounds/").status_code == 200
    with django_assert_num_queries(4):
        assert anonymous.get("/api/v1/rounds/stocktaking-2027/").status_code == 200


def test_the_board_costs_a_fixed_number_of_queries(open_round, secretariat, django_assert_num_queries):
    as_sam = client_for(secretariat)
    # Expect 9 queries: the token, sam's groups, the round, then the board's six (indicators, questions, returns
    # with their counts, partners, focal points, reminders)
    with django_assert_num_queries(9):
        assert as_sam.get("/api/v1/rounds/stocktaking-2027/board/").status_code == 200
    grow_round(open_round, 10)
    with django_assert_num_queries(9):
        assert as_sam.get("/api/v1/rounds/stocktaking-2027/board/").status_code == 200


def test_a_partners_values_cost_three_queries(reported_indicators, partner_de, anonymous,
                                              django_assert_num_queries):
    for year in range(2020, 2030):
        Observation.objects.create(indicator=reported_indicators["sum"], partner=partner_de, year=year, value=year)

    # Expect 3 queries: the partner, count, its values with their indicators
    with django_assert_num_queries(3):
        assert anonymous.get("/api/v1/partners/DE/values/?year_from=2020").json()["count"] == 10
