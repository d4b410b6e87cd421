"""Every write of the API for anonymous, the right partner (Alice, Germany), another partner (Bob, Thailand)
and the secretariat: the status each gets, and nothing written where the answer is a refusal."""

import pytest
from django.forms.models import model_to_dict
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from mobility.models import Activity, MobilityFlow
from objectives.models import Indicator, Observation
from tests import factories
from tests.api.conftest import client_for

ACTORS = ["anonymous", "alice", "bob", "secretariat"]

ACTIVITY = {"title": "An Asia-Europe seminar", "lead_partner": "DE", "objectives": [1], "partners": ["TH"]}
FLOW = {"year": 2024, "origin": "JP", "destination": "DE", "level": "tvet", "participants": 40, "female": 20,
        "fewer_opportunities": 4, "programme": "New"}
INDICATOR = {"code": "1.1.z", "name": "A new indicator", "priority": "1.1", "unit": "partners",
             "baseline_year": 2020, "baseline_value": 10, "target_value": 20}
OBSERVATION = {"year": 2023, "value": 12}

# (name, method, path, body, expected status for anonymous, Alice, Bob, the secretariat)
CASES = [
    ("create an activity", "post", "/api/v1/activities/", ACTIVITY, (401, 201, 403, 201)),
    ("replace a draft activity", "put", "/api/v1/activities/alices-draft/", ACTIVITY, (401, 200, 404, 200)),
    ("change a draft activity", "patch", "/api/v1/activities/alices-draft/", {"summary": "New"}, (401, 200, 404, 200)),
    ("delete a draft activity", "delete", "/api/v1/activities/alices-draft/", None, (401, 204, 404, 204)),
    ("submit a draft activity", "post", "/api/v1/activities/alices-draft/submit/", None, (401, 200, 404, 200)),
    ("submit a returned activity", "post", "/api/v1/activities/alices-returned/submit/", None, (401, 200, 404, 200)),
    ("change a returned activity", "patch", "/api/v1/activities/alices-returned/", {"summary": "Fixed"},
     (401, 200, 404, 200)),
    ("change a submitted activity", "patch", "/api/v1/activities/alices-submission/", {"summary": "New"},
     (401, 409, 404, 200)),
    ("approve a submission", "post", "/api/v1/activities/alices-submission/approve/", None, (401, 403, 404, 200)),
    ("return a submission", "post", "/api/v1/activities/alices-submission/return/", {"note": "Add the dates."},
     (401, 403, 404, 200)),
    ("change a published activity", "patch", "/api/v1/activities/alices-published/", {"summary": "New"},
     (401, 409, 403, 200)),
    ("delete a published activity", "delete", "/api/v1/activities/alices-published/", None, (401, 409, 403, 204)),
    ("approve a draft", "post", "/api/v1/activities/alices-draft/approve/", None, (401, 403, 404, 409)),
    # A partner's flows come in its return in a reporting round: only the secretariat writes them directly.
    ("report a flow", "post", "/api/v1/mobility/flows/", FLOW, (401, 403, 403, 201)),
    ("replace a flow", "put", "/api/v1/mobility/flows/{flow}/", FLOW, (401, 403, 403, 200)),
    ("change a flow", "patch", "/api/v1/mobility/flows/{flow}/", {"participants": 141}, (401, 403, 403, 200)),
    ("delete a flow", "delete", "/api/v1/mobility/flows/{flow}/", None, (401, 403, 403, 204)),
    ("define an indicator", "post", "/api/v1/indicators/", INDICATOR, (401, 403, 403, 201)),
    ("replace an indicator", "put", "/api/v1/indicators/1.1.a/", {**INDICATOR, "code": "1.1.a"},
     (401, 403, 403, 200)),
    ("change an indicator", "patch", "/api/v1/indicators/1.1.a/", {"target_value": 30}, (401, 403, 403, 200)),
    ("delete an indicator", "delete", "/api/v1/indicators/1.1.a/", None, (401, 403, 403, 204)),
    ("record an observation", "post", "/api/v1/indicators/1.1.a/observations/", OBSERVATION, (401, 403, 403, 201)),
    ("replace an observation", "put", "/api/v1/indicators/1.1.a/observations/{observation}/", OBSERVATION,
     (401, 403, 403, 200)),
    ("change an observation", "patch", "/api/v1/indicators/1.1.a/observations/{observation}/", {"value": 13},
     (401, 403, 403, 200)),
    ("delete an observation", "delete", "/api/v1/indicators/1.1.a/observations/{observation}/", None,
     (401, 403, 403, 204)),
]


@pytest.fixture
def world(partner_de, partner_th, alice, bob, secretariat):
    """Alice's activities in every state, a flow from Japan to Germany, and an indicator with a value."""
    states = {"alices-draft": Activity.State.DRAFT, "alices-returned": Activity.State.RETURNED,
              "alices-submission": Activity.State.SUBMITTED, "alices-published": Activity.State.PUBLISHED}
    for slug, state in states.items():
        factories.ActivityFactory(slug=slug, state=state, lead_partner=partner_de, created_by=alice)
    priority = factories.PriorityFactory(code="1.1", number=1, objective=factories.ObjectiveFactory(number=1))
    indicator = factories.IndicatorFactory(code="1.1.a", priority=priority)
    return {
        "flow": factories.MobilityFlowFactory(origin=factories.partner("JP"), destination=partner_de).pk,
        "observation": factories.ObservationFactory(indicator=indicator, year=2022).pk,
        "users": {"anonymous": None, "alice": alice, "bob": bob, "secretariat": secretariat},
    }


def everything() -> dict:
    """Every row the writes could touch, and every history record, to show a refusal wrote nothing."""
    rows = {}
    for model in (Activity, MobilityFlow, Indicator, Observation):
        rows[model.__name__] = [model_to_dict(obj) | {"pk": obj.pk} for obj in model.objects.order_by("pk")]
        rows[f"{model.__name__} history"] = model.history.count()
    return rows


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), CASES, ids=[case[0] for case in CASES])
def test_each_write_answers_each_role_as_the_rules_say(world, name, method, path, body, expected, actor):
    client = client_for(world["users"][actor])
    before = everything()

    response = getattr(client, method)(path.format(**world), body, format="json")

    want = expected[ACTORS.index(actor)]
    assert response.status_code == want, response.content
    if want >= 400:
        assert everything() == before, "a refused write changed something"
        assert response.json()["status"] == want
    else:
        assert everything() != before


def test_a_refused_write_says_why_and_names_the_field(world, bob):
    response = client_for(bob).post("/api/v1/activities/", ACTIVITY, format="json")

    assert response.status_code == 403
    error = response.json()
    assert error["errors"][0]["field"] == "lead_partner"
    assert "Thailand" in error["detail"]


def test_an_anonymous_write_is_asked_for_a_token(world):
    response = client_for().post("/api/v1/mobility/flows/", FLOW, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_signed_in_user_who_reports_for_no_partner_may_not_write(world):
    charlie = factories.UserFactory(username="charlie")

    response = client_for(charlie).post("/api/v1/activities/", ACTIVITY, format="json")

    assert response.status_code == 403
    assert Activity.objects.count() == 4


def test_session_authentication_writes_too_with_the_csrf_token(world, alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    refused = client.patch("/api/v1/activities/alices-draft/", {"summary": "By session"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.cookies["csrftoken"] = secret = get_random_string(32)
    response = client.patch("/api/v1/activities/alices-draft/", {"summary": "By session"}, format="json",
                            HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200
    assert Activity.objects.get(slug="alices-draft").summary == "By session"
