"""Every count has one upper bound, MAX_COUNT, the same through every door: the API, the forms, uploads and the
database itself. A count far above it once overflowed the sums (on SQLite) and took the public pages down."""

import pytest
from django.db import IntegrityError, transaction

from mobility.imports import FlowFileInvalid, flows_as_csv, import_flows
from mobility.models import MAX_COUNT, Activity, MobilityFlow
from tests import factories
from tests.api.conftest import client_for

TOO_MANY = MAX_COUNT + 1


@pytest.fixture
def route(db):
    return factories.partner("TH"), factories.partner("DE")


def test_the_bound_is_generous_yet_a_billion_counts_at_it_sum_inside_a_64_bit_integer():
    assert MAX_COUNT >= 1_000_000
    assert MAX_COUNT * 1_000_000_000 < 2**63 - 1


@pytest.mark.parametrize("field", ["participants", "female", "fewer_opportunities"])
def test_the_api_refuses_a_flow_count_above_the_bound_naming_the_field(alice, route, field):
    flow = {"year": 2024, "origin": "TH", "destination": "DE", "level": "tvet", "participants": 40, field: TOO_MANY}

    response = client_for(alice).post("/api/v1/mobility/flows/", flow, format="json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert "10000000" in error["message"] or "10,000,000" in error["message"]
    assert MobilityFlow.objects.count() == 0


def test_the_api_refuses_an_activity_count_above_the_bound_naming_the_field(alice, route):
    response = client_for(alice).post("/api/v1/activities/", {
        "title": "A seminar", "lead_partner": "DE", "participants_asia": TOO_MANY}, format="json")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["participants_asia"]
    assert Activity.objects.count() == 0


def test_the_activity_form_refuses_a_count_above_the_bound_next_to_its_field(client, alice, route):
    client.force_login(alice)

    response = client.post("/workspace/activities/new/", {
        "title": "A seminar", "activity_type": "conference", "status": "planned", "delivery_mode": "physical",
        "lead_partner": route[1].pk, "participants_europe": str(TOO_MANY)})

    assert response.status_code == 400
    assert 'id="id_participants_europe_error"' in response.content.decode()
    assert "At most 10,000,000: no count may be larger." in response.content.decode()
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(("column", "index"), [("participants", 5), ("female", 6), ("fewer_opportunities", 7)])
def test_an_upload_refuses_a_count_above_the_bound_with_its_line_and_column(route, column, index):
    row = [2024, "TH", "DE", "physical", "tvet", TOO_MANY, "", "", "", ""]
    row[index] = TOO_MANY

    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=flows_as_csv([row]), filename="flows.csv")

    assert f"Line 2, {column}: 10,000,001 is too large: a count may be at most 10,000,000." in caught.value.messages
    assert MobilityFlow.objects.count() == 0


def test_an_upload_takes_a_count_at_the_bound(route):
    import_flows(file=flows_as_csv([[2024, "TH", "DE", "physical", "tvet", MAX_COUNT, MAX_COUNT, 0, "", ""]]))

    assert MobilityFlow.objects.get().participants == MAX_COUNT


@pytest.mark.parametrize("field", ["participants", "female", "fewer_opportunities"])
def test_the_database_refuses_a_flow_count_above_the_bound(route, field):
    flow = factories.MobilityFlowFactory(origin=route[0], destination=route[1], participants=10, female=None,
                                         fewer_opportunities=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        # Participants too, so that only the bound is broken (a count above the participants has its own check).
        # One above the bound, not a huge number: PostgreSQL's integer column would refuse that by its own range.
        MobilityFlow.objects.filter(pk=flow.pk).update(**{"participants": TOO_MANY, field: TOO_MANY})


@pytest.mark.parametrize("field", ["participants_asia", "participants_europe"])
def test_the_database_refuses_an_activity_count_above_the_bound(route, field):
    activity = factories.ActivityFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(**{field: TOO_MANY})


def test_the_public_pages_stay_up_with_every_count_at_the_bound(client, route):
    th, de = route
    for year in range(2015, 2025):
        for level in ("tvet", "school", "staff"):
            for origin, destination in ((th, de), (de, th)):
                factories.MobilityFlowFactory(year=year, origin=origin, destination=destination, level=level,
                                              participants=MAX_COUNT, female=MAX_COUNT,
                                              fewer_opportunities=MAX_COUNT)
    factories.ActivityFactory(state="published", participants_asia=MAX_COUNT, participants_europe=MAX_COUNT)

    for path in ["/", "/mobility/", "/partners/", "/partners/TH/", "/reports/stocktaking/",
                 "/api/v1/mobility/summary/", "/api/v1/mobility/summary/?group_by=origin"]:
        assert client.get(path).status_code == 200, path
    assert "600,000,000" in client.get("/mobility/").content.decode()  # 60 flows at the bound
