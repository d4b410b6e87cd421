"""The kept flow totals give exactly what summing the flows gives, and are never read once a change makes them stale."""

import io
import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mobility import totals
from mobility.filters import MobilityFlowFilter
from mobility.imports import import_flows
from mobility.models import FlowTotal, FlowTotalState, MobilityFlow, RouteTotal
from mobility.selectors import TOTAL_GROUPS, flow_summary, flows, largest_corridors, partner_mobility, regroup
from mobility.tasks import rebuild_flow_totals
from tests import factories
from tests.api.conftest import client_for

FLOWS = [
    # year, origin, destination, mode, level, participants, female, fewer opportunities
    (2022, "TH", "DE", "physical", "higher_education", 120, 70, 12),
    (2022, "TH", "DE", "physical", "higher_education", 5, None, None),  # same route, another programme
    (2022, "JP", "FR", "virtual", "staff", 80, None, 8),
    (2022, "DE", "TH", "physical", "higher_education", 60, 30, None),
    (2022, "FR", "DE", "blended", "school", 40, 25, 4),
    (2023, "CN", "IT", "blended", "higher_education", 200, 90, 30),
    (2023, "IT", "JP", "virtual", "staff", 150, 75, 20),
    (2023, "JP", "TH", "physical", "school", 30, None, None),
    (2024, "DE", "FR", "physical", "staff", 10, 5, 1),
]

QUERIES = [
    "", "year=2022", "year_from=2023", "year_to=2022&year_from=2022", "direction=asia_to_europe",
    "direction=within_europe&mode=physical", "mode=virtual", "level=staff&year_from=2022",
    "level=school&direction=europe_to_asia",  # matches nothing
    "ordering=-participants&mode=blended",
    "partner=DE", "origin=TH&year=2022", "destination=DE&direction=asia_to_europe", "partner=FR&year_to=2022",
    "partner=DE&mode=physical", "programme=P2", "origin=CN&destination=IT",
]
ROUTE_GROUPS = ("year", "direction", "origin", "destination")
# Every set of each kept table's groups, in their order, and some in another order or beyond either table.
GROUPINGS = sorted({
    combination for groups in (TOTAL_GROUPS, ROUTE_GROUPS)
    for n in range(len(groups) + 1) for combination in itertools.combinations(groups, n)
})
GROUPINGS += [("level", "year"), ("direction", "mode", "year"), ("destination", "year"), ("origin", "mode")]
TABLES = {"flows": "mobility_mobilityflow", "by kind": "mobility_flowtotal", "by route": "mobility_routetotal"}


@pytest.fixture
def flow_rows(db):
    for n, (year, origin, destination, mode, level, participants, female, fewer) in enumerate(FLOWS):
        factories.MobilityFlowFactory(
            year=year, origin=factories.partner(origin), destination=factories.partner(destination), mode=mode,
            level=level, participants=participants, female=female, fewer_opportunities=fewer, programme=f"P{n}",
        )


def filtered(query: str) -> MobilityFlowFilter:
    filterset = MobilityFlowFilter(dict(p.split("=") for p in query.split("&") if p), queryset=flows())
    assert filterset.is_valid(), filterset.errors
    return filterset


def reading(table: str, function, *args, **kwargs):
    """What the function returns, checking that it read that one of the three tables and no other."""
    with CaptureQueriesContext(connection) as queries:
        result = function(*args, **kwargs)
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for name in TABLES.values():
        assert (f'"{name}"' in read) == (name == table), (table, read)
    return result


def summary_reading(table: str, *args, **kwargs) -> list[dict]:
    return reading(table, flow_summary, *args, **kwargs)


