"""stocktaking_report(): every number equals the same number found independently, in a fixed number of queries."""

import pytest

from instruments.models import Instrument
from mobility.filters import ActivityFilter
from mobility.models import Activity, Partner
from objectives.models import Objective
from objectives.selectors import progress_overview
from reports.data import Period
from reports.selectors import activities_under_way, stocktaking_report, stocktaking_summary
from tests.reports import expected
from tests.reports.conftest import build_scenario

PERIOD = Period(2024, 2025)


def assert_matches_independent_counts(report, period: Period) -> None:
    ids = expected.period_ids(period.start, period.end)
    assert {item.activity.pk for item in report.activities} == ids
    assert len(report.activities) == expected.activities(ids)

    for row in report.coverage.rows:
        number = row.objective.number
        assert row.activities == expected.objective_total(ids, number), number
        for cell in row.cells:
            assert cell.activities == expected.cell(ids, number, cell.instrument.slug), (number, cell.instrument)
    for instrument, total in zip(report.coverage.instruments, report.coverage.instrument_totals, strict=True):
        assert total == expected.instrument_total(ids, instrument.slug), instrument.slug

    for row in report.balance:
        number = row.objective.number if row.objective else None
        figures = expected.participants(ids, number)
        sides = expected.partners_by_side(ids, number)
        assert (row.activities, row.reporting, row.participants_asia, row.participants_europe) == (
            figures["activities"], figures["reporting"], figures["asia"], figures["europe"]), number
        assert (row.partners_asia, row.partners_europe) == (sides["asia"], sides["europe"]), number

    total = report.mobility.total
    assert (total.asia_to_europe, total.europe_to_asia, total.within_asia, total.within_europe) == tuple(
        expected.mobility(period.start, period.end).values())
    for year in report.mobility.years:
        assert (year.asia_to_europe, year.europe_to_asia, year.within_asia, year.within_europe) == tuple(
            expected.mobility(period.start, period.end, year.year).values()), year.year

    assert len(report.partners) == Partner.objects.count()
    for item in report.partners:
        assert (item.led, item.joined) == (expected.led(ids, item.partner.code),
                                           expected.joined(ids, item.partner.code)), item.partner.code


def test_every_number_equals_a_plain_aggregate_query(scenario):
    report = stocktaking_report(PERIOD)

    assert_matches_independent_counts(report, PERIOD)


def test_every_number_of_the_demo_data_equals_a_plain_aggregate_query(demo_data):
    for period in (Period(2024, 2025), Period(2019, 2026), Period(2021, 2021)):
        assert_matches_independent_counts(stocktaking_report(period), period)


def test_the_period_takes_what_was_under_way_and_leaves_out_the_rest(scenario):
    slugs = {item.activity.slug for item in stocktaking_report(PERIOD).activities}

    for kept in ("multi", "overlapping", "planned", "ongoing", "unlinked", "lead_listed"):
        assert getattr(scenario, kept).slug in slugs, kept
    for left_out in ("cancelled", "draft", "before", "done_before", "after"):
        assert getattr(scenario, left_out).slug not in slugs, left_out


@pytest.mark.parametrize("period", [Period(2019, 2019), Period(2020, 2023), Period(2024, 2025), Period(2025, 2027),
                                    Period(2000, 2030)])
def test_the_period_rule_is_the_activity_lists_year_filter_over_each_year(scenario, period):
    published = Activity.objects.filter(state=Activity.State.PUBLISHED)
    year_by_year = set()
    for year in period.year_list:
        year_by_year |= set(ActivityFilter({"year": year}, queryset=published).qs.values_list("pk", flat=True))

    assert set(activities_under_way(published, period).values_list("pk", flat=True)) == year_by_year


def test_an_activity_with_two_objectives_and_two_instruments_counts_once_in_each_of_its_four_cells(scenario):
    coverage = stocktaking_report(PERIOD).coverage
    before = {(c.objective.number, c.instrument.slug): c.activities for c in coverage.cells}
    scenario.multi.instruments.add(Instrument.objects.get(slug="people-to-people"))  # already there: no change
    scenario.multi.partners.add(*Partner.objects.filter(code__in=["CN", "DE"]))  # more joins repeat no cell

    after = stocktaking_report(PERIOD).coverage
    assert {(c.objective.number, c.instrument.slug): c.activities for c in after.cells} == before
    multi = {(o, i) for o in (1, 2) for i in ("people-to-people", "policy-dialogue")}
    for objective, instrument in multi:
        ids = {a.pk for a in Activity.objects.filter(objectives__number=objective, instruments__slug=instrument)}
        assert scenario.multi.pk in ids


