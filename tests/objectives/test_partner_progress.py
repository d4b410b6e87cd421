"""Each partner's own status on an indicator it reports: its own series, from its own baseline, toward its own
target where the secretariat set one, else against the no-target thresholds."""

import pytest

from objectives.models import Indicator, Observation, PartnerTarget
from objectives.selectors import partner_progress
from tests import factories


@pytest.fixture
def indicator(db):
    """Adults with basic digital skills, %: baseline 2020, ASEM target 80 % by 2030."""
    return factories.IndicatorFactory(code="3.3.p", aggregation="mean", kind=Indicator.Kind.PERCENTAGE, unit="%",
                                      baseline_year=2020, baseline_value=54, target_value=80)


def reports(indicator, code, series):
    partner = factories.partner(code)
    for year, value in series.items():
        Observation.objects.create(indicator=indicator, partner=partner, year=year, value=value)
    return partner


def by_code(items):
    return {item.partner.code: item for item in items}


def test_a_partner_without_a_target_of_its_own_is_measured_against_the_fixed_thresholds(indicator):
    reports(indicator, "DE", {2020: 50.0, 2023: 65.0})

    germany = by_code(partner_progress(indicator))["DE"]

    # (65 / 50) ** (1 / 3) - 1 = +9.14 % a year, above the 1.5 % of on track; the ASEM target is not Germany's
    assert not germany.has_own_target
    assert (germany.result.baseline_year, germany.result.baseline_value) == (2020, 50.0)
    assert germany.result.target_value is None
    assert germany.result.method == "fixed_thresholds"
    assert round(germany.result.actual_growth, 4) == 0.0914
    assert germany.result.status == "on_track"


def test_a_partner_with_its_own_target_is_measured_against_it(indicator):
    france = reports(indicator, "FR", {2020: 40.0, 2024: 48.0})
    PartnerTarget.objects.create(indicator=indicator, partner=france, target_year=2030, target_value=80)

    result = by_code(partner_progress(indicator))["FR"].result

    # actual (48 / 40) ** (1 / 4) - 1 = 4.66 %, required (80 / 40) ** (1 / 10) - 1 = 7.18 %: a ratio of 0.65
    assert (result.target_year, result.target_value) == (2030, 80)
    assert round(result.ratio, 2) == 0.65
    assert result.status == "moderate"


def test_a_partner_that_started_after_the_baseline_year_is_measured_from_its_first_value(indicator):
    reports(indicator, "TH", {2022: 30.0, 2023: 29.0, 2024: 30.0})

    result = by_code(partner_progress(indicator))["TH"].result

    assert (result.baseline_year, result.baseline_value, result.latest_year) == (2022, 30.0, 2024)
    assert result.status == "limited"  # no change: at least not a fall


def test_one_value_is_not_enough_for_a_status(indicator):
    reports(indicator, "JP", {2023: 70.0})

    assert by_code(partner_progress(indicator))["JP"].result.status == "insufficient_data"


def test_as_of_an_earlier_year_only_the_values_known_then_count(indicator):
    reports(indicator, "DE", {2020: 50.0, 2021: 49.0, 2023: 65.0})

    result = by_code(partner_progress(indicator, as_of=2021))["DE"].result

    assert (result.latest_year, result.status) == (2021, "deterioration")


def test_a_target_due_before_a_partners_first_value_is_left_aside(indicator):
    italy = reports(indicator, "IT", {2022: 10.0, 2024: 12.0})
    PartnerTarget.objects.create(indicator=indicator, partner=italy, target_year=2021, target_value=80)

    result = by_code(partner_progress(indicator))["IT"].result

    assert result.target_value is None and result.method == "fixed_thresholds"


def test_only_partners_with_values_are_listed_by_name_and_the_asem_series_is_none_of_them(indicator):
    reports(indicator, "TH", {2021: 1.0})
    reports(indicator, "DE", {2021: 1.0})
    factories.partner("FR")
    Observation.objects.create(indicator=indicator, year=2021, value=1.0)
    Observation.objects.create(indicator=indicator, partner=factories.partner("JP"), year=2021, value=1.0,
                               breakdown="sex=female")

    assert [item.partner.code for item in partner_progress(indicator)] == ["DE", "TH"]


@pytest.mark.parametrize("codes", [["DE"], ["DE", "FR", "IT", "EU", "TH", "JP", "CN", "ASEAN"]])
def test_the_partners_statuses_take_two_queries_however_many_report(indicator, django_assert_num_queries, codes):
    for code in codes:
        partner = reports(indicator, code, {2020: 10.0, 2024: 12.0})
        PartnerTarget.objects.create(indicator=indicator, partner=partner, target_value=20)

    # Expect 2 queries: the partners' headline values with their partners; their targets
    with django_assert_num_queries(2):
        items = partner_progress(indicator)

    assert len(items) == len(codes)


def test_on_a_yes_or_no_question_a_partner_saying_yes_has_achieved_it_and_one_taking_it_back_has_gone_back(db):
    strategy = factories.IndicatorFactory(code="2.1.p", aggregation="count", kind=Indicator.Kind.COUNT,
                                          unit="partners", baseline_year=2020, baseline_value=21, target_value=40)
    reports(strategy, "DE", {2020: 1.0, 2024: 1.0})
    reports(strategy, "TH", {2020: 0.0, 2024: 1.0})
    reports(strategy, "FR", {2020: 1.0, 2024: 0.0})
    reports(strategy, "JP", {2020: 0.0, 2024: 0.0})

    statuses = {code: item.result.status for code, item in by_code(partner_progress(strategy)).items()}

    assert statuses == {"DE": "achieved", "TH": "achieved", "FR": "deterioration", "JP": "limited"}
