"""A partner's reported flows, replaced whole when its return is approved, and the host-country rule."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from mobility.models import MobilityFlow
from mobility.services import flow_check_row, replace_reported_flows, settle_public
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def germany():
    return factories.partner("DE")


@pytest.fixture
def thailand():
    return factories.partner("TH")


def row(origin, destination, participants, **extra):
    return {"year": 2024, "origin": origin, "destination": destination, "mode": "physical",
            "level": "higher_education", "programme": "", "participants": participants, "female": None,
            "fewer_opportunities": None, "source": "", **extra}


def figures(**where):
    return sorted(
        MobilityFlow.objects.filter(**where).values_list("reported_by__code", "participants", "is_public")
    )


def test_conflicting_flows_from_both_ends_are_both_kept_the_host_figure_is_public_and_neither_overwrites_the_other(
    germany, thailand, secretariat
):
    # Thailand sends students to Germany: Germany (the host) counts 120 of them, Thailand 100.
    replace_reported_flows(partner=germany, years=[2024], rows=[row(thailand, germany, 120)], user=secretariat)
    replace_reported_flows(partner=thailand, years=[2024], rows=[row(thailand, germany, 100)], user=secretariat)

    assert figures() == [("DE", 120, True), ("TH", 100, False)]

    # Thailand's next return changes its own row only.
    replace_reported_flows(partner=thailand, years=[2024], rows=[row(thailand, germany, 90)], user=secretariat)
    assert figures() == [("DE", 120, True), ("TH", 90, False)]

    # Germany's return no longer has the route: its row goes, and Thailand's becomes the public figure.
    replace_reported_flows(partner=germany, years=[2024], rows=[], user=secretariat)
    assert figures() == [("TH", 90, True)]


def test_the_origin_alone_reporting_a_route_is_public(germany, thailand):
    replace_reported_flows(partner=thailand, years=[2024], rows=[row(thailand, germany, 100)])

    assert figures() == [("TH", 100, True)]


def test_the_rule_reads_the_whole_key_so_another_level_or_programme_is_another_figure(germany, thailand):
    replace_reported_flows(partner=germany, years=[2024], rows=[row(thailand, germany, 120)])
    replace_reported_flows(partner=thailand, years=[2024], rows=[
        row(thailand, germany, 100, level="tvet"), row(thailand, germany, 30, programme="ASEM-DUO"),
        row(thailand, germany, 80),
    ])

    assert figures(reported_by=thailand) == [("TH", 30, True), ("TH", 80, False), ("TH", 100, True)]


def test_a_return_replaces_only_its_own_years(germany, thailand):
    replace_reported_flows(partner=germany, years=[2023, 2024], rows=[
        row(thailand, germany, 50, year=2023), row(thailand, germany, 60),
    ])

    replace_reported_flows(partner=germany, years=[2024], rows=[row(germany, thailand, 7)])

    assert sorted(MobilityFlow.objects.values_list("year", "origin__code", "participants")) == [
        (2023, "TH", 50), (2024, "DE", 7),
    ]


def test_replacing_keeps_unchanged_rows_as_they_are_and_counts_what_it_wrote(germany, thailand, secretariat):
    first = replace_reported_flows(partner=germany, years=[2024], rows=[
        row(thailand, germany, 60), row(germany, thailand, 8),
    ], user=secretariat)
    unchanged = MobilityFlow.objects.get(participants=60)

    again = replace_reported_flows(partner=germany, years=[2024], rows=[
        row(thailand, germany, 60), row(germany, thailand, 9),
    ], user=secretariat)

    assert (first, again) == (2, 1)
    assert MobilityFlow.objects.get(participants=60).updated_at == unchanged.updated_at
    assert unchanged.history.count() == 1


def test_every_change_is_kept_in_the_history_with_who_made_it(germany, thailand, secretariat):
    replace_reported_flows(partner=germany, years=[2024], rows=[row(thailand, germany, 60)], user=secretariat)
    flow = MobilityFlow.objects.get()
    replace_reported_flows(partner=germany, years=[2024], rows=[row(thailand, germany, 70)], user=secretariat)
    replace_reported_flows(partner=germany, years=[2024], rows=[], user=secretariat)

    history = MobilityFlow.history.filter(id=flow.pk).order_by("history_date")
    assert [(h.history_type, h.participants, h.history_user) for h in history] == [
        ("+", 60, secretariat), ("~", 70, secretariat), ("-", 70, secretariat),
    ]


def test_a_row_without_the_partner_at_either_end_is_refused_and_nothing_is_written(germany, thailand):
    japan = factories.partner("JP")

    with pytest.raises(ValidationError) as refused:
        replace_reported_flows(partner=germany, years=[2024], rows=[
            row(thailand, germany, 60), row(thailand, japan, 5),
        ])

    assert refused.value.message_dict == {"flow/1/origin": ["Germany reports only flows that start or end in Germany."]}
    assert not MobilityFlow.objects.exists()


def test_bad_rows_are_refused_field_by_field(germany, thailand):
    with pytest.raises(ValidationError) as refused:
        replace_reported_flows(partner=germany, years=[2024], rows=[
            row(thailand, germany, 60, female=61), row(thailand, germany, 5, year=2023),
            row(thailand, germany, 6),
        ])

    assert refused.value.message_dict == {
        "flow/0/female": ["Female participants cannot outnumber all participants."],
        "flow/1/year": ["2023 is not one of the years reported: 2024."],
        "flow/2/__all__": ["This row repeats row 1: the same year, origin, destination, mode, level and programme "
                           "may be reported once."],
    }


def test_flow_check_row_names_each_field_and_passes_a_good_row(germany, thailand):
    assert flow_check_row(row(thailand, germany, 60)) == {}
    problems = flow_check_row(row(thailand, thailand, -1, mode="walking"))
    assert set(problems) == {"destination", "mode", "participants"}


def test_settling_mends_a_rule_outcome_that_is_wrong(germany, thailand):
    host = factories.MobilityFlowFactory(origin=thailand, destination=germany, programme="", participants=120)
    origin = factories.MobilityFlowFactory(origin=thailand, destination=germany, programme="", participants=100,
                                           reported_by=thailand)
    MobilityFlow.objects.filter(pk=host.pk).update(is_public=False)

    settle_public(within=Q(year=2024))

    assert figures() == [("DE", 120, True), ("TH", 100, False)]
    assert origin.pk
