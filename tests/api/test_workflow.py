"""The review workflow and the roles' rules, as the services hold them for the API and the workspace alike."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mobility import services
from mobility.models import Activity, MobilityFlow
from tests import factories


def test_a_focal_points_new_activity_is_a_draft_they_created(alice, partner_de):
    activity = services.activity_create(
        user=alice, data={"title": "Summer school", "lead_partner": partner_de, "start_date": datetime.date(2025, 7, 1)}
    )

    assert activity.state == Activity.State.DRAFT
    assert activity.created_by == alice
    assert re.fullmatch(r"summer-school-[a-z0-9]{6}", activity.slug)
    assert activity.start_year == 2025  # the year follows the date
    assert activity.history.get().history_user == alice


def test_titles_that_clash_get_slugs_of_their_own(alice, partner_de):
    first = services.activity_create(user=alice, data={"title": "Summer school", "lead_partner": partner_de})
    second = services.activity_create(user=alice, data={"title": "Summer school", "lead_partner": partner_de})

    assert first.slug != second.slug
    assert first.slug.startswith("summer-school-") and second.slug.startswith("summer-school-")


def test_an_activity_goes_from_draft_through_review_to_published(alice, secretariat, partner_de):
    activity = services.activity_create(user=alice, data={"title": "Forum", "lead_partner": partner_de})

    services.activity_submit(activity=activity, user=alice)
    assert activity.state == Activity.State.SUBMITTED and activity.submitted_at

    services.activity_return(activity=activity, user=secretariat, note="Add the participants.")
    assert (activity.state, activity.review_note) == (Activity.State.RETURNED, "Add the participants.")

    services.activity_update(activity=activity, user=alice, data={"participants_asia": 30})
    services.activity_submit(activity=activity, user=alice)
    services.activity_approve(activity=activity, user=secretariat)

    activity.refresh_from_db()
    assert activity.state == Activity.State.PUBLISHED
    assert activity.published_at is not None
    assert activity.review_note == ""
    assert [h.history_user.username for h in activity.history.order_by("history_date")] == [
        "alice", "alice", "sam", "alice", "alice", "sam"
    ]


def test_a_focal_point_never_approves_or_returns(alice, partner_de):
    activity = factories.ActivityFactory(state=Activity.State.SUBMITTED, lead_partner=partner_de)

    with pytest.raises(PermissionDenied):
        services.activity_approve(activity=activity, user=alice)
    with pytest.raises(PermissionDenied):
        services.activity_return(activity=activity, user=alice, note="Looks good to me.")


def test_returning_needs_a_note(secretariat, partner_de):
    activity = factories.ActivityFactory(state=Activity.State.SUBMITTED, lead_partner=partner_de)

    with pytest.raises(ValidationError) as error:
        services.activity_return(activity=activity, user=secretariat, note="   ")

    assert "note" in error.value.message_dict
    activity.refresh_from_db()
    assert activity.state == Activity.State.SUBMITTED


@pytest.mark.parametrize("state", [Activity.State.DRAFT, Activity.State.RETURNED, Activity.State.PUBLISHED])
def test_only_a_submission_can_be_approved(secretariat, partner_de, state):
    activity = factories.ActivityFactory(state=state, lead_partner=partner_de)

    with pytest.raises(ValidationError) as error:
        services.activity_approve(activity=activity, user=secretariat)

    assert error.value.error_dict["state"][0].code == "invalid_state"


def test_a_focal_point_edits_only_while_draft_or_returned(alice, partner_de):
    activity = factories.ActivityFactory(state=Activity.State.SUBMITTED, lead_partner=partner_de)

    with pytest.raises(ValidationError):
        services.activity_update(activity=activity, user=alice, data={"title": "Changed under review"})


def test_the_secretariat_edits_a_published_activity_and_it_stays_published(secretariat, partner_de):
    activity = factories.ActivityFactory(state=Activity.State.PUBLISHED, lead_partner=partner_de)

    services.activity_update(activity=activity, user=secretariat, data={"title": "Corrected title"})

    activity.refresh_from_db()
    assert (activity.title, activity.state) == ("Corrected title", Activity.State.PUBLISHED)


def test_a_focal_point_cannot_hand_their_activity_to_another_partner(alice, partner_de, partner_th):
    activity = factories.ActivityFactory(state=Activity.State.DRAFT, lead_partner=partner_de)

    with pytest.raises(PermissionDenied) as error:
        services.activity_update(activity=activity, user=alice, data={"lead_partner": partner_th})

    assert error.value.field == "lead_partner"
    activity.refresh_from_db()
    assert activity.lead_partner == partner_de


def test_the_state_cannot_be_set_through_an_edit(alice, partner_de):
    activity = factories.ActivityFactory(state=Activity.State.DRAFT, lead_partner=partner_de)

    with pytest.raises(ValueError, match="state"):
        services.activity_update(activity=activity, user=alice, data={"state": Activity.State.PUBLISHED})


def test_the_api_refuses_a_state_in_an_edit_by_name(alice, partner_de, as_alice):
    factories.ActivityFactory(slug="draft", state=Activity.State.DRAFT, lead_partner=partner_de)

    response = as_alice.patch("/api/v1/activities/draft/", {"state": "published"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"
    assert Activity.objects.get(slug="draft").state == Activity.State.DRAFT


def test_the_api_accepts_the_current_state_sent_back_unchanged(alice, partner_de, as_alice):
    factories.ActivityFactory(slug="draft", state=Activity.State.DRAFT, lead_partner=partner_de)
    shown = as_alice.get("/api/v1/activities/draft/").json()

    response = as_alice.put("/api/v1/activities/draft/", {**shown, "summary": "Round trip"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["summary"] == "Round trip"


def test_a_flow_cannot_be_moved_away_from_the_focal_points_partners(alice, partner_de, partner_th):
    flow = factories.MobilityFlowFactory(origin=partner_th, destination=partner_de)

    with pytest.raises(PermissionDenied):
        services.flow_update(flow=flow, user=alice, data={"destination": factories.partner("FR")})

    flow.refresh_from_db()
    assert flow.destination == partner_de


def test_a_flow_records_who_entered_it_and_which_end_reported_it(secretariat, partner_de, partner_th):
    flow = services.flow_create(user=secretariat, data={
        "year": 2024, "origin": partner_th, "destination": partner_de, "level": "staff", "participants": 12,
    })

    assert (flow.created_by, flow.reported_by) == (secretariat, partner_de)
    assert MobilityFlow.history.get(id=flow.pk).history_user == secretariat


def test_a_write_is_checked_by_the_models_rules_first(alice, partner_de):
    with pytest.raises(ValidationError) as error:
        services.activity_create(user=alice, data={
            "title": "Backwards", "lead_partner": partner_de,
            "start_date": datetime.date(2025, 5, 2), "end_date": datetime.date(2025, 5, 1),
        })

    assert "end_date" in error.value.message_dict
    assert not Activity.objects.exists()


def test_the_documented_example_creates_changes_and_submits_with_if_match(alice, as_alice):
    factories.ObjectiveFactory(number=4)
    factories.PriorityFactory(code="4.1", number=1, objective=factories.ObjectiveFactory(number=4))

    created = as_alice.post("/api/v1/activities/", {
        "title": "Asia-Europe seminar on micro-credentials", "lead_partner": "DE", "objectives": [4],
        "priorities": ["4.1"], "activity_type": "conference", "start_date": "2025-10-06",
    }, format="json")
    assert created.status_code == 201
    activity = created.json()
    assert created["Location"] == activity["url"]
    changed = as_alice.patch(activity["url"], {"participants_europe": 60}, format="json",
                             HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200
    submitted = as_alice.post(f"{activity['url']}submit/", HTTP_IF_MATCH=changed["ETag"])

    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
