"""A partner's flows in and out by year, mode and level, and its largest routes, are kept ready with the other flow
totals: what its profile reads is what summing its flows gives, before and after a change, and never a stale total.
The routes both ends reported differently are found from the hidden rows, whichever end's row is public."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from mobility import totals
from mobility.models import MobilityFlow, PartnerTotal
from mobility.selectors import (
    flow_conflicts,
    flows,
    largest_corridors,
    partner_flow_rows,
    partner_routes,
    totals_current,
)
from mobility.services import replace_reported_flows
from reports.profile_data import partner_flows
from tests import factories

pytestmark = pytest.mark.django_db

FLOWS = [
    # year, origin, destination, mode, level, participants
    (2022, "TH", "DE", "physical", "higher_education", 120),
    (2022, "TH", "DE", "physical", "higher_education", 5),  # same route, another programme
    (2022, "DE", "TH", "physical", "higher_education", 60),
    (2022, "FR", "DE", "blended", "school", 40),
    (2023, "JP", "DE", "virtual", "staff", 80),
    (2023, "DE", "JP", "virtual", "staff", 30),
    (2024, "DE", "FR", "physical", "staff", 10),
    (2024, "CN", "IT", "blended", "higher_education", 200),
]
PARTNERS = ["DE", "TH", "FR", "JP", "CN", "IT"]


@pytest.fixture
def flow_rows(db):
    for n, (year, origin, destination, mode, level, participants) in enumerate(FLOWS):
        factories.MobilityFlowFactory(
            year=year, origin=factories.partner(origin), destination=factories.partner(destination), mode=mode,
            level=level, participants=participants, female=None, fewer_opportunities=None, programme=f"P{n}",
            is_demo=n == 3,
        )


def read(function, *args, **kwargs):
    """What the function returns, and the tables it read."""
    with CaptureQueriesContext(connection) as queries:
        result = function(*args, **kwargs)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return result, {table for table in ("mobility_mobilityflow", "mobility_partnertotal", "mobility_routetotal")
                    if f'"{table}"' in sql}


def test_a_partners_kept_totals_give_what_its_flows_give(flow_rows):
    totals.rebuild()
    for code in PARTNERS:
        partner = factories.partner(code)
        from_flows, tables = read(partner_flow_rows, partner, kept=False)
        assert tables == {"mobility_mobilityflow"}
        from_totals, tables = read(partner_flow_rows, partner, kept=True)
        assert tables == {"mobility_partnertotal"}
        assert from_totals == from_flows, code


def test_germanys_rows_add_up_its_flows_by_hand(flow_rows):
    totals.rebuild()
    assert partner_flow_rows(factories.partner("DE"), kept=True) == [
        {"year": 2022, "mode": "blended", "level": "school", "incoming": 40, "outgoing": 0, "demo": 1},
        {"year": 2022, "mode": "physical", "level": "higher_education", "incoming": 125, "outgoing": 60, "demo": 0},
        {"year": 2023, "mode": "virtual", "level": "staff", "incoming": 80, "outgoing": 30, "demo": 0},
        {"year": 2024, "mode": "physical", "level": "staff", "incoming": 0, "outgoing": 10, "demo": 0},
    ]


def test_a_partners_routes_from_the_routes_totals_are_those_of_its_flows(flow_rows):
    totals.rebuild()
    for code in PARTNERS:
        partner = factories.partner(code)
        routes, tables = read(partner_routes, partner, kept=True)
        assert tables == {"mobility_routetotal"}
        assert routes == partner_routes(partner, kept=False)
        assert routes == largest_corridors(
            flows().filter(Q(origin=partner) | Q(destination=partner)), limit=None)


def test_after_a_change_the_profile_sums_the_flows_until_the_totals_are_rebuilt_and_then_reads_them(flow_rows):
    germany = factories.partner("DE")
    totals.rebuild()
    before = partner_flows(germany)

    factories.MobilityFlowFactory(year=2024, origin=factories.partner("JP"), destination=germany, mode="physical",
                                  level="staff", participants=7, female=None, fewer_opportunities=None,
                                  programme="new")

    assert not totals_current()
    stale, tables = read(partner_flows, germany)
    assert tables == {"mobility_mobilityflow"}
    assert stale.incoming == before.incoming + 7
    totals.rebuild()
    rebuilt, tables = read(partner_flows, germany)
    assert tables == {"mobility_partnertotal", "mobility_routetotal"}
    assert rebuilt == stale
    assert {"year": 2024, "mode": "physical", "level": "staff", "incoming": 7, "outgoing": 10, "demo": 0,
            "mode_label": "Physical", "level_label": "Staff"} in rebuilt.rows


def test_a_deleted_partners_totals_go_with_the_rebuild(flow_rows):
    totals.rebuild()
    assert PartnerTotal.objects.filter(partner__code="CN").exists()
    MobilityFlow.objects.filter(origin__code="CN").delete()
    totals.rebuild()
    assert not PartnerTotal.objects.filter(partner__code="CN").exists()
    assert partner_flow_rows(factories.partner("CN"), kept=True) == []


@pytest.fixture
def both_ends(partner_de, partner_th):
    row = {"year": 2024, "origin": partner_th, "destination": partner_de, "mode": "physical",
           "level": "higher_education", "programme": "ASEM-DUO", "participants": 120}
    replace_reported_flows(partner=partner_de, years=[2024], rows=[row])
    replace_reported_flows(partner=partner_th, years=[2024], rows=[{**row, "participants": 100}])


def test_a_route_both_ends_reported_differently_is_found_from_its_hidden_row(both_ends, partner_th):
    [conflict] = flow_conflicts(partner=partner_th)
    assert (conflict.destination_figure, conflict.origin_figure, conflict.public) == (120, 100, "destination")


def test_where_the_origins_row_is_public_the_conflict_says_so(both_ends):
    # Whichever rule makes one end's row public, the other end's hidden row leads to the pair.
    MobilityFlow.objects.filter(reported_by__code="TH").update(is_public=True)
    MobilityFlow.objects.filter(reported_by__code="DE").update(is_public=False)

    [conflict] = flow_conflicts()

    assert (conflict.destination_figure, conflict.origin_figure, conflict.public) == (120, 100, "origin")
    assert str(conflict) == "Germany reported 120, Thailand 100; Thailand's figure is shown"
