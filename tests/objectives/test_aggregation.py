"""How partners' own values make the ASEM value: a sum, a simple mean, a count of partners, or nothing for an
indicator measured for ASEM as a whole; each year's value carries how many partners it rests on."""

import pytest
from django.core.exceptions import ValidationError

from objectives import progress, services
from objectives.models import Indicator, Observation
from tests import factories

# The pure rule, one year at a time -------------------------------------------------------------------------------


def test_a_sum_adds_the_partners_that_reported():
    assert progress.aggregate({"DE": 120, "FR": 80, "TH": 35}, rule="sum") == (235, 3)


def test_a_mean_is_the_simple_mean_so_a_large_partner_weighs_no_more_than_a_small_one():
    assert progress.aggregate({"DE": 90.0, "FR": 60.0, "TH": 45.0, "JP": 25.0}, rule="mean") == (55.0, 4)


def test_a_count_is_how_many_partners_meet_the_condition_out_of_those_that_answered():
    answers = {"DE": 1, "FR": 0, "TH": 1, "JP": 1, "IT": 0}

    assert progress.aggregate(answers, rule="count") == (3, 5)
    assert progress.aggregate({"DE": 12, "FR": 9.5, "TH": 10}, rule="count", count_at_least=10) == (2, 3)


def test_a_count_nobody_meets_is_zero_not_missing():
    assert progress.aggregate({"DE": 0, "FR": 0}, rule="count") == (0, 2)


def test_a_year_nobody_reported_has_no_value_and_rests_on_nobody():
    for rule in ("sum", "mean", "count"):
        assert progress.aggregate({}, rule=rule) == (None, 0)


def test_an_asem_level_indicator_makes_nothing_from_partners():
    assert progress.aggregate({"DE": 5, "FR": 7}, rule="asem") == (None, 0)


def test_an_unknown_rule_is_the_callers_mistake():
    with pytest.raises(ValueError, match="unknown aggregation 'median'"):
        progress.aggregate({"DE": 1}, rule="median")


def test_the_engines_rules_are_the_indicators_choices():
    assert set(progress.AGGREGATIONS) == set(Indicator.Aggregation.values)


# The ASEM series made from the partners' observations ------------------------------------------------------------


@pytest.fixture
def partners(db):
    return {code: factories.partner(code) for code in ("DE", "FR", "IT", "TH", "JP")}


def reported(code: str, aggregation: str, kind: str = Indicator.Kind.COUNT, **fields) -> Indicator:
    return factories.IndicatorFactory(code=code, aggregation=aggregation, kind=kind, **fields)


def partner_values(indicator: Indicator, partners, table: dict[str, dict[int, float]]) -> None:
    for code, series in table.items():
        for year, value in series.items():
            Observation.objects.create(indicator=indicator, partner=partners[code], year=year, value=value)


def asem_series(indicator: Indicator) -> dict[int, tuple[float, int]]:
    rows = Observation.objects.filter(indicator=indicator, partner=None, breakdown="")
    assert all(row.is_computed for row in rows)
    return {row.year: (row.value, row.coverage) for row in rows}


# Germany reports every year, France skips 2023, Thailand starts in 2023, nobody reported 2024.
TABLE = {
    "DE": {2021: 100, 2022: 110, 2023: 130},
    "FR": {2021: 40, 2022: 50},
    "TH": {2023: 20},
}


def test_the_asem_sum_of_each_year_rests_on_the_partners_that_reported_it(partners):
    indicator = reported("9.9.s", "sum")
    partner_values(indicator, partners, TABLE)

    services.recompute_partner_aggregates(indicators=[indicator])

    assert asem_series(indicator) == {2021: (140, 2), 2022: (160, 2), 2023: (150, 2)}


def test_the_asem_mean_leaves_out_a_partner_missing_the_year_instead_of_counting_it_as_zero(partners):
    indicator = reported("9.9.m", "mean", kind=Indicator.Kind.PERCENTAGE)
    partner_values(indicator, partners, {
        "DE": {2021: 60.0, 2022: 64.0}, "FR": {2021: 50.0}, "JP": {2021: 70.0, 2022: 80.0},
    })

    services.recompute_partner_aggregates(indicators=[indicator])

    assert asem_series(indicator) == {2021: (60.0, 3), 2022: (72.0, 2)}


def test_the_asem_count_counts_the_yeses_among_the_partners_that_answered(partners):
    indicator = reported("9.9.c", "count")
    partner_values(indicator, partners, {
        "DE": {2021: 1, 2022: 1}, "FR": {2021: 0, 2022: 1}, "TH": {2022: 0}, "JP": {2021: 1},
    })

    services.recompute_partner_aggregates(indicators=[indicator])

    assert asem_series(indicator) == {2021: (2, 3), 2022: (2, 3)}


def test_an_asem_level_indicator_keeps_its_own_series(partners):
    indicator = reported("9.9.a", "asem")
    Observation.objects.create(indicator=indicator, year=2021, value=999)

    services.recompute_partner_aggregates(indicators=[indicator])

    assert list(Observation.objects.filter(indicator=indicator).values_list("year", "value", "is_computed")) == [
        (2021, 999, False)]


