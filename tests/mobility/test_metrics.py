"""The mobility and activity metrics compute what an independent count of the same rows gives."""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from mobility import metrics as mobility_metrics
from mobility.models import Activity, MobilityFlow
from objectives.registry import metrics
from tests import factories

FLOWS = [
    # year, origin, destination, mode, participants, female, fewer opportunities
    (2022, "TH", "DE", "physical", 120, 70, 12),
    (2022, "JP", "FR", "virtual", 80, None, 8),
    (2022, "DE", "TH", "physical", 60, 30, None),
    (2022, "FR", "DE", "blended", 40, 25, 4),  # within Europe
    (2023, "CN", "IT", "blended", 200, 90, 30),
    (2023, "IT", "JP", "virtual", 150, 75, 20),
    (2023, "JP", "TH", "physical", 30, 15, 3),  # within Asia
    (2024, "DE", "FR", "physical", 10, 5, 1),  # only within Europe: no Asia-Europe balance
]


@pytest.fixture
def flows(db):
    for n, (year, origin, destination, mode, participants, female, fewer) in enumerate(FLOWS):
        factories.MobilityFlowFactory(
            year=year, origin=factories.partner(origin), destination=factories.partner(destination), mode=mode,
            participants=participants, female=female, fewer_opportunities=fewer, programme=f"P{n}",
            is_demo=n % 2 == 0,
        )


def totals(key):
    """An independent aggregate: add up the flows in Python."""
    sums = defaultdict(lambda: defaultdict(float))
    for flow in MobilityFlow.objects.select_related("origin", "destination"):
        year = sums[flow.year]
        year["all"] += flow.participants
        year[f"{flow.origin.region}>{flow.destination.region}"] += flow.participants
        if flow.mode != "physical":
            year["remote"] += flow.participants
        if flow.female is not None:
            year["female"] += flow.female
            year["female_of"] += flow.participants
        if flow.fewer_opportunities is not None:
            year["fewer"] += flow.fewer_opportunities
            year["fewer_of"] += flow.participants
    return {year: key(figures) for year, figures in sums.items() if key(figures) is not None}


def balance(figures):
    a, e = figures["asia>europe"], figures["europe>asia"]
    return min(a, e) / max(a, e) if max(a, e) else None


INDEPENDENT = {
    "mobility.asia_to_europe": lambda f: f["asia>europe"],
    "mobility.europe_to_asia": lambda f: f["europe>asia"],
    "mobility.balance_ratio": balance,
    "mobility.blended_virtual_share": lambda f: 100 * f["remote"] / f["all"],
    "mobility.female_share": lambda f: 100 * f["female"] / f["female_of"] if f["female_of"] else None,
    "mobility.fewer_opportunities_share": lambda f: 100 * f["fewer"] / f["fewer_of"] if f["fewer_of"] else None,
}


@pytest.mark.parametrize("key", sorted(INDEPENDENT))
def test_each_mobility_metric_computes_what_an_independent_count_gives(flows, key):
    computed = metrics.get(key).compute()

    expected = totals(INDEPENDENT[key])
    assert computed.keys() == expected.keys()
    for year, value in expected.items():
        assert computed[year] == pytest.approx(value, rel=1e-12)


def test_the_mobility_metrics_give_the_figures_worked_out_by_hand(flows):
    assert metrics.get("mobility.asia_to_europe").compute() == {2022: 200, 2023: 200, 2024: 0}
    assert metrics.get("mobility.europe_to_asia").compute() == {2022: 60, 2023: 150, 2024: 0}
    assert metrics.get("mobility.balance_ratio").compute() == {2022: pytest.approx(0.3), 2023: pytest.approx(0.75)}
    # 2022: 12 + 8 + 4 of the 240 participants of the flows that report it
    assert metrics.get("mobility.fewer_opportunities_share").compute()[2022] == pytest.approx(10.0)
    # 2022: 70 + 30 + 25 of 220; the flow that does not say is left out, not counted as no women
    assert metrics.get("mobility.female_share").compute()[2022] == pytest.approx(100 * 125 / 220)
    assert metrics.get("mobility.blended_virtual_share").compute()[2023] == pytest.approx(100 * 350 / 380)