def expected_table(query: str, group_by) -> str:
    asked = {name for name in (p.split("=")[0] for p in query.split("&") if p) if name != "ordering"}
    if set(group_by) <= set(TOTAL_GROUPS) and asked <= {"year", "year_from", "year_to", "direction", "mode", "level"}:
        return TABLES["by kind"]
    if set(group_by) <= set(ROUTE_GROUPS) and asked <= {
        "year", "year_from", "year_to", "direction", "origin", "destination", "partner"
    }:
        return TABLES["by route"]
    return TABLES["flows"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_kept_totals_give_what_the_flows_give_for_every_filter_and_grouping(flow_rows, query):
    totals.rebuild()
    filterset = filtered(query)
    for group_by in map(list, GROUPINGS):
        from_flows = summary_reading(TABLES["flows"], filterset.qs, group_by)
        from_totals = summary_reading(
            expected_table(query, group_by), filterset.qs, group_by, filters=filterset.form.cleaned_data
        )
        assert from_totals == from_flows, (query, group_by)
        for row in from_totals:
            assert all(isinstance(row[name], int) for name in ("participants", "flows") if row[name] is not None)


@pytest.mark.parametrize("query", [q for q in QUERIES if "mode" not in q and "level" not in q])
def test_the_largest_corridors_from_the_routes_totals_are_those_of_the_flows(flow_rows, query):
    totals.rebuild()
    filterset = filtered(query)
    from_flows = reading(TABLES["flows"], largest_corridors, filterset.qs, 3)
    table = TABLES["flows"] if "programme" in query else TABLES["by route"]
    assert reading(table, largest_corridors, filterset.qs, 3, filters=filterset.form.cleaned_data) == from_flows


def test_a_partners_yearly_flows_from_the_routes_totals_are_those_of_the_flows(flow_rows):
    from_flows = reading(TABLES["flows"], partner_mobility, factories.partner("DE"))
    assert from_flows == [
        {"year": 2022, "incoming": 165, "outgoing": 60, "demo": 0},
        {"year": 2024, "incoming": 0, "outgoing": 10, "demo": 0},
    ]
    MobilityFlow.objects.filter(year=2024).update(is_demo=True)
    totals.flows_changed()  # update() sends no signal
    totals.rebuild()
    assert reading(TABLES["by route"], partner_mobility, factories.partner("DE")) == [
        from_flows[0], {"year": 2024, "incoming": 0, "outgoing": 10, "demo": 1},
    ]


def test_the_grand_totals_add_up_the_flows_by_hand(flow_rows):
    totals.rebuild()
    assert flow_summary(flows(), [], filters={}) == [
        {"participants": 695, "female": 295, "fewer_opportunities": 75, "flows": 9}
    ]
    # Female is summed over the flows that report it; none do in this selection.
    assert flow_summary(flows().filter(year=2023, level="school"), [], filters={"year": 2023, "level": "school"}) == [
        {"participants": 30, "female": None, "fewer_opportunities": None, "flows": 1}
    ]


def test_filters_and_groups_no_kept_totals_have_are_summed_from_the_flows(flow_rows):
    totals.rebuild()
    by_partner_and_mode = filtered("partner=DE&mode=physical")
    rows = summary_reading(TABLES["flows"], by_partner_and_mode.qs, ["year"],
                           filters=by_partner_and_mode.form.cleaned_data)
    assert rows == [{"year": 2022, "participants": 185, "female": 100, "fewer_opportunities": 12, "flows": 3},
                    {"year": 2024, "participants": 10, "female": 5, "fewer_opportunities": 1, "flows": 1}]
    by_programme = filtered("programme=P2")
    assert summary_reading(TABLES["flows"], by_programme.qs, [],
                           filters=by_programme.form.cleaned_data)[0]["participants"] == 80
    assert summary_reading(TABLES["flows"], flows(), ["origin", "level"], filters={})[0]["origin"] == "CN"


# The tests below follow a change through its commit, so they commit: the rebuild runs in-process after it.
committing = pytest.mark.django_db(transaction=True)


@committing
def test_a_change_not_yet_committed_makes_the_totals_step_aside(flow_rows):
    assert summary_reading("mobility_flowtotal", flows(), [], filters={})[0]["participants"] == 695

    with transaction.atomic():
        factories.MobilityFlowFactory(year=2024, participants=1000, female=None, fewer_opportunities=None)
        # Inside the writing transaction the totals are stale, so the flows answer, with the new one.
        assert summary_reading("mobility_mobilityflow", flows(), [], filters={})[0]["participants"] == 1695
        totals.rebuild()  # even a rebuild in the same transaction does not hide a later write
        factories.MobilityFlowFactory(year=2024, participants=1, female=None, fewer_opportunities=None)
        assert summary_reading("mobility_mobilityflow", flows(), [], filters={})[0]["participants"] == 1696

    assert summary_reading("mobility_flowtotal", flows(), [], filters={})[0]["participants"] == 1696


@committing
def test_a_partner_that_changes_region_changes_the_directions(flow_rows):
    before = {row["direction"]: row["participants"] for row in flow_summary(flows(), ["direction"], filters={})}
    assert before["within_europe"] == 50
    france = factories.partner("FR")
    france.region = "asia"
    france.save()
    after = summary_reading("mobility_flowtotal", flows(), ["direction"], filters={})
    # France now in Asia: JP->FR within Asia, FR->DE Asia to Europe, DE->FR Europe to Asia; nothing within Europe.
    assert {row["direction"]: row["participants"] for row in after} == {
        "asia_to_europe": 365, "europe_to_asia": 220, "within_asia": 110,
    }


@committing
def test_an_import_marks_the_totals_stale_once_and_they_are_rebuilt_after_it(flow_rows, monkeypatch):
    version = FlowTotalState.objects.get().version
    queued = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args, **kwargs: queued.append(task.name) or True)
    csv = (b"year,origin,destination,mode,level,participants,female,fewer_opportunities,programme,source\n"
           b"2021,DE,TH,physical,staff,7,,,,\n2021,TH,DE,physical,staff,9,,,,\n")
    import_flows(file=io.BytesIO(csv), filename="two.csv")

    state = FlowTotalState.objects.get()
    assert state.version == version + 1
    assert state.built_version == version
    assert queued.count("mobility.tasks.rebuild_flow_totals") == 1
    # Until the worker has run, the flows answer, with the import in them.
    assert summary_reading("mobility_mobilityflow", flows(), ["year"], filters={})[0]["participants"] == 16

    rebuild_flow_totals()  # what the worker runs
    rows = summary_reading("mobility_flowtotal", flows(), ["year"], filters={})
    assert rows[0] == {"year": 2021, "participants": 16, "female": None, "fewer_opportunities": None, "flows": 2}