def test_a_year_no_partner_reports_any_longer_loses_its_asem_value(partners):
    indicator = reported("9.9.s", "sum")
    partner_values(indicator, partners, TABLE)
    services.recompute_partner_aggregates(indicators=[indicator])

    Observation.objects.filter(indicator=indicator, partner__code="TH").delete()
    Observation.objects.filter(indicator=indicator, partner__code="DE", year=2023).delete()
    services.recompute_partner_aggregates(indicators=[indicator])

    assert asem_series(indicator) == {2021: (140, 2), 2022: (160, 2)}


def test_recomputing_unchanged_values_writes_no_history(partners):
    indicator = reported("9.9.s", "sum")
    partner_values(indicator, partners, TABLE)
    services.recompute_partner_aggregates(indicators=[indicator])
    versions = Observation.history.filter(indicator=indicator, partner=None).count()

    services.recompute_partner_aggregates(indicators=[indicator])

    assert Observation.history.filter(indicator=indicator, partner=None).count() == versions == 3


# Publishing a partner's approved values ------------------------------------------------------------------------


def test_publishing_makes_the_partners_values_exactly_those_given_and_recomputes_asem(partners, secretariat):
    indicator = reported("9.9.s", "sum")
    partner_values(indicator, partners, TABLE)

    services.publish_partner_values(
        partner=partners["DE"], indicators=[indicator], years=[2022, 2023, 2024],
        values={(indicator.pk, 2022): 115, (indicator.pk, 2024): 150}, user=secretariat,
    )

    germany = dict(Observation.objects.filter(indicator=indicator, partner=partners["DE"])
                   .values_list("year", "value"))
    assert germany == {2021: 100, 2022: 115, 2024: 150}  # 2021 is outside the years published, so it stays
    assert asem_series(indicator) == {2021: (140, 2), 2022: (165, 2), 2023: (20, 1), 2024: (150, 1)}
    assert Observation.history.filter(partner=partners["DE"], year=2024).get().history_user == secretariat


def test_publishing_refuses_wrong_values_by_indicator_and_year_and_writes_nothing(partners):
    count = reported("9.9.s", "sum")
    share = reported("9.9.m", "mean", kind=Indicator.Kind.PERCENTAGE)
    asem_only = reported("9.9.a", "asem")

    with pytest.raises(ValidationError) as refused:
        services.publish_partner_values(
            partner=partners["DE"], indicators=[count, share, asem_only], years=[2023],
            values={(count.pk, 2023): 12.5, (share.pk, 2023): 104.0, (asem_only.pk, 2023): 3,
                    (count.pk, 2022): 4},
        )

    assert refused.value.message_dict == {
        "9.9.s/2023": ["9.9.s is a count of participants: give a whole number."],
        "9.9.m/2023": ["9.9.m is a percentage: give a value from 0 to 100."],
        "9.9.a/2023": ["9.9.a is measured for ASEM as a whole: partners do not report it."],
        "9.9.s/2022": ["Not among the indicators and years being published."],
    }
    assert not Observation.objects.exists()


def test_a_partners_new_total_must_still_hold_its_breakdowns(partners):
    indicator = reported("9.9.s", "sum")
    Observation.objects.create(indicator=indicator, partner=partners["DE"], year=2023, breakdown="region=asia",
                               value=80)

    with pytest.raises(ValidationError) as refused:
        services.publish_partner_values(partner=partners["DE"], indicators=[indicator], years=[2023],
                                        values={(indicator.pk, 2023): 50})

    assert list(refused.value.message_dict) == ["9.9.s/2023"]
    assert "more than the total of 50" in refused.value.message_dict["9.9.s/2023"][0]


@pytest.mark.parametrize(("kind", "value", "problem"), [
    (Indicator.Kind.COUNT, -3, "9.9.x is a count of participants: it cannot be below 0."),
    (Indicator.Kind.COUNT, 2.5, "9.9.x is a count of participants: give a whole number."),
    (Indicator.Kind.PERCENTAGE, -0.1, "9.9.x is a percentage: give a value from 0 to 100."),
    (Indicator.Kind.MEASURE, float("nan"), "9.9.x for 2023 needs a number."),
    (Indicator.Kind.MEASURE, "12", "9.9.x for 2023 needs a number."),
])
def test_check_partner_value_says_what_is_wrong(db, kind, value, problem):
    indicator = reported("9.9.x", "mean", kind=kind)

    assert services.check_partner_value(indicator=indicator, year=2023, value=value) == [problem]


def test_check_partner_value_accepts_a_right_value_and_refuses_a_year_out_of_range(db):
    indicator = reported("9.9.x", "mean", kind=Indicator.Kind.MEASURE)

    assert services.check_partner_value(indicator=indicator, year=2023, value=-1.25) == []
    assert services.check_partner_value(indicator=indicator, year=1989, value=1) == [
        "The year 1989 is outside 1990 to 2100."]


@pytest.mark.django_db(transaction=True)
def test_publishing_tells_the_caches_the_data_changed_once_it_commits():
    from core import changes

    indicator = reported("9.9.s", "sum")
    germany = factories.partner("DE")
    before = changes.generation()

    services.publish_partner_values(partner=germany, indicators=[indicator], years=[2023],
                                    values={(indicator.pk, 2023): 7})

    assert changes.generation() != before
