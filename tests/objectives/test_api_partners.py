"""The API of partners' own values: an indicator's observations are ASEM's unless a partner is asked for, each
partner's value and status has an address of its own, and the secretariat's writes of partners' values are checked
and make the ASEM series afresh."""

import pytest

from objectives import services
from objectives.models import Indicator, Observation, PartnerTarget
from partners.models import Partner
from tests import factories
from tests.api.conftest import client_for

CODES = ["DE", "FR", "IT", "EU", "TH", "JP", "CN", "ASEAN"]


@pytest.fixture
def partners(db):
    return {code: factories.partner(code) for code in CODES}


@pytest.fixture
def share(partners):
    """A share each partner reports; ASEM's value is their simple mean."""
    return factories.IndicatorFactory(code="3.3.p", aggregation="mean", kind=Indicator.Kind.PERCENTAGE, unit="%",
                                      baseline_year=2020, baseline_value=54, target_value=80)


@pytest.fixture
def asem_only(partners):
    return factories.IndicatorFactory(code="1.1.a", kind=Indicator.Kind.COUNT)


def approve(indicator, code, series):
    services.publish_partner_values(partner=Partner.objects.get(code=code), indicators=[indicator],
                                    years=list(series),
                                    values={(indicator.pk, year): value for year, value in series.items()})


def asem(indicator):
    return dict(indicator.observations.filter(partner=None, breakdown="").values_list("year", "value"))


def errors(response):
    return {error["field"]: error["message"] for error in response.json()["errors"]}


# Reads ----------------------------------------------------------------------------------------------------------


def test_an_indicators_observations_are_asems_with_their_coverage(share):
    approve(share, "DE", {2020: 50.0, 2023: 60.0})
    approve(share, "TH", {2023: 40.0})

    rows = client_for().get("/api/v1/indicators/3.3.p/observations/").json()["results"]

    assert [(row["year"], row["value"], row["partner"], row["coverage"], row["is_computed"]) for row in rows] == [
        (2020, 50.0, None, 1, True), (2023, 50.0, None, 2, True)]


def test_a_partners_own_values_are_asked_for_by_its_code(share):
    approve(share, "DE", {2020: 50.0, 2023: 60.0})
    approve(share, "TH", {2023: 40.0})

    rows = client_for().get("/api/v1/indicators/3.3.p/observations/?partner=DE").json()["results"]

    assert [(row["year"], row["value"], row["partner"], row["coverage"]) for row in rows] == [
        (2020, 50.0, "DE", None), (2023, 60.0, "DE", None)]


def test_an_unknown_partner_is_a_400_naming_the_parameter(share):
    response = client_for().get("/api/v1/indicators/3.3.p/observations/?partner=XX")

    assert response.status_code == 400
    assert "partner" in errors(response)


def test_one_partner_observation_has_an_address_of_its_own(share):
    approve(share, "DE", {2023: 60.0})
    observation = Observation.objects.get(partner__code="DE")

    row = client_for().get(f"/api/v1/indicators/3.3.p/observations/{observation.pk}/").json()

    assert (row["partner"], row["value"]) == ("DE", 60.0)


def test_an_indicator_says_how_partners_values_make_its_asem_value(share, asem_only):
    api = client_for()

    reported = api.get("/api/v1/indicators/3.3.p/").json()
    measured = api.get("/api/v1/indicators/1.1.a/").json()

    assert (reported["aggregation"], reported["count_at_least"]) == ("mean", 1.0)
    assert reported["partners_url"] == "http://testserver/api/v1/indicators/3.3.p/partners/"
    assert (measured["aggregation"], measured["partners_url"]) == ("asem", None)


def test_each_partners_latest_value_and_status_come_with_the_figures_behind_it(share):
    approve(share, "DE", {2020: 50.0, 2023: 65.0})
    approve(share, "TH", {2020: 40.0, 2023: 38.0})
    PartnerTarget.objects.create(indicator=share, partner=Partner.objects.get(code="TH"), target_value=60)

    body = client_for().get("/api/v1/indicators/3.3.p/partners/").json()

    assert (body["indicator"], body["aggregation"], body["partner_count"], body["reported"]) == ("3.3.p", "mean", 8, 2)
    germany, thailand = body["results"]
    assert (germany["partner"], germany["latest_year"], germany["latest_value"], germany["has_own_target"]) == (
        "DE", 2023, 65.0, False)
    assert germany["url"] == "http://testserver/api/v1/partners/DE/"
    assert germany["progress"]["status"] == "on_track"
    assert germany["progress"]["method"] == "fixed_thresholds"
    assert round(germany["progress"]["actual_growth"], 4) == 0.0914
    assert (thailand["has_own_target"], thailand["progress"]["target_value"], thailand["progress"]["status"]) == (
        True, 60.0, "deterioration")


def test_the_partners_statuses_as_of_an_earlier_year(share):
    approve(share, "DE", {2020: 50.0, 2021: 49.0, 2023: 65.0})

    body = client_for().get("/api/v1/indicators/3.3.p/partners/?as_of=2021").json()

    assert body["as_of"] == 2021
    assert (body["results"][0]["latest_year"], body["results"][0]["progress"]["status"]) == (2021, "deterioration")


def test_an_asem_level_indicator_has_no_partners_and_an_unknown_one_is_not_found(asem_only):
    api = client_for()

    assert api.get("/api/v1/indicators/1.1.a/partners/").json()["results"] == []
    assert api.get("/api/v1/indicators/9.9.z/partners/").status_code == 404
    assert api.get("/api/v1/indicators/1.1.a/partners/?as_of=soon").status_code == 400


