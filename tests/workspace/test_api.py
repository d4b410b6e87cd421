"""Everything in the workspace through /api/v1/ with a token: the token itself, uploads, histories and revert.
(Creating, changing, submitting, approving and returning activities are tested in tests/api/.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from mobility import services
from mobility.imports import flows_as_csv
from mobility.models import Activity, MobilityFlow
from tests import factories
from tests.api.conftest import client_for
from workspace import services as workspace

ROW = [2024, "TH", "DE", "physical", "tvet", 10, 5, "", "", "survey"]


@pytest.fixture
def partners(db):
    for code in ("DE", "TH", "JP"):
        factories.partner(code)


# The token --------------------------------------------------------------------------------------------------


def test_alice_reads_her_token_with_it(alice):
    client = client_for(alice)

    response = client.get("/api/v1/me/token/")

    assert response.status_code == 200
    assert response.json()["key"] == Token.objects.get(user=alice).key
    # Nobody along the way may keep it: not a proxy, not a browser's shared cache, not the portal's.
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_the_upload_formats_and_progress_are_never_kept_by_a_cache(alice, client, db):
    url = "/api/v1/mobility/flows/import/"
    for answer in (client_for(alice).get(url), client.get(url)):
        assert answer.status_code == 200
        assert "no-store" in answer["Cache-Control"]


def test_a_visitor_has_no_token(client, db):
    assert client.get("/api/v1/me/token/").json() == {"key": None, "created": None}


def test_the_token_is_documented_under_your_account(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {method: operation["tags"] for method, operation in schema["paths"]["/api/v1/me/token/"].items()} == {
        "get": ["account"], "post": ["account"]}


def test_alice_replaces_her_token_confirming_the_old_one_which_stops_working(alice):
    client = client_for(alice)
    old = Token.objects.get(user=alice).key

    refused = client.post("/api/v1/me/token/", {}, format="json")
    response = client.post("/api/v1/me/token/", {"current_key": old}, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "current_key"
    assert response.status_code == 201
    new = response.json()["key"]
    assert new != old
    assert client.get("/api/v1/me/token/").status_code == 401
    assert client_for(alice).get("/api/v1/me/token/").json()["key"] == new


def test_carol_linked_to_no_partner_gets_no_token(carol, client):
    client.force_login(carol)

    response = client.post("/api/v1/me/token/", {}, content_type="application/json")

    assert response.status_code == 403
    assert not Token.objects.filter(user=carol).exists()


def test_a_visitor_cannot_make_a_token(client, db):
    assert client.post("/api/v1/me/token/", {}, content_type="application/json").status_code == 401


# Uploads ----------------------------------------------------------------------------------------------------


def test_alice_uploads_a_file_of_flows(secretariat, partners):
    response = client_for(secretariat).post("/api/v1/mobility/flows/import/",
                                      {"file": SimpleUploadedFile("flows.csv", flows_as_csv([ROW]))},
                                      format="multipart")

    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("rows", "created", "updated", "format")} == {
        "rows": 1, "created": 1, "updated": 0, "format": "csv"}
    assert MobilityFlow.objects.get().history.get().history_user == secretariat


def test_alice_uploads_csv_text_in_json(secretariat, partners):
    response = client_for(secretariat).post("/api/v1/mobility/flows/import/", {
        "filename": "flows.csv", "content": flows_as_csv([ROW]).decode()}, format="json")

    assert response.status_code == 200
    assert MobilityFlow.objects.count() == 1


def test_every_bad_row_comes_back_as_an_error_on_file_and_nothing_is_written(secretariat, partners):
    rows = [[2024, "DE", "XX", "physical", "tvet", 10, "", "", "", ""], [2024, "TH", "DE", "physical", "tvet", -1,
                                                                         "", "", "", ""]]

    response = client_for(secretariat).post("/api/v1/mobility/flows/import/",
                                            {"file": SimpleUploadedFile("flows.csv", flows_as_csv(rows))},
                                            format="multipart")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["message"]) for e in errors] == [
        ("file", "Line 2, destination: 'XX' is not an ASEM partner code: use the ISO 3166 alpha-2 code (DE, TH, ...), "
                 "EU or ASEAN."),
        ("file", "Line 3, participants: -1 is negative: counts are 0 or more."),
    ]
    assert MobilityFlow.objects.count() == 0


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_focal_point_uploads_no_file_of_flows_and_is_told_where_to_report_them(who, request, partners):
    response = client_for(request.getfixturevalue(who)).post(
        "/api/v1/mobility/flows/import/", {"file": SimpleUploadedFile("flows.csv", flows_as_csv([ROW]))},
        format="multipart")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Flows are reported in your partner's return in a reporting round")
    assert "/workspace/returns/" in response.json()["detail"]
    assert not MobilityFlow.objects.exists()


def test_an_anonymous_upload_of_flows_is_asked_for_a_token(partners):
    response = client_for().post("/api/v1/mobility/flows/import/",
                                 {"file": SimpleUploadedFile("flows.csv", flows_as_csv([ROW]))}, format="multipart")

    assert response.status_code == 401
    assert not MobilityFlow.objects.exists()


def test_an_upload_with_no_file_says_so(secretariat, partners):
    response = client_for(secretariat).post("/api/v1/mobility/flows/import/", {"other": "x"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_a_large_upload_is_accepted_and_followed_until_done(secretariat, partners, settings,
                                                            django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    client = client_for(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/mobility/flows/import/",
                               {"file": SimpleUploadedFile("big.csv", flows_as_csv([ROW]))}, format="multipart")

    assert response.status_code == 202
    job = response.json()["id"]
    assert response["Location"] == f"http://testserver/api/v1/mobility/flows/import/?job={job}"
    [followed] = client.get(response["Location"]).json()["jobs"]
    assert (followed["id"], followed["state"], followed["result"]["created"]) == (job, "done", 1)
    assert client_for(factories.focal_point("bea", factories.partner("JP"))).get(
        response["Location"]).json()["jobs"] == []


def test_anyone_reads_the_columns_a_file_needs(client, db):
    response = client.get("/api/v1/mobility/flows/import/")

    assert response.status_code == 200
    assert response.json()["columns"][:3] == ["year", "origin", "destination"]
    assert response.json()["template_csv"] == "http://testserver/workspace/mobility/template.csv"


# Histories --------------------------------------------------------------------------------------------------


@pytest.fixture
def published(alice, secretariat):
    activity = workspace.save_activity(user=alice, data={"title": "Joint degree fair",
                                                         "lead_partner": factories.partner("DE")})
    services.activity_submit(activity=activity, user=alice)
    services.activity_approve(activity=activity, user=secretariat)
    workspace.save_activity(user=secretariat, activity=activity, data={"summary": "Forty universities."})
    return Activity.objects.get(pk=activity.pk)


def test_alice_reads_every_version_of_her_activity_with_who_made_it(alice, published):
    response = client_for(alice).get(f"/api/v1/activities/{published.slug}/history/")

    assert response.status_code == 200
    assert [(v["version"], v["user"], v["state"]) for v in response.json()] == [
        (4, "sam", "published"), (3, "sam", "published"), (2, "alice", "submitted"), (1, "alice", "draft")]
    assert response.json()[0]["changes"] == [{"field": "summary", "label": "Summary", "old": "–",
                                              "new": "Forty universities.", "added": [], "removed": []}]


def test_the_public_reads_only_the_published_versions_and_not_who_made_them(client, published):
    response = client.get(f"/api/v1/activities/{published.slug}/history/")

    assert [(v["version"], v["user"], v["state"]) for v in response.json()] == [
        (2, None, "published"), (1, None, "published")]


def test_bob_cannot_read_the_history_of_alices_draft(bob, alice_draft):
    assert client_for(bob).get(f"/api/v1/activities/{alice_draft.slug}/history/").status_code == 404


def test_sam_reverts_through_the_api_and_alice_may_not(alice, secretariat, published):
    first_published = published.history.filter(state="published").last().history_id
    url = f"/api/v1/activities/{published.slug}/history/"

    refused = client_for(alice).post(url, {"version": first_published}, format="json")
    response = client_for(secretariat).post(url, {"version": first_published}, format="json")

    assert refused.status_code == 403
    assert response.status_code == 200
    assert response.json()["summary"] == ""
    assert response.json()["state"] == "published"


def test_a_revert_over_a_change_made_since_is_refused_with_412(secretariat, published):
    client = client_for(secretariat)
    etag = client.get(f"/api/v1/activities/{published.slug}/")["ETag"]
    workspace.save_activity(user=secretariat, activity=published, data={"summary": "Changed meanwhile."})

    response = client.post(f"/api/v1/activities/{published.slug}/history/",
                           {"version": published.history.last().history_id}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert Activity.objects.get(pk=published.pk).summary == "Changed meanwhile."


def test_a_flows_history_and_its_revert(client, secretariat, partners):
    flow = factories.MobilityFlowFactory(participants=100)
    flow.participants = 90
    flow.save()

    public = client.get(f"/api/v1/mobility/flows/{flow.pk}/history/").json()
    response = client_for(secretariat).post(f"/api/v1/mobility/flows/{flow.pk}/history/",
                                            {"version": flow.history.last().history_id}, format="json")

    assert [(v["version"], v["user"]) for v in public] == [(2, None), (1, None)]
    assert public[0]["changes"][0] == {"field": "participants", "label": "Participants", "old": "100", "new": "90",
                                       "added": [], "removed": []}
    assert response.status_code == 200
    assert response.json()["participants"] == 100


# The review workflow's emails, through the API too ------------------------------------------------------------


def test_submitting_returning_and_approving_through_the_api_email_the_people_concerned(
        alice, secretariat, alice_draft, django_capture_on_commit_callbacks):
    from django.core import mail

    url = f"/api/v1/activities/{alice_draft.slug}"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(f"{url}/submit/")
        client_for(secretariat).post(f"{url}/return/", {"note": "Add the dates."}, format="json")
        client_for(alice).post(f"{url}/submit/")
        client_for(secretariat).post(f"{url}/approve/")

    assert [(message.to, message.subject.split(":")[0]) for message in mail.outbox] == [
        (["sam@example.org"], "[ASEM Education Portal] To review"),
        (["alice@example.org"], "[ASEM Education Portal] Returned with a note"),
        (["sam@example.org"], "[ASEM Education Portal] To review"),
        (["alice@example.org"], "[ASEM Education Portal] Published"),
    ]
