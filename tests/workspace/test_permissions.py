"""Every workspace page and action for anonymous, the right partner (Alice, Germany), another partner (Bob,
Thailand), the secretariat (Sam) and Carol (signed in, linked to no partner): the status each gets, and nothing
written where the answer is a refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from mobility.imports import flows_as_csv
from mobility.models import Activity, MobilityFlow
from tests import factories

ACTORS = ["anonymous", "alice", "bob", "secretariat", "carol"]
SIGN_IN = "/accounts/sign-in/"


@pytest.fixture
def world(alice, bob, carol, secretariat, strategy_bits):
    de, th, jp = factories.partner("DE"), factories.partner("TH"), factories.partner("JP")
    for slug, state in (("alices-draft", "draft"), ("alices-submission", "submitted"),
                        ("alices-published", "published")):
        factories.ActivityFactory(slug=slug, title=slug.replace("-", " "), state=state, lead_partner=de,
                                  created_by=alice)
    flow = factories.MobilityFlowFactory(origin=de, destination=jp, programme="DE-JP", reported_by=de)
    flow.participants = 99
    flow.save()
    return {"de": de, "th": th, "jp": jp, "flow": flow}


def as_actor(client, request, actor):
    if actor != "anonymous":
        client.force_login(request.getfixturevalue(actor))
    return client


def outcome(response) -> int | str:
    """The status, and for a redirect to sign in, "sign in"."""
    if response.status_code == 302 and response["Location"].startswith(SIGN_IN):
        return "sign in"
    return response.status_code


# Pages ------------------------------------------------------------------------------------------------------

PAGES = [
    # (path, expected for anonymous, Alice, Bob, the secretariat, Carol)
    ("/workspace/", ("sign in", 200, 200, 200, 200)),
    ("/workspace/activities/new/", ("sign in", 200, 200, 200, 403)),
    ("/workspace/activities/alices-draft/", ("sign in", 200, 404, 200, 403)),
    ("/workspace/activities/alices-draft/edit/", ("sign in", 200, 404, 200, 403)),
    ("/workspace/activities/alices-submission/edit/", ("sign in", 302, 404, 200, 403)),
    ("/workspace/activities/alices-draft/history/", ("sign in", 200, 404, 200, 403)),
    ("/workspace/review/", ("sign in", 403, 403, 200, 403)),
    ("/workspace/mobility/", ("sign in", 200, 200, 200, 403)),
    ("/workspace/mobility/template.csv", ("sign in", 200, 200, 200, 200)),
    ("/workspace/mobility/flows/{flow}/history/", ("sign in", 200, 404, 200, 403)),
    ("/workspace/token/", ("sign in", 200, 200, 200, 403)),
    ("/accounts/password/", ("sign in", 200, 200, 200, 200)),
]


@pytest.mark.parametrize("path, expected", PAGES, ids=[path for path, _ in PAGES])
@pytest.mark.parametrize("actor", ACTORS)
def test_each_page_answers_each_person_as_the_rules_say(client, request, world, path, expected, actor):
    response = as_actor(client, request, actor).get(path.format(flow=world["flow"].pk))

    assert outcome(response) == expected[ACTORS.index(actor)]


def test_carol_is_told_how_to_get_linked_to_a_partner(client, carol):
    client.force_login(carol)

    assert "Your account is not linked to a partner yet" in client.get("/workspace/").content.decode()
    assert "Ask the secretariat" in client.get("/workspace/mobility/").content.decode()


def test_alice_is_sent_back_from_editing_a_submission_with_the_reason(client, alice, world):
    client.force_login(alice)

    response = client.get("/workspace/activities/alices-submission/edit/", follow=True)

    assert response.redirect_chain == [("/workspace/activities/alices-submission/", 302)]
    assert "only a draft or a returned activity can be changed" in response.content.decode()


# Actions ----------------------------------------------------------------------------------------------------


def state(slug: str) -> str:
    return Activity.objects.get(slug=slug).state


ACTIVITY = {"title": "Asia-Europe seminar", "activity_type": "conference", "status": "planned",
            "delivery_mode": "physical", "start_year": "2025"}


@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 302, 404, 302, 403], strict=True)))
def test_submitting_alices_draft(client, request, world, actor, expected):
    response = as_actor(client, request, actor).post("/workspace/activities/alices-draft/submit/")

    assert outcome(response) == expected
    assert state("alices-draft") == ("submitted" if expected == 302 else "draft")


@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 302, 404, 302, 403], strict=True)))
def test_changing_alices_draft(client, request, world, actor, expected):
    data = {**ACTIVITY, "title": "A new title", "lead_partner": world["de"].pk}

    response = as_actor(client, request, actor).post("/workspace/activities/alices-draft/edit/", data)

    assert outcome(response) == expected
    changed = Activity.objects.get(slug="alices-draft").title == "A new title"
    assert changed == (expected == 302)


@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 302, 400, 302, 403], strict=True)))
def test_creating_an_activity_led_by_germany(client, request, world, actor, expected):
    response = as_actor(client, request, actor).post("/workspace/activities/new/",
                                                     {**ACTIVITY, "lead_partner": world["de"].pk})

    assert outcome(response) == expected
    assert Activity.objects.filter(title="Asia-Europe seminar").exists() == (expected == 302)
    if expected == 400:
        assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("action, data, after", [("approve", {}, "published"),
                                                 ("return", {"note": "Add the dates."}, "returned")])
@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 403, 403, 302, 403], strict=True)))
def test_reviewing_alices_submission(client, request, world, action, data, after, actor, expected):
    response = as_actor(client, request, actor).post(f"/workspace/review/alices-submission/{action}/", data)

    assert outcome(response) == expected
    assert state("alices-submission") == (after if expected == 302 else "submitted")


@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 403, 403, 302, 403], strict=True)))
def test_reverting_alices_draft(client, request, world, actor, expected):
    activity = Activity.objects.get(slug="alices-draft")
    first = activity.history.last().history_id
    activity.title = "Changed"
    activity.save()

    response = as_actor(client, request, actor).post("/workspace/activities/alices-draft/revert/",
                                                     {"version": first})

    assert outcome(response) == expected
    assert Activity.objects.get(slug="alices-draft").title == ("alices draft" if expected == 302 else "Changed")


@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 403, 403, 302, 403], strict=True)))
def test_reverting_a_flow(client, request, world, actor, expected):
    flow = world["flow"]
    first = flow.history.last().history_id

    response = as_actor(client, request, actor).post(f"/workspace/mobility/flows/{flow.pk}/revert/",
                                                     {"version": first})

    assert outcome(response) == expected
    flow.refresh_from_db()
    assert flow.participants == (100 if expected == 302 else 99)


# Focal points report flows in their partners' returns, never in a file here.
@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 403, 403, 302, 403], strict=True)))
def test_uploading_a_germany_to_japan_flow(client, request, world, actor, expected):
    content = flows_as_csv([[2023, "DE", "JP", "physical", "staff", 5, "", "", "New", ""]])

    response = as_actor(client, request, actor).post("/workspace/mobility/",
                                                     {"file": SimpleUploadedFile("flows.csv", content)})

    assert outcome(response) == expected
    assert MobilityFlow.objects.filter(programme="New").exists() == (expected == 302)


@pytest.mark.parametrize("actor, expected", list(zip(ACTORS, ["sign in", 302, 302, 302, 403], strict=True)))
def test_making_an_api_token(client, request, world, actor, expected):
    response = as_actor(client, request, actor).post("/workspace/token/")

    assert outcome(response) == expected
    assert Token.objects.count() == (1 if expected == 302 else 0)


# Approving answers a GET too: with the page that asks to confirm it (tests/workspace/test_review.py).
@pytest.mark.parametrize("path", ["/workspace/activities/alices-draft/submit/"])
def test_actions_answer_only_to_post(client, secretariat, world, path):
    client.force_login(secretariat)

    assert client.get(path).status_code == 405