@pytest.mark.parametrize("count", [1, len(CODES)])
def test_the_partners_list_takes_the_same_number_of_queries_however_many_report(
    share, django_assert_num_queries, count
):
    for code in CODES[:count]:
        approve(share, code, {2020: 40.0, 2023: 45.0})
        PartnerTarget.objects.create(indicator=share, partner=Partner.objects.get(code=code), target_value=60)
    api = client_for()

    # Expect 4 queries: the indicator, the partners' values with their partners, their targets, the partners counted
    with django_assert_num_queries(4):
        assert len(api.get("/api/v1/indicators/3.3.p/partners/").json()["results"]) == count


@pytest.mark.parametrize("count", [1, len(CODES)])
def test_a_partners_observations_take_the_same_number_of_queries_however_many_report(
    share, django_assert_num_queries, count
):
    for code in CODES[:count]:
        approve(share, code, {2020: 40.0, 2023: 45.0})
    api = client_for()

    # Expect 4 queries: the partner asked for, the indicator, the count, the observations with their partners
    with django_assert_num_queries(4):
        assert api.get("/api/v1/indicators/3.3.p/observations/?partner=DE").json()["count"] == 2


# Writes ---------------------------------------------------------------------------------------------------------

ROLES = ["anonymous", "alice", "bob", "secretariat"]


@pytest.fixture
def as_role(request):
    def client(role):
        return client_for(None if role == "anonymous" else request.getfixturevalue(role))
    return client


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [401, 403, 403, 201], strict=True)))
def test_only_the_secretariat_records_a_partners_value_and_asem_follows(share, as_role, role, expected):
    approve(share, "TH", {2023: 40.0})

    response = as_role(role).post("/api/v1/indicators/3.3.p/observations/",
                                  {"year": 2023, "value": 60, "partner": "DE"}, format="json")

    assert response.status_code == expected
    if expected == 201:
        assert (response.json()["partner"], response.json()["is_computed"]) == ("DE", False)
        assert asem(share) == {2023: 50.0}
    else:  # a refusal writes nothing
        assert not Observation.objects.filter(partner__code="DE").exists()
        assert asem(share) == {2023: 40.0}


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [401, 403, 403, 200], strict=True)))
def test_only_the_secretariat_corrects_a_partners_value(share, as_role, role, expected):
    approve(share, "DE", {2023: 60.0})
    approve(share, "TH", {2023: 40.0})
    germany = Observation.objects.get(partner__code="DE")

    response = as_role(role).patch(f"/api/v1/indicators/3.3.p/observations/{germany.pk}/", {"value": 70},
                                   format="json")

    assert response.status_code == expected
    assert asem(share) == {2023: 55.0 if expected == 200 else 50.0}


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [401, 403, 403, 204], strict=True)))
def test_only_the_secretariat_deletes_a_partners_value(share, as_role, role, expected):
    approve(share, "DE", {2023: 60.0})
    approve(share, "TH", {2023: 40.0})
    germany = Observation.objects.get(partner__code="DE")

    response = as_role(role).delete(f"/api/v1/indicators/3.3.p/observations/{germany.pk}/")

    assert response.status_code == expected
    assert asem(share) == {2023: 40.0 if expected == 204 else 50.0}


def test_an_asem_level_indicator_takes_no_partners_value(asem_only, secretariat):
    response = client_for(secretariat).post("/api/v1/indicators/1.1.a/observations/",
                                            {"year": 2023, "value": 5, "partner": "DE"}, format="json")

    assert response.status_code == 400
    assert errors(response) == {
        "partner": "1.1.a is measured for ASEM as a whole: partners do not report it, so its observations name no "
                   "partner."}
    assert not asem_only.observations.exists()


def test_the_asem_value_of_an_indicator_partners_report_is_never_written_by_hand(share, secretariat):
    approve(share, "DE", {2023: 60.0})
    computed = share.observations.get(partner=None)
    api = client_for(secretariat)

    created = api.post("/api/v1/indicators/3.3.p/observations/", {"year": 2024, "value": 5}, format="json")
    changed = api.patch(f"/api/v1/indicators/3.3.p/observations/{computed.pk}/", {"value": 5}, format="json")
    deleted = api.delete(f"/api/v1/indicators/3.3.p/observations/{computed.pk}/")

    assert [created.status_code, changed.status_code, deleted.status_code] == [400, 400, 400]
    assert "partner" in errors(created) and "partner" in errors(changed)
    assert "made from the partners' values" in deleted.json()["errors"][0]["message"]
    assert asem(share) == {2023: 60.0}


def test_a_partners_percentage_is_checked_like_a_returns(share, secretariat):
    response = client_for(secretariat).post("/api/v1/indicators/3.3.p/observations/",
                                            {"year": 2023, "value": 120, "partner": "DE"}, format="json")

    assert response.status_code == 400
    assert errors(response) == {"value": "3.3.p is a percentage: give a value from 0 to 100."}
    assert not share.observations.exists()


def test_changing_how_partners_values_make_the_asem_value_makes_it_afresh(share, secretariat):
    approve(share, "DE", {2023: 60.0})
    approve(share, "TH", {2023: 40.0})

    response = client_for(secretariat).patch("/api/v1/indicators/3.3.p/", {"aggregation": "count",
                                                                           "count_at_least": 50}, format="json")

    assert response.status_code == 200
    assert asem(share) == {2023: 1.0}  # only Germany has 50 % or more
    assert share.observations.get(partner=None).coverage == 2
