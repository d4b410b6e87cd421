"""An activity's address gives away nothing its creator may not see: not a hidden activity's title, nor its slug."""

import re

import pytest

from mobility import services
from mobility.models import Activity
from objectives.models import Objective

# The title's words, then a short random suffix: nothing that depends on other activities.
GENERATED = re.compile(r"^summer-school-[a-z0-9]{6}$")


@pytest.fixture
def hidden_draft(alice, partner_de):
    """Alice's draft, which Bob cannot see: made the way Alice would make it."""
    return services.activity_create(user=alice, data={"title": "Summer school", "lead_partner": partner_de})


def test_bobs_activity_titled_like_alices_hidden_draft_gets_a_slug_that_says_nothing_of_it(hidden_draft, bob,
                                                                                           as_bob):
    response = as_bob.post("/api/v1/activities/", {"title": "Summer school", "lead_partner": "TH"}, format="json")

    assert response.status_code == 201
    assert GENERATED.match(hidden_draft.slug)
    assert GENERATED.match(response.json()["slug"])
    assert response.json()["slug"] != hidden_draft.slug
    assert not response.json()["slug"].endswith("-2")


def test_bob_cannot_choose_a_slug_so_cannot_probe_for_a_hidden_one(hidden_draft, bob, as_bob):
    taken = as_bob.post("/api/v1/activities/", {"title": "Anything", "lead_partner": "TH",
                                                "slug": hidden_draft.slug}, format="json")
    free = as_bob.post("/api/v1/activities/", {"title": "Anything", "lead_partner": "TH",
                                               "slug": "nobody-has-this-one"}, format="json")

    assert taken.status_code == free.status_code == 400
    assert taken.json()["errors"] == free.json()["errors"]
    assert taken.json()["errors"][0]["field"] == "slug"
    assert "already exists" not in taken.content.decode()
    assert Activity.objects.count() == 1


def test_bobs_workspace_form_titled_like_alices_hidden_draft_says_nothing_of_it(hidden_draft, bob, client,
                                                                                strategy):
    client.force_login(bob)

    response = client.post("/workspace/activities/new/", {
        "title": "Summer school", "activity_type": "conference", "status": "planned", "start_date": "2025-10-06",
        "end_date": "2025-10-07", "place": "Bangkok", "delivery_mode": "blended",
        "lead_partner": bob.partner_memberships.get().partner.pk, "objectives": [Objective.objects.get(number=1).pk],
    })

    created = Activity.objects.get(created_by=bob)
    assert response.status_code == 302
    assert GENERATED.match(created.slug)
    assert created.slug != hidden_draft.slug


def test_the_secretariat_may_still_choose_an_address(secretariat, as_secretariat, partner_de):
    response = as_secretariat.post("/api/v1/activities/", {"title": "Summer school", "lead_partner": "DE",
                                                           "slug": "summer-school-2030"}, format="json")

    assert response.status_code == 201
    assert response.json()["slug"] == "summer-school-2030"


def test_no_write_changes_an_activitys_address_once_made(hidden_draft, alice):
    with pytest.raises(ValueError, match="slug"):
        services.activity_update(activity=hidden_draft, user=alice, data={"slug": "another-address"})

    hidden_draft.refresh_from_db()
    assert GENERATED.match(hidden_draft.slug)
