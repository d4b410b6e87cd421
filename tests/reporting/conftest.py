"""A reporting round on the real strategy and its 53 partners, as the secretariat would open it."""

import datetime

import pytest
from django.utils import timezone

from objectives.models import Indicator, Priority
from reporting.models import Question, Return, Round


def reported_indicator(code: str, name: str, *, aggregation: str, kind: str, unit: str, baseline: tuple[int, float],
                       target: float | None = None) -> Indicator:
    return Indicator.objects.create(
        priority=Priority.objects.get(code=code.rsplit(".", 1)[0]), code=code, name=name, unit=unit, kind=kind,
        aggregation=aggregation, baseline_year=baseline[0], baseline_value=baseline[1], target_value=target,
    )


@pytest.fixture
def reported_indicators(strategy):
    """Three indicators partners report, one for each way their values make the ASEM value."""
    return {
        "sum": reported_indicator("2.2.p", "TVET programmes co-designed with industry", aggregation="sum",
                                  kind=Indicator.Kind.COUNT, unit="programmes", baseline=(2020, 140), target=400),
        "mean": reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean",
                                   kind=Indicator.Kind.PERCENTAGE, unit="%", baseline=(2020, 54), target=80),
        "count": reported_indicator("2.1.p", "Partners with a national lifelong learning strategy",
                                    aggregation="count", kind=Indicator.Kind.COUNT, unit="partners",
                                    baseline=(2020, 21), target=40),
    }


@pytest.fixture
def open_round(reported_indicators):
    """Stocktaking 2027, open: 2024 to 2026, due in three weeks, two narrative questions, a return per partner."""
    from partners.models import Partner

    round_ = Round.objects.create(
        name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
        deadline=timezone.localdate() + datetime.timedelta(days=21), state=Round.State.OPEN,
        opened_at=timezone.now(),
    )
    round_.indicators.set(reported_indicators.values())
    Question.objects.create(round=round_, number=1, text="What were the highlights?", required=True)
    Question.objects.create(round=round_, number=2, text="What good practice would you share?")
    Return.objects.bulk_create(Return(round=round_, partner=partner) for partner in Partner.objects.all())
    return round_


@pytest.fixture
def de_return(open_round, alice):
    """Germany's return in the open round; alice is Germany's focal point."""
    return Return.objects.get(round=open_round, partner__code="DE")


@pytest.fixture
def th_return(open_round, bob):
    """Thailand's return in the open round; bob is Thailand's focal point."""
    return Return.objects.get(round=open_round, partner__code="TH")
