import pytest
from django.core.management import CommandError, call_command

from instruments.models import Instrument
from mobility.models import Activity, DeliveryMode, MobilityFlow, MobilityLevel, Organisation
from objectives.models import Indicator, Objective, Observation
from reporting.models import Return, Round


@pytest.fixture
def demo(strategy):
    call_command("load_demo", verbosity=0)


def snapshot():
    """What a visitor would see of the demo data, without database keys."""
    return (
        sorted(Activity.objects.filter(is_demo=True).values_list("slug", "title", "start_date", "state",
                                                                  "lead_partner__code")),
        sorted(MobilityFlow.objects.values_list("year", "origin__code", "destination__code", "mode", "level",
                                                "participants", "female")),
        sorted(Observation.objects.values_list("indicator__code", "year", "breakdown", "value", "partner__code"),
               key=str),
        sorted(Return.objects.values_list("round__name", "partner__code", "state", "version")),
    )


def test_it_spreads_at_least_60_activities_over_every_objective_instrument_and_region(demo):
    activities = Activity.objects.filter(is_demo=True)
    assert activities.count() >= 60
    for objective in Objective.objects.all():
        assert activities.filter(objectives=objective).exists(), objective
    for instrument in Instrument.objects.all():
        assert activities.filter(instruments=instrument).exists(), instrument
    assert set(activities.values_list("lead_partner__region", flat=True)) == {"asia", "europe"}
    assert activities.filter(state=Activity.State.PUBLISHED).count() >= 50


def test_it_makes_flows_for_2019_to_2025_in_every_mode_and_level_between_many_pairs(demo):
    flows = MobilityFlow.objects.filter(is_demo=True)
    assert sorted(set(flows.values_list("year", flat=True))) == list(range(2019, 2026))
    assert set(flows.values_list("mode", flat=True)) == set(DeliveryMode.values)
    assert set(flows.values_list("level", flat=True)) == set(MobilityLevel.values)
    assert flows.values("origin", "destination").distinct().count() >= 50
    assert flows.filter(origin__region="asia", destination__region="europe").exists()
    assert flows.filter(origin__region="europe", destination__region="asia").exists()


def test_it_defines_at_least_two_indicators_per_objective_with_baseline_and_2030_target(demo):
    for objective in Objective.objects.all():
        indicators = Indicator.objects.filter(priority__objective=objective, is_demo=True)
        assert indicators.count() >= 2, objective
        assert indicators.filter(target_year=2030).exclude(target_value=None).exists()
    hand_entered = Indicator.objects.filter(source=Indicator.Source.MANUAL).first()
    assert hand_entered.observations.filter(breakdown="").count() >= 5


def test_counts_are_whole_and_their_regions_add_up_to_the_total(demo):
    counts = Indicator.objects.filter(is_demo=True, kind=Indicator.Kind.COUNT, source=Indicator.Source.MANUAL)
    assert counts.filter(code="3.4.a").exists()
    for indicator in counts:
        values = list(indicator.observations.values_list("year", "breakdown", "value"))
        assert all(value == round(value) for _year, _breakdown, value in values), indicator.code
        for year in {year for year, breakdown, _value in values if breakdown}:
            total = next(value for y, breakdown, value in values if y == year and not breakdown)
            parts = [value for y, breakdown, value in values if y == year and breakdown.startswith("region=")]
            assert sum(parts) == total, (indicator.code, year)


def test_two_runs_give_the_same_portal(demo):
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first


def test_remove_takes_away_the_demo_and_keeps_the_real_content(demo):
    real_activities = Activity.objects.filter(is_demo=False).count()
    call_command("load_demo", "--remove", verbosity=0)
    assert not Activity.objects.filter(is_demo=True).exists()
    assert not MobilityFlow.objects.exists()
    assert sorted(Indicator.objects.values_list("code", flat=True)) == ["1.1.oecd1", "1.1.oecd2", "1.1.oecd3"]  # real
    assert not Organisation.objects.filter(is_demo=True).exists()
    assert not Round.objects.exists()
    assert Activity.objects.filter(is_demo=False).count() == real_activities == 20


def test_it_refuses_to_run_before_the_strategy_is_loaded(db):
    with pytest.raises(CommandError, match="load_strategy"):
        call_command("load_demo", verbosity=0)