def test_mobility_metrics_are_empty_without_flows(db):
    for key in INDEPENDENT:
        assert metrics.get(key).compute() == {}


@pytest.fixture
def activities(db):
    objectives = {n: factories.ObjectiveFactory(number=n) for n in (1, 2, 3, 4)}
    instruments = {
        slug: factories.InstrumentFactory(number=n, slug=slug)
        for n, slug in enumerate(mobility_metrics.INSTRUMENT_SLUGS, start=1)
    }
    specs = [
        # start year, state, objectives, instruments
        (2021, "published", [1], ["policy-dialogue"]),
        (2021, "published", [1, 2], ["policy-dialogue", "people-to-people"]),
        (2021, "draft", [1], ["policy-dialogue"]),  # not published: never counted
        (2023, "published", [2], ["people-to-people"]),
        (2023, "submitted", [3], ["collaborative-research"]),
        (2024, "published", [1], []),
        (None, "published", [4], ["knowledge-exchange"]),  # no year: cannot be counted in one
    ]
    for year, state, numbers, slugs in specs:
        activity = factories.ActivityFactory(
            state=state, start_year=year, start_date=datetime.date(year, 3, 1) if year else None,
            end_date=datetime.date(year, 3, 2) if year else None,
        )
        activity.objectives.set([objectives[n] for n in numbers])
        activity.instruments.set([instruments[s] for s in slugs])
    # Only a start date: the year comes from it.
    late = factories.ActivityFactory(start_year=None, start_date=datetime.date(2022, 6, 1),
                                     end_date=datetime.date(2022, 6, 2))
    late.objectives.set([objectives[1]])


def count_published(**lookup):
    """An independent count: published activities matching `lookup`, by start year, zero-filled."""
    counts = defaultdict(int)
    published = Activity.objects.filter(state="published", start_date__year__lte=timezone.localdate().year)
    years = {a.start_year or (a.start_date and a.start_date.year) for a in published} - {None}
    for activity in published.filter(**lookup).distinct():
        year = activity.start_year or (activity.start_date and activity.start_date.year)
        if year:
            counts[year] += 1
    return {year: counts[year] for year in range(min(years), max(years) + 1)}


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_activities_per_objective_count_published_activities_by_start_year(activities, number):
    assert metrics.get(f"activities.objective.{number}").compute() == count_published(objectives__number=number)


@pytest.mark.parametrize("slug", mobility_metrics.INSTRUMENT_SLUGS)
def test_activities_per_instrument_count_published_activities_by_start_year(activities, slug):
    assert metrics.get(f"activities.instrument.{slug}").compute() == count_published(instruments__slug=slug)


def test_activity_counts_worked_out_by_hand(activities):
    assert metrics.get("activities.objective.1").compute() == {2021: 2, 2022: 1, 2023: 0, 2024: 1}
    assert metrics.get("activities.instrument.people-to-people").compute() == {2021: 1, 2022: 0, 2023: 1, 2024: 0}
    assert metrics.get("activities.objective.3").compute() == {2021: 0, 2022: 0, 2023: 0, 2024: 0}


def test_activities_planned_for_a_later_year_are_not_counted_yet(activities):
    next_year = timezone.localdate().year + 1
    planned = factories.ActivityFactory(start_year=next_year, start_date=datetime.date(next_year, 1, 10),
                                        end_date=datetime.date(next_year, 1, 11), status=Activity.Status.PLANNED)
    planned.objectives.set([factories.ObjectiveFactory(number=1)])

    assert next_year not in metrics.get("activities.objective.1").compute()


def test_mobility_registers_every_metric_the_indicators_may_name():
    expected = {
        "mobility.asia_to_europe", "mobility.europe_to_asia", "mobility.balance_ratio",
        "mobility.blended_virtual_share", "mobility.female_share", "mobility.fewer_opportunities_share",
        *(f"activities.objective.{n}" for n in (1, 2, 3, 4)),
        *(f"activities.instrument.{slug}" for slug in mobility_metrics.INSTRUMENT_SLUGS),
    }
    assert expected <= set(metrics.keys())
