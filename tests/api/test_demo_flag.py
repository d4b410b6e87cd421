"""Only the demonstration data loader marks data as demo: `load_demo --remove` deletes whatever carries the mark."""

import pytest

from mobility.models import Activity, MobilityFlow
from objectives.models import Indicator
from tests import factories
from tests.api.conftest import client_for

WHO = ["anonymous", "alice", "bob", "sam"]


@pytest.fixture
def people(alice, bob, secretariat):
    return {"anonymous": client_for(), "alice": client_for(alice), "bob": client_for(bob),
            "sam": client_for(secretariat)}


def activity_for(who: str) -> dict:
    lead = {"bob": "TH"}.get(who, "DE")
    return {"title": f"Seminar of {who}", "lead_partner": lead, "is_demo": True}


def flow_for(who: str) -> dict:
    return {"year": 2024, "origin": "TH", "destination": "DE", "mode": "physical", "level": "higher_education",
            "participants": 10, "programme": f"Scheme of {who}", "is_demo": True}


@pytest.mark.parametrize("who", WHO)
def test_nobody_creates_an_activity_marked_as_demo(people, who):
    response = people[who].post("/api/v1/activities/", activity_for(who), format="json")

    assert response.status_code in (400, 401)
    if response.status_code == 400:
        assert [error["field"] for error in response.json()["errors"]] == ["is_demo"]
    assert not Activity.objects.filter(is_demo=True).exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("who", WHO)
def test_nobody_reports_a_flow_marked_as_demo(people, who):
    response = people[who].post("/api/v1/mobility/flows/", flow_for(who), format="json")

    assert response.status_code in (400, 401)
    assert not MobilityFlow.objects.exists()


@pytest.mark.parametrize("who", WHO)
def test_nobody_marks_real_data_as_demo(people, who, partner_de, partner_th):
    lead = partner_th if who == "bob" else partner_de
    activity = factories.ActivityFactory(slug="real", state=Activity.State.DRAFT, lead_partner=lead)
    flow = factories.MobilityFlowFactory(origin=partner_th, destination=partner_de)

    people[who].patch("/api/v1/activities/real/", {"is_demo": True}, format="json")
    people[who].patch(f"/api/v1/mobility/flows/{flow.pk}/", {"is_demo": True}, format="json")

    activity.refresh_from_db()
    flow.refresh_from_db()
    assert (activity.is_demo, flow.is_demo) == (False, False)


def test_the_secretariat_cannot_mark_an_indicator_as_demo_either(people, db):
    priority = factories.PriorityFactory(code="1.1")
    indicator = factories.IndicatorFactory(code="1.1.a", priority=priority)

    response = people["sam"].patch("/api/v1/indicators/1.1.a/", {"is_demo": True}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "is_demo"
    indicator.refresh_from_db()
    assert indicator.is_demo is False
    assert not Indicator.objects.filter(is_demo=True).exists()


def test_sending_back_the_flag_as_read_is_fine(people, partner_de):
    factories.ActivityFactory(slug="real", state=Activity.State.DRAFT, lead_partner=partner_de)
    read = people["alice"].get("/api/v1/activities/real/").json()

    response = people["alice"].patch("/api/v1/activities/real/", {"is_demo": read["is_demo"], "place": "Bonn"},
                                     format="json")

    assert response.status_code == 200
    assert response.json()["place"] == "Bonn"
    assert response.json()["is_demo"] is False


def test_the_admin_forms_show_the_flag_but_do_not_take_it(secretariat, client, partner_de):
    activity = factories.ActivityFactory(slug="real", lead_partner=partner_de)
    flow = factories.MobilityFlowFactory()
    indicator = factories.IndicatorFactory()
    client.force_login(secretariat)

    for url in (f"/admin/mobility/activity/{activity.pk}/change/", f"/admin/mobility/mobilityflow/{flow.pk}/change/",
                f"/admin/objectives/indicator/{indicator.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="is_demo"' not in page.content.decode(), url
