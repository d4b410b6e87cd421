"""A route both ends reported: Thailand sends students to Germany, and Germany (the host) counts 120 of them in 2024
while Thailand counts 100. Both rows are kept; everything public counts Germany's; the difference is shown to the
secretariat and on the partners' pages; only the secretariat writes either row directly."""

import csv
import io

import pytest
from django.db.models import F, Q

from mobility import metrics, totals
from mobility.models import FlowTotal, MobilityFlow, RouteTotal
from mobility.selectors import flow_conflicts
from mobility.services import replace_reported_flows, settle_public
from tests import factories
from tests.api.conftest import client_for
from tests.csv_files import without_licence

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "alice", "bob", "secretariat"]


@pytest.fixture
def route(partner_de, partner_th):
    row = {"year": 2024, "origin": partner_th, "destination": partner_de, "mode": "physical",
           "level": "higher_education", "programme": "ASEM-DUO", "participants": 120, "female": 60}
    replace_reported_flows(partner=partner_de, years=[2024], rows=[row])
    replace_reported_flows(partner=partner_th, years=[2024], rows=[{**row, "participants": 100, "female": 50}])
    return {"host": MobilityFlow.objects.get(reported_by=partner_de),
            "origin": MobilityFlow.objects.get(reported_by=partner_th)}


def users(alice, bob, secretariat):
    return {"anonymous": None, "alice": alice, "bob": bob, "secretariat": secretariat}


# The public figure ------------------------------------------------------------------------------------------------


def test_the_api_list_shows_the_public_figure_to_anyone_but_the_secretariat(route, alice, bob, secretariat):
    seen = {}
    for actor, user in users(alice, bob, secretariat).items():
        rows = client_for(user).get("/api/v1/mobility/flows/").json()["results"]
        seen[actor] = sorted((row["reported_by"], row["participants"], row["is_public"]) for row in rows)

    assert seen == {
        "anonymous": [("DE", 120, True)], "alice": [("DE", 120, True)], "bob": [("DE", 120, True)],
        "secretariat": [("DE", 120, True), ("TH", 100, False)],
    }


def test_the_api_csv_holds_the_public_rows_and_the_secretariats_every_row(route, secretariat):
    def rows(user):
        text = b"".join(client_for(user).get("/api/v1/mobility/flows/?format=csv").streaming_content).decode()
        reader = csv.DictReader(io.StringIO(without_licence(text)))
        return sorted((row["reported_by"], row["participants"]) for row in reader)

    assert rows(None) == [("DE", "120")]
    assert rows(secretariat) == [("DE", "120"), ("TH", "100")]


def test_the_other_ends_row_is_not_found_by_anyone_but_the_secretariat(route, alice, bob, secretariat):
    path = f"/api/v1/mobility/flows/{route['origin'].pk}/"

    assert [client_for(user).get(path).status_code for user in users(alice, bob, secretariat).values()] == [
        404, 404, 404, 200]


def test_the_pages_download_and_sums_count_the_hosts_figure(client, route):
    page = client.get("/mobility/").content.decode()
    download = b"".join(client.get("/mobility/?format=csv").streaming_content).decode()
    summary = client.get("/api/v1/mobility/summary/").json()["results"]

    assert "Thailand to Germany: 120." in page
    assert [row["participants"] for row in csv.DictReader(io.StringIO(without_licence(download)))] == ["120"]
    assert (summary[0]["participants"], summary[0]["flows"]) == (120, 1)


def test_the_kept_totals_count_the_hosts_figure(route):
    totals.rebuild()

    assert list(FlowTotal.objects.values_list("participants", "flows")) == [(120, 1)]
    assert list(RouteTotal.objects.values_list("participants", "flows")) == [(120, 1)]


def test_the_computed_indicators_count_the_hosts_figure(route):
    assert metrics.asia_to_europe() == {2024: 120.0}
    assert metrics.female_share() == {2024: 50.0}


# The difference shown ---------------------------------------------------------------------------------------------


def test_flow_conflicts_lists_both_figures_and_which_is_public(route, partner_de, partner_th):
    [conflict] = flow_conflicts()

    assert (conflict.year, conflict.origin, conflict.destination, conflict.level, conflict.programme) == (
        2024, partner_th, partner_de, "higher_education", "ASEM-DUO")
    assert (conflict.destination_figure, conflict.origin_figure, conflict.public) == (120, 100, "destination")
    assert str(conflict) == "Germany reported 120, Thailand 100; the host's figure is shown"
    assert flow_conflicts(partner=partner_th) == [conflict]
    assert flow_conflicts(partner=factories.partner("JP")) == []
    assert flow_conflicts(years=[2023]) == []


def test_both_ends_reporting_the_same_figure_is_no_conflict(route):
    MobilityFlow.objects.filter(pk=route["origin"].pk).update(participants=120)

    assert flow_conflicts() == []


def test_both_partners_pages_mark_the_route(client, route):
    for code in ("DE", "TH"):
        page = client.get(f"/partners/{code}/").content.decode()

        assert "One route's figure was reported differently by its two ends" in page
        assert "Germany reported 120, Thailand 100; the host&#x27;s figure is shown" in page
    assert "reported differently" not in client.get("/partners/JP/").content.decode()