def test_the_rebuild_is_whole_and_can_run_again(flow_rows):
    # 8 by kind, 8 by route and 14 by partner: the two 2022 TH->DE flows share each, and TH's and DE's physical
    # higher education of 2022 count flows both in and out
    assert totals.rebuild() == 30

    def kept():
        return (list(FlowTotal.objects.values_list("year", "direction", "mode", "level", "participants", "flows")),
                list(RouteTotal.objects.values_list("year", "origin__code", "destination__code", "participants")))

    first = kept()
    assert totals.rebuild() == 30
    assert kept() == first
    assert (2022, "asia_to_europe", "physical", "higher_education", 125, 2) in first[0]
    assert (2022, "TH", "DE", 125) in first[1]


def test_with_no_totals_built_the_flows_answer(flow_rows):
    assert not FlowTotalState.objects.exists()
    rows = summary_reading("mobility_mobilityflow", flows(), ["year"], filters={})
    assert [row["participants"] for row in rows] == [305, 380, 10]


def test_regroup_adds_a_finer_summary_up_as_a_coarser_one_would_be(flow_rows):
    finest = flow_summary(flows(), list(TOTAL_GROUPS))
    for group_by in GROUPINGS:
        if set(group_by) <= set(TOTAL_GROUPS) and list(group_by) == sorted(group_by, key=TOTAL_GROUPS.index):
            assert regroup(finest, group_by) == flow_summary(flows(), group_by), group_by
    assert regroup([], []) == [{"participants": None, "female": None, "fewer_opportunities": None, "flows": 0}]


@committing
def test_the_summary_api_answers_from_the_totals_and_sees_a_new_flow_at_once(flow_rows, secretariat, monkeypatch):
    anonymous = client_for()
    url = "/api/v1/mobility/summary/?group_by=year,direction&year=2022"
    before = anonymous.get(url).json()["results"]
    assert {"year": 2022, "direction": "asia_to_europe", "participants": 205, "female": 70,
            "fewer_opportunities": 20, "flows": 3} in before

    # The worker has not run yet: the summary sums the flows, new one included.
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args, **kwargs: True)
    created = client_for(secretariat).post("/api/v1/mobility/flows/", {
        "year": 2022, "origin": "CN", "destination": "DE", "mode": "physical", "level": "staff",
        "participants": 45,
    }, format="json")
    assert created.status_code == 201, created.content
    state = FlowTotalState.objects.get()
    assert state.built_version < state.version
    stale = anonymous.get(url).json()["results"]
    assert next(row for row in stale if row["direction"] == "asia_to_europe")["participants"] == 250

    rebuild_flow_totals()
    assert anonymous.get(url).json()["results"] == stale
    by_year = filtered("year=2022")
    rows = summary_reading("mobility_flowtotal", by_year.qs, ["year", "direction"], filters=by_year.form.cleaned_data)
    assert rows == stale


def test_the_nightly_schedule_rebuilds_the_totals(settings):
    assert any(entry["task"] == "mobility.tasks.rebuild_flow_totals"
               for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_the_rebuild_command_says_how_many_totals_it_wrote(flow_rows, capsys):
    from django.core.management import call_command

    call_command("rebuild_flow_totals")
    assert capsys.readouterr().out.strip() == "30 mobility flow totals rebuilt."
    assert MobilityFlow.objects.count() == 9
