"""Every version of an activity and a flow is kept: who made it, when, a readable difference from the one before;
Sam (the secretariat) reverts to an earlier one, and the revert is a new version that says so."""

import pytest

from mobility import services
from mobility.models import Activity, MobilityFlow
from mobility.services import NotAllowed
from tests import factories
from workspace import selectors
from workspace import services as workspace


@pytest.fixture
def activity(alice, secretariat, strategy_bits):
    """Created by Alice with its relations, changed by her, submitted, returned by Sam with a note."""
    activity = workspace.save_activity(user=alice, data={
        "title": "Virtual exchange pilot", "lead_partner": factories.partner("DE"),
        "description": "Students meet online every week.",
        "partners": [factories.partner("TH")], "objectives": [strategy_bits]})
    workspace.save_activity(user=alice, activity=activity, data={
        "description": "Students from both regions meet online every other week.",
        "partners": [factories.partner("TH"), factories.partner("JP")]})
    services.activity_submit(activity=activity, user=alice)
    services.activity_return(activity=activity, user=secretariat, note="Add the dates.")
    return Activity.objects.get(pk=activity.pk)


def test_one_save_is_one_version_however_many_relations_it_sets(activity):
    versions = selectors.activity_versions(activity)

    assert [(v.number, v.kind, v.user.username, v.record.state) for v in versions] == [
        (4, "changed", "sam", "returned"), (3, "changed", "alice", "submitted"), (2, "changed", "alice", "draft"),
        (1, "created", "alice", "draft")]
    assert activity.history.count() > 4  # the records behind them: relations are set after the fields


def test_each_version_says_readably_what_it_changed(activity):
    returned, submitted, edited, created = selectors.activity_versions(activity)

    assert [(c.label, c.old, c.new) for c in returned.changes] == [
        ("State", "Submitted", "Returned"), ("Review note", "–", "Add the dates.")]
    assert [(c.label, c.old, c.new) for c in submitted.changes] == [("State", "Draft", "Submitted")]
    description, partners = edited.changes
    assert str(description.inline_diff) == (
        "Students <ins>from both regions</ins> meet online every <ins>other</ins> week.")
    assert (partners.label, partners.added, partners.removed) == ("Partners taking part", ["Japan"], [])
    labels = {c.label: c.new for c in created.changes}
    assert labels["Title"] == "Virtual exchange pilot"
    assert labels["Lead partner"] == "Germany"
    assert labels["Objectives"] == "1. Enhancing connectivity"


def test_the_history_page_shows_every_version_with_who_and_when(client, alice, activity,
                                                                 django_assert_num_queries):
    client.force_login(alice)

    # Expect 12 queries: the session, the user, her memberships, the activity, its history records with their
    # users, the history rows of its five relations, the names of the partners and of the objectives shown
    with django_assert_num_queries(12):
        page = client.get(f"/workspace/activities/{activity.slug}/history/").content.decode()

    assert "4 versions, newest first" in page
    assert page.count("<strong>alice</strong>") == 3 and page.count("<strong>sam</strong>") == 1
    assert "Revert to version" not in page  # only the secretariat reverts


def test_sam_reverts_to_the_first_version_and_the_history_keeps_everything(client, secretariat, activity):
    first = selectors.activity_versions(activity)[-1]
    client.force_login(secretariat)

    response = client.post(f"/workspace/activities/{activity.slug}/revert/", {"version": first.record.history_id},
                           follow=True)

    activity.refresh_from_db()
    assert activity.description == "Students meet online every week."
    assert [p.code for p in activity.partners.all()] == ["TH"]
    assert activity.state == "returned"  # reverting changes the content, never the review state
    latest = selectors.activity_versions(activity)[0]
    assert (latest.number, latest.user, latest.reason) == (5, secretariat, latest.reason)
    assert latest.reason.startswith("Reverted to the version of ")
    page = response.content.decode()
    assert "5 versions, newest first" in page
    assert "Reverted: the earlier version is now the current one" in page


def test_reverting_to_a_version_of_another_activity_is_refused(client, secretariat, activity):
    other = factories.ActivityFactory()
    client.force_login(secretariat)

    response = client.post(f"/workspace/activities/{activity.slug}/revert/",
                           {"version": other.history.get().history_id}, follow=True)

    assert "Activity has no version" in response.content.decode()