def test_the_admin_lists_the_rows_both_ends_reported(client, route, secretariat):
    factories.MobilityFlowFactory(origin=factories.partner("JP"), destination=factories.partner("DE"),
                                  programme="Only the host")
    client.force_login(secretariat)

    both = client.get("/admin/mobility/mobilityflow/?both_ends=yes").content.decode()
    differing = client.get("/admin/mobility/mobilityflow/?both_ends=differ").content.decode()
    everything = client.get("/admin/mobility/mobilityflow/").content.decode()

    assert "Reported by both ends" in everything
    assert both.count('class="action-select"') == differing.count('class="action-select"') == 2
    assert everything.count('class="action-select"') == 3


# Writing either row directly ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "expected"), list(zip(ACTORS, [401, 403, 403, 200], strict=True)))
def test_only_the_secretariat_changes_a_reported_row_in_the_api(route, alice, bob, secretariat, actor, expected):
    client = client_for(users(alice, bob, secretariat)[actor])

    response = client.patch(f"/api/v1/mobility/flows/{route['host'].pk}/", {"participants": 90}, format="json")

    assert response.status_code == expected
    route["host"].refresh_from_db()
    assert route["host"].participants == (90 if expected == 200 else 120)
    assert MobilityFlow.objects.get(pk=route["origin"].pk).participants == 100  # nobody touched the other end's
    if actor in ("alice", "bob"):
        assert "reported in your partner's return in a reporting round" in response.json()["detail"]
        assert "/workspace/returns/" in response.json()["detail"]


def test_the_secretariat_enters_the_origins_report_beside_the_hosts_and_the_hosts_stays_public(
        partner_de, partner_th, secretariat):
    client = client_for(secretariat)
    flow = {"year": 2023, "origin": "TH", "destination": "DE", "level": "tvet", "participants": 40}

    host = client.post("/api/v1/mobility/flows/", flow, format="json").json()
    origin = client.post("/api/v1/mobility/flows/", {**flow, "participants": 35, "reported_by": "TH"}, format="json")

    assert (host["reported_by"], host["is_public"]) == ("DE", True)
    assert (origin.status_code, origin.json()["reported_by"], origin.json()["is_public"]) == (201, "TH", False)
    client.delete(f"/api/v1/mobility/flows/{host['id']}/")
    assert MobilityFlow.objects.get().is_public


def test_a_reporter_at_neither_end_is_a_400_naming_reported_by(partner_de, partner_th, secretariat):
    factories.partner("JP")

    response = client_for(secretariat).post("/api/v1/mobility/flows/", {
        "year": 2023, "origin": "TH", "destination": "DE", "level": "tvet", "participants": 40, "reported_by": "JP",
    }, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reported_by"
    assert not MobilityFlow.objects.exists()


def test_the_admin_takes_the_destination_as_reporter_when_none_is_given_and_settles_the_rule(
        client, route, secretariat, partner_de, partner_th):
    client.force_login(secretariat)
    form = {"year": 2024, "origin": partner_th.pk, "destination": partner_de.pk, "mode": "physical",
            "level": "higher_education", "participants": 130, "programme": "ASEM-DUO", "source": ""}

    page = client.get("/admin/mobility/mobilityflow/add/").content.decode()
    duplicate = client.post("/admin/mobility/mobilityflow/add/", form)
    changed = client.post(f"/admin/mobility/mobilityflow/{route['host'].pk}/change/", {**form, "year": 2023})

    assert 'name="reported_by"' in page
    assert duplicate.status_code == 200  # Germany already reported this route: its row is changed, not doubled
    assert "This partner already reported a flow" in duplicate.content.decode()
    assert changed.status_code == 302
    # Germany's row moved to 2023: Thailand's 2024 report is now the only one, and public.
    assert sorted(MobilityFlow.objects.values_list("year", "reported_by__code", "participants", "is_public")) == [
        (2023, "DE", 130, True), (2024, "TH", 100, True)]


def test_the_admin_deleting_the_hosts_row_makes_the_origins_public(client, route, secretariat):
    client.force_login(secretariat)

    client.post(f"/admin/mobility/mobilityflow/{route['host'].pk}/delete/", {"post": "yes"})

    assert list(MobilityFlow.objects.values_list("reported_by__code", "is_public")) == [("TH", True)]


def test_settling_every_row_changes_nothing_that_is_right(route):
    settle_public(within=Q())

    assert sorted(MobilityFlow.objects.values_list("reported_by__code", "is_public")) == [("DE", True), ("TH", False)]


def test_the_demo_has_a_few_routes_both_ends_reported_and_counts_the_hosts(demo_data):
    conflicts = flow_conflicts()
    origin_rows = MobilityFlow.objects.filter(is_demo=True, reported_by=F("origin"))

    assert 5 <= len({(c.origin, c.destination) for c in conflicts}) <= 10
    assert {c.public for c in conflicts} == {"destination"}
    assert origin_rows.count() == len(conflicts)
    assert not origin_rows.filter(is_public=True).exists()