def test_the_coverage_matrix_names_the_cells_with_no_activity(scenario):
    coverage = stocktaking_report(PERIOD).coverage

    assert len(coverage.cells) == 4 * 6
    empty = {(c.objective.number, c.instrument.slug) for c in coverage.empty_cells}
    assert empty == {(c.objective.number, c.instrument.slug) for c in coverage.cells if c.activities == 0}
    # Nothing in the scenario or the AEP's own record pursues objective 4 through people-to-people connectivity.
    assert (4, "people-to-people") in empty
    assert coverage.without_objective == expected.activities(
        expected.period_ids(2024, 2025) & set(Activity.objects.filter(objectives=None).values_list("pk", flat=True)))


def test_a_lead_partner_also_listed_as_taking_part_counts_as_leading_only(scenario):
    italy = next(item for item in stocktaking_report(PERIOD).partners if item.partner.code == "IT")

    # Italy leads lead-listed (and is listed in it) and joins overlapping.
    assert (italy.led, italy.joined) == (1, 1)


def test_progress_at_the_start_and_end_of_the_period_is_the_progress_engines(scenario):
    report = stocktaking_report(PERIOD)
    start, end = progress_overview(as_of=2023), progress_overview(as_of=2025)

    rows = {(row.level, row.code): row for row in report.progress}
    assert rows["vision", ""].start.status == start.vision.status
    assert rows["vision", ""].end.status == end.vision.status
    for item in end.objectives:
        assert rows["objective", str(item.objective.number)].end.score == item.result.score
    for item in start.objectives:
        assert rows["objective", str(item.objective.number)].start.score == item.result.score
    indicator = rows["indicator", "1.1.s0"]
    assert (indicator.start.status, indicator.end.status) == ("on_track", "deterioration")
    assert (indicator.start.latest_value, indicator.end.latest_value) == (160.0, 90.0)
    assert indicator.trend == "worse"
    assert len([row for row in report.progress if row.level == "objective"]) == Objective.objects.count()


def test_cancelled_activities_are_counted_apart(scenario):
    assert stocktaking_report(PERIOD).cancelled == 1


@pytest.mark.parametrize("copies", [1, 3])
def test_it_takes_the_same_number_of_queries_whatever_the_size(transactional_db, strategy, django_assert_num_queries,
                                                                copies):
    # Committed data, as in production: inside a test's transaction the progress cache is rightly bypassed.
    for n in range(copies):
        build_scenario(n)
    # Expect 26 queries: the progress overview at the end (objectives, priorities, indicators, observations) and
    # at the start (the same four again), the strategy, the instruments, the partners; the period's activities
    # counted and summed, by objective, by instrument, by objective and instrument, the partners taking part by
    # objective, the activities each partner led and joined; every activity with its lead partner, their
    # objectives, their instruments, their partners; whether the flows' kept totals are current, the flows'
    # totals, the demonstration flows' participants; and the round covering the period (none here: test_round.py
    # counts one)
    with django_assert_num_queries(26):
        stocktaking_report(PERIOD)
    # The progress overviews are cached until the next write: 18 queries then.
    with django_assert_num_queries(18):
        stocktaking_report(PERIOD)


def test_the_summary_has_every_figure_of_the_full_report_and_each_groups_newest_activities(strategy):
    for n in range(4):
        build_scenario(n)

    full = stocktaking_report(PERIOD)
    summary = stocktaking_summary(PERIOD, per_group=2)

    for name in ("activity_count", "coverage", "balance", "partners", "demo", "cancelled", "mobility"):
        assert getattr(summary, name) == getattr(full, name), name
    assert summary.activities == [] and not summary.complete and full.complete
    assert len(full.activities) == full.activity_count
    for cut, whole in zip(summary.activity_groups, full.activity_groups, strict=True):
        assert (cut.objective, cut.instrument, cut.count) == (whole.objective, whole.instrument, whole.count)
        assert cut.activities == whole.activities[:2]
        assert cut.more == max(whole.count - 2, 0)
