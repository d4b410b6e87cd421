"""Alice (Germany) reports an activity in her workspace: the form validates every field with the model's own rules
and shows each error next to its field; she saves drafts, submits, and fixes what the secretariat returns."""

import re

import pytest

from mobility.models import Activity
from tests import factories

NEW = "/workspace/activities/new/"


@pytest.fixture
def form_data(alice, strategy_bits):
    return {"title": "Asia-Europe seminar on micro-credentials", "activity_type": "conference",
            "status": "planned", "start_date": "2025-10-06", "end_date": "2025-10-07", "place": "Berlin",
            "delivery_mode": "blended", "lead_partner": factories.partner("DE").pk,
            "partners": [factories.partner("TH").pk], "objectives": [strategy_bits.pk],
            "participants_asia": "40", "participants_europe": "60"}


def error_next_to(page: str, field: str) -> str:
    """The error list Django renders beside a field (its id is the field's, with _error)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def test_alice_creates_a_draft_led_by_germany(client, alice, form_data):
    client.force_login(alice)

    response = client.post(NEW, form_data)

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/activities/{activity.slug}/"
    assert re.fullmatch(r"asia-europe-seminar-on-micro-credentials-[a-z0-9]{6}", activity.slug)
    assert (activity.state, activity.created_by) == ("draft", alice)
    assert (activity.start_year, activity.end_year) == (2025, 2025)  # the years follow the dates
    assert [p.code for p in activity.partners.all()] == ["TH"]
    page = client.get(response["Location"]).content.decode()
    assert "is not yet sent for review" in page


def test_an_end_before_the_start_is_shown_next_to_the_end_date_and_nothing_is_saved(client, alice, form_data):
    client.force_login(alice)

    response = client.post(NEW, {**form_data, "end_date": "2025-10-01"})

    page = response.content.decode()
    assert response.status_code == 400
    assert error_next_to(page, "end_date") == "The end date cannot be before the start date."
    assert 'aria-describedby="id_end_date_error"' in page
    assert '<a href="#id_end_date">End date: The end date cannot be before the start date.</a>' in page
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "This field is required."),
    ("start_year", "1900", "Ensure this value is greater than or equal to"),
    ("website", "not a web address", "Enter a valid URL."),
    ("participants_asia", "-3", "Ensure this value is greater than or equal to 0."),
    ("activity_type", "party", "Select a valid choice."),
])
def test_each_bad_value_is_refused_next_to_its_field(client, alice, form_data, field, value, message):
    client.force_login(alice)

    response = client.post(NEW, {**form_data, field: value})

    assert response.status_code == 400
    assert message in error_next_to(response.content.decode(), field)
    assert Activity.objects.count() == 0


def test_a_start_year_that_is_not_the_start_dates_is_refused_by_the_models_rule(client, alice, form_data):
    client.force_login(alice)

    response = client.post(NEW, {**form_data, "start_year": "2024"})

    assert error_next_to(response.content.decode(), "start_year") == "The start year must be the year of the " \
                                                                       "start date."


def test_alice_may_choose_only_germany_to_lead(client, alice, form_data):
    factories.partner("TH")
    client.force_login(alice)

    page = client.get(NEW).content.decode()
    response = client.post(NEW, {**form_data, "lead_partner": factories.partner("TH").pk})

    lead = re.search(r'<select name="lead_partner".*?</select>', page, re.S).group(0)
    assert "Germany" in lead and "Thailand" not in lead
    assert "Select a valid choice" in error_next_to(response.content.decode(), "lead_partner")


def test_the_new_activity_form_picks_alices_one_partner_to_lead_at_a_fixed_cost(client, alice, strategy_bits,
                                                                                django_assert_num_queries):
    client.force_login(alice)

    # Expect 9 queries: the session, the user, her memberships, then the choices: the partners she may pick to
    # lead, every partner, the organisations, the objectives, the priorities, the instruments
    with django_assert_num_queries(9):
        page = client.get(NEW).content.decode()

    lead = re.search(r'<select name="lead_partner".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="\d+" selected>Germany</option>', lead)


def test_alice_saves_and_submits_in_one_go(client, alice, form_data, django_capture_on_commit_callbacks):
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, {**form_data, "submit": ""}, follow=True)

    activity = Activity.objects.get()
    assert activity.state == "submitted"
    assert activity.submitted_at is not None
    assert "Sent “Asia-Europe seminar on micro-credentials” to the secretariat for review" in \
        response.content.decode()


def test_alice_fixes_a_returned_activity_and_sees_the_secretariats_note(client, alice, form_data):
    activity = factories.ActivityFactory(slug="returned", state="returned", review_note="Please add the place.",
                                         lead_partner=factories.partner("DE"))
    client.force_login(alice)

    form = client.get(f"/workspace/activities/{activity.slug}/edit/").content.decode()
    response = client.post(f"/workspace/activities/{activity.slug}/edit/",
                           {**form_data, "place": "Bonn", "version": activity.updated_at.isoformat()})

    assert "Please add the place." in form
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.place, activity.state) == ("Bonn", "returned")


def test_a_change_over_someone_elses_newer_one_is_refused(client, alice, form_data):
    activity = factories.ActivityFactory(slug="draft", state="draft", lead_partner=factories.partner("DE"))
    opened = activity.updated_at.isoformat()
    activity.summary = "Changed by a colleague meanwhile."
    activity.save()
    client.force_login(alice)

    response = client.post(f"/workspace/activities/{activity.slug}/edit/", {**form_data, "version": opened})

    assert response.status_code == 400
    assert "Someone changed this activity after you opened it" in response.content.decode()
    activity.refresh_from_db()
    assert activity.summary == "Changed by a colleague meanwhile."


def test_the_workspace_lists_alices_activities_by_state_with_the_secretariats_note(
        client, alice, bob, django_assert_num_queries):
    de, th = factories.partner("DE"), factories.partner("TH")
    for state in ("draft", "submitted", "returned", "published"):
        factories.ActivityFactory(title=f"Alice's {state}", state=state, lead_partner=de,
                                  review_note="Add the dates." if state == "returned" else "")
    factories.ActivityFactory(title="Bob's draft", state="draft", lead_partner=th)
    client.force_login(alice)

    # Expect 7 queries: the session, the user, her memberships (for the rules), her memberships with their
    # partners (for the page), her partners' activities counted by state, a page of them with their lead partners,
    # her partners' returns in open rounds. (One more than when the page read every activity at once: counting
    # apart is what lets it read only a page of her partners' thousands.)
    with django_assert_num_queries(7):
        page = client.get("/workspace/").content.decode()

    for state in ("draft", "submitted", "returned", "published"):
        assert f"Alice&#x27;s {state}" in page
    assert "Bob&#x27;s draft" not in page
    assert "The secretariat's note:</strong> Add the dates." in page


def test_the_workspace_home_costs_the_same_with_more_activities(client, alice, django_assert_num_queries):
    de = factories.partner("DE")
    factories.ActivityFactory(state="draft", lead_partner=de)
    client.force_login(alice)
    client.get("/workspace/")
    for _ in range(30):
        factories.ActivityFactory(state="draft", lead_partner=de)

    with django_assert_num_queries(7):
        client.get("/workspace/")


def test_sams_workspace_lists_everyones_activities_a_page_at_a_time_with_each_states_count(
        client, secretariat, django_assert_num_queries):
    for n in range(27):
        factories.ActivityFactory(title=f"Published {n:02d}", state="published")
    factories.ActivityFactory(title="A draft of anyone's", state="draft")
    client.force_login(secretariat)

    # Expect 7 queries: the session, the user, the Secretariat group check, the submissions' count, the returns'
    # to review, the activities counted by state, a page of them (25, however many there are)
    with django_assert_num_queries(7):
        page = client.get("/workspace/").content.decode()

    assert "A draft of anyone&#x27;s" in page  # the latest change comes first
    assert page.count('class="record" id="activity-') == 25
    assert "28 activities · page 1 of 2" in page
    assert '<span class="state state-published">Published</span></a><span class="count">27</span>' in page
    second = client.get("/workspace/", {"page": 2}).content.decode()
    assert second.count('class="record" id="activity-') == 3


def test_sam_changes_a_published_activity_which_stays_published_and_is_not_offered_for_review(
        client, secretariat, form_data):
    activity = factories.ActivityFactory(title="Published seminar", state="published",
                                         lead_partner=factories.partner("DE"))
    client.force_login(secretariat)
    edit = f"/workspace/activities/{activity.slug}/edit/"

    form = client.get(edit).content.decode()
    response = client.post(edit, {**form_data, "title": "Published seminar", "place": "Hamburg", "save": ""},
                           follow=True)

    assert "Save; it stays published" in form
    assert 'name="submit"' not in form and "Save draft" not in form
    assert "Saved “Published seminar”; it stays published." in response.content.decode()
    activity.refresh_from_db()
    assert (activity.state, activity.place) == ("published", "Hamburg")