@pytest.mark.parametrize("version", ["", "two", "²", "٣"])
def test_a_version_that_is_not_a_plain_number_is_refused_with_what_to_do(client, secretariat, activity, version):
    client.force_login(secretariat)
    versions = activity.history.count()

    response = client.post(f"/workspace/activities/{activity.slug}/revert/", {"version": version}, follow=True)

    assert response.status_code == 200
    assert "Choose a version to revert to." in response.content.decode()
    assert activity.history.count() == versions


def test_only_the_secretariat_may_revert(alice, activity):
    with pytest.raises(NotAllowed):
        workspace.revert_activity(activity=activity, history_id=activity.history.last().history_id, user=alice)


def test_a_flows_versions_show_its_upload_and_its_revert(client, secretariat):
    from mobility import uploads
    from mobility.imports import flows_as_csv

    factories.partner("DE"), factories.partner("TH")
    row = [2024, "TH", "DE", "physical", "tvet", 10, 5, "", "", "survey"]
    uploads.import_file(user=secretariat, file=flows_as_csv([row]), filename="first.csv")
    uploads.import_file(user=secretariat, file=flows_as_csv([[*row[:5], 12, 6, "", "", "survey"]]),
                        filename="fix.csv")
    flow = MobilityFlow.objects.get()
    client.force_login(secretariat)

    first = selectors.flow_versions(flow)[-1]
    client.post(f"/workspace/mobility/flows/{flow.pk}/revert/", {"version": first.record.history_id})
    page = client.get(f"/workspace/mobility/flows/{flow.pk}/history/").content.decode()

    flow.refresh_from_db()
    assert flow.participants == 10
    assert "3 versions, newest first" in page
    assert "Uploaded in fix.csv" in page and "Uploaded in first.csv" in page
    assert "<td><del>12</del></td>" in page and "<td><ins>10</ins></td>" in page


def test_a_flows_history_is_titled_with_its_partners_codes_and_words_not_database_ids(client, alice):
    flow = factories.MobilityFlowFactory(year=2025, origin=factories.partner("DE"),
                                         destination=factories.partner("TH"), level="school", participants=11,
                                         female=5, fewer_opportunities=1, reported_by=factories.partner("DE"))
    client.force_login(alice)

    page = client.get(f"/workspace/mobility/flows/{flow.pk}/history/").content.decode()

    assert "History of “2025 DE → TH, physical, school: 11”" in page
    big = factories.MobilityFlowFactory(participants=34153, level="tvet")
    assert str(big) == "2024 TH → DE, physical, TVET: 34,153"


def test_a_demo_flow_says_it_was_loaded_as_demonstration_data_rather_than_having_0_versions(client, alice):
    # The demo loader writes its flows in bulk, which keeps no version.
    [flow] = MobilityFlow.objects.bulk_create([MobilityFlow(
        year=2024, origin=factories.partner("TH"), destination=factories.partner("DE"), level="tvet",
        participants=5, is_demo=True, reported_by=factories.partner("DE"))])
    client.force_login(alice)

    page = client.get(f"/workspace/mobility/flows/{flow.pk}/history/").content.decode()

    assert "0 versions" not in page
    assert "Loaded as demonstration data; nobody has changed it since, so there is no version to show." in page
    assert 'class="versions"' not in page  # no empty list for a screen reader to announce


def test_alice_reads_the_versions_of_germanys_report_of_a_route_but_not_thailands(client, alice):
    from mobility.services import replace_reported_flows

    th, de = factories.partner("TH"), factories.partner("DE")
    row = {"year": 2024, "origin": th, "destination": de, "mode": "physical", "level": "tvet", "participants": 10}
    replace_reported_flows(partner=de, years=[2024], rows=[row], user=alice)
    replace_reported_flows(partner=th, years=[2024], rows=[{**row, "participants": 8}])
    germanys, thailands = (MobilityFlow.objects.get(reported_by=partner) for partner in (de, th))
    client.force_login(alice)

    assert client.get(f"/workspace/mobility/flows/{germanys.pk}/history/").status_code == 200
    assert client.get(f"/workspace/mobility/flows/{thailands.pk}/history/").status_code == 404


def test_a_relation_since_deleted_is_named_as_such_not_by_its_database_id():
    from mobility.models import Partner
    from workspace.history import Names

    assert Names()(Partner, 4711) == "(since deleted)"
