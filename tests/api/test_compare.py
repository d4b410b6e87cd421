"""The API's comparison of partners: ranked on an indicator in a year, and side by side on an objective. Both are
reads: anyone may read them, and nobody writes through them."""

import pytest

from objectives import services
from partners.models import Partner
from tests.api.conftest import client_for


def approved(indicator, table: dict[str, dict[int, float]]) -> None:
    for code, series in table.items():
        services.publish_partner_values(
            partner=Partner.objects.get(code=code), indicators=[indicator], years=list(series),
            values={(indicator.pk, year): value for year, value in series.items()},
        )


@pytest.fixture
def skills(reported_indicators):
    """3.3.p, a share: ASEM's value is the simple mean of the partners that reported."""
    indicator = reported_indicators["mean"]
    approved(indicator, {"DE": {2020: 50.0, 2023: 65.0}, "FR": {2023: 70.0}, "TH": {2020: 40.0, 2023: 38.0}})
    return indicator


def test_the_comparison_ranks_the_reporters_and_names_who_did_not_report(anonymous, skills):
    data = anonymous.get("/api/v1/indicators/3.3.p/comparison/").json()

    assert (data["year"], data["years"], data["coverage"], data["partner_count"]) == (2023, [2023, 2020], 3, 53)
    assert [(r["rank"], r["partner"], r["value"]) for r in data["results"]] == [
        (1, "FR", 70.0), (2, "DE", 65.0), (3, "TH", 38.0)]
    assert data["results"][1]["progress"]["status"] == "on_track"
    assert data["results"][0]["url"].endswith("/api/v1/partners/FR/")
    assert data["asem"] == {"region": "", "label": "ASEM", "value": 57.666666666666664, "coverage": 3,
                            "partner_count": 53}
    assert [(s["region"], s["value"], s["coverage"]) for s in data["sides"]] == [("asia", 38.0, 1),
                                                                                ("europe", 67.5, 2)]
    assert len(data["not_reported"]) == 50
    assert {"partner": "JP", "name": "Japan", "region": "asia"} in data["not_reported"]


def test_a_year_can_be_asked_and_a_wrong_one_is_named(anonymous, skills):
    earlier = anonymous.get("/api/v1/indicators/3.3.p/comparison/?year=2020").json()
    wrong = anonymous.get("/api/v1/indicators/3.3.p/comparison/?year=soon")

    assert [r["partner"] for r in earlier["results"]] == ["DE", "TH"]
    assert wrong.status_code == 400
    assert "year" in wrong.content.decode() and "such as 2024" in wrong.content.decode()


def test_an_unknown_indicator_or_objective_is_a_json_404(anonymous, strategy):
    assert anonymous.get("/api/v1/indicators/9.9.z/comparison/").status_code == 404
    assert anonymous.get("/api/v1/objectives/9/partners/").status_code == 404


def test_the_objective_sets_every_partners_statuses_side_by_side(anonymous, skills, reported_indicators):
    data = anonymous.get("/api/v1/objectives/3/partners/").json()
    rows = {row["partner"]: row for row in data["results"]}

    assert [i["code"] for i in data["indicators"]] == ["3.3.p"]
    assert len(rows) == 53
    assert rows["DE"]["cells"] == [{"indicator": "3.3.p", "progress": rows["DE"]["cells"][0]["progress"]}]
    assert rows["DE"]["cells"][0]["progress"]["status"] == "on_track"
    assert rows["DE"]["summary"]["status"] == "on_track" and rows["DE"]["reported"] == 1
    assert rows["AT"]["cells"][0]["progress"] is None and rows["AT"]["reported"] == 0


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob", "secretariat"])
@pytest.mark.parametrize("url", ["/api/v1/indicators/3.3.p/comparison/", "/api/v1/objectives/3/partners/"])
def test_everyone_reads_the_comparisons_and_nobody_writes_through_them(skills, alice, bob, secretariat, who, url):
    client = client_for({"anonymous": None, "alice": alice, "bob": bob, "secretariat": secretariat}[who])

    assert client.get(url).status_code == 200
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url, {}, format="json").status_code == 405


def test_the_comparisons_cost_the_same_queries_however_many_partners_report(
        anonymous, reported_indicators, django_assert_num_queries):
    indicator = reported_indicators["mean"]
    approved(indicator, {"DE": {2023: 50.0}})
    for size in (1, 2):
        # Expect 4 queries: the indicator, the partners, their values, their targets
        with django_assert_num_queries(4):
            assert anonymous.get("/api/v1/indicators/3.3.p/comparison/").status_code == 200
        # Expect 5 queries: the objective, its indicators partners report, the partners, their values, their targets
        with django_assert_num_queries(5):
            assert anonymous.get("/api/v1/objectives/2/partners/").status_code == 200
        if size == 1:
            approved(indicator, {code: {2020: 10.0, 2023: 20.0} for code in ("TH", "VN", "SG", "IT", "FR")})
            approved(reported_indicators["sum"], {code: {2023: 3} for code in ("TH", "VN", "DE")})


def test_a_row_of_the_side_by_side_reads_as_its_declared_fields_give_it(anonymous, skills, reported_indicators):
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from objectives.compare import objective_matrix
    from objectives.compare_api import MatrixRowSerializer
    from objectives.models import Objective

    matrix = objective_matrix(Objective.objects.get(number=3))
    context = {"request": APIRequestFactory().get("/"), "codes": [i.code for i in matrix.indicators]}
    for row in matrix.rows:
        fields = MatrixRowSerializer(context=context)
        assert fields.to_representation(row) == serializers.Serializer.to_representation(fields, row)
