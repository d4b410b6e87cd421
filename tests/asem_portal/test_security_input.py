"""Hostile and unusual text goes in through the admin and the API, comes back exact, and shows escaped."""

import html
import json

import pytest

from mobility.models import Activity
from mobility.services import activity_approve, activity_submit
from tests import factories

SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE mobility_activity; -- \" OR 1=1"
RTL = "\u202eمرحبا بالعالم שלום עולם\u202c"
ASTRAL = "😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎 🇪🇺🇹🇭"
MIXED = f"{SCRIPT} {SQL} {RTL} {ASTRAL}"
LONG = (MIXED + " ") * (10_000 // (len(MIXED) + 1)) + "x" * (10_000 % (len(MIXED) + 1))

# Text fields of an activity, each filled to its limit (10,000 characters where it has none).
VALUES = {
    "title": MIXED[:300],
    "summary": MIXED[:500],
    "description": LONG,
    "outcomes": LONG,
    "review_note": LONG,
    "place": MIXED[:200],
    "lead_description": MIXED[:300],
}


def admin_form(slug: str, **values) -> dict:
    return {
        "slug": slug, "activity_type": "conference", "status": "completed",
        "delivery_mode": "physical", "start_date": "2024-05-01", "start_year": "2024", "_save": "Save",
        **{field: "" for field in VALUES}, **values,
    }


def test_the_values_are_what_they_claim():
    assert len(LONG) == 10_000
    assert any(ord(c) > 0xFFFF for c in ASTRAL)


@pytest.mark.django_db
def test_hostile_text_round_trips_through_the_admin_and_shows_escaped_everywhere(secretariat, client):
    client.force_login(secretariat)

    response = client.post("/admin/mobility/activity/add/", admin_form("hostile", **VALUES))

    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(slug="hostile")
    assert {field: getattr(activity, field) for field in VALUES} == VALUES
    # The admin creates a draft; publishing goes through the review workflow.
    activity_approve(activity=activity_submit(activity=activity, user=secretariat), user=secretariat)

    for page in (client.get(f"/admin/mobility/activity/{activity.pk}/change/"), client.get("/activities/hostile/")):
        body = page.content.decode()
        assert page.status_code == 200
        assert SCRIPT not in body
        assert "<script>alert" not in body
        assert "onerror=alert(1)>" not in body
        assert html.escape(SCRIPT, quote=False) in body or html.escape(SCRIPT) in body
        assert ASTRAL in body
        assert RTL in body

    api = client.get("/api/v1/activities/hostile/", HTTP_ACCEPT="application/json")
    assert api.status_code == 200
    assert api["Content-Type"].startswith("application/json")
    data = json.loads(api.content)
    assert {field: data[field] for field in ("title", "summary", "description", "outcomes", "place")} == {
        field: VALUES[field] for field in ("title", "summary", "description", "outcomes", "place")
    }


@pytest.mark.django_db
def test_text_over_a_fields_limit_is_refused_with_a_message_naming_it(secretariat, client):
    client.force_login(secretariat)

    response = client.post("/admin/mobility/activity/add/", admin_form("too-long", title=LONG))

    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters (it has 10000)." in response.content.decode()
    assert not Activity.objects.filter(slug="too-long").exists()


@pytest.mark.django_db
def test_the_api_takes_hostile_text_back_exactly_and_refuses_what_is_too_long(secretariat, client, partner_de):
    client.force_login(secretariat)
    body = {"slug": "hostile-api", "title": MIXED[:300], "summary": MIXED[:500], "description": LONG,
            "outcomes": LONG, "place": MIXED[:200], "lead_partner": "DE"}

    created = client.post("/api/v1/activities/", body, content_type="application/json")

    assert created.status_code == 201, created.content.decode()[:2000]
    activity = Activity.objects.get(slug="hostile-api")
    assert (activity.title, activity.description, activity.place) == (MIXED[:300], LONG, MIXED[:200])

    too_long = client.post("/api/v1/activities/", {**body, "slug": "too-long-api", "title": LONG},
                           content_type="application/json")
    assert too_long.status_code == 400
    assert "title" in too_long.content.decode()
    assert not Activity.objects.filter(slug="too-long-api").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", [SCRIPT, SQL, RTL, ASTRAL, "%", "_", "\\", "' OR ''='"])
def test_searching_with_hostile_text_finds_nothing_and_echoes_it_escaped(client, query):
    factories.ActivityFactory(title="Quality assurance in Asia and Europe")

    for path in ("/activities/", "/api/v1/activities/"):
        response = client.get(path, {"q": query})
        assert response.status_code == 200, (path, response.status_code)
        assert "<script>alert" not in response.content.decode()
