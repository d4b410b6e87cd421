"""The API says where the current pace leads, for ASEM as a whole and for each partner."""

import pytest

from objectives import services
from objectives.models import Indicator
from partners.models import Partner
from tests import factories
from tests.api.conftest import client_for


@pytest.fixture
def share(db):
    for code in ("DE", "TH"):
        factories.partner(code)
    indicator = factories.IndicatorFactory(code="3.3.p", aggregation="mean", kind=Indicator.Kind.PERCENTAGE,
                                           unit="%", baseline_year=2020, baseline_value=54, target_value=80)
    # Germany: 50 in 2020, 55 in 2022 (10 % in two years); ASEM's mean in 2022 is Germany's alone.
    services.publish_partner_values(partner=Partner.objects.get(code="DE"), indicators=[indicator],
                                    years=[2020, 2022], values={(indicator.pk, 2020): 50.0, (indicator.pk, 2022): 55.0})
    return indicator


def test_an_indicators_progress_says_where_asems_pace_leads_by_the_target_year(share):
    body = client_for().get("/api/v1/indicators/3.3.p/progress/").json()

    # 54 in 2020 to 55 in 2022, compounding eight more years: 55 * (55/54) ** 4 = 59.19, at one decimal.
    assert body["projection"] == {"year": 2030, "value": 59.2, "method": "cagr"}


def test_each_partners_progress_says_where_its_own_pace_leads(share):
    body = client_for().get("/api/v1/indicators/3.3.p/partners/").json()

    (germany,) = body["results"]
    # No target of its own: projected to the indicator's target year, 55 * 1.1 ** 4 = 80.5.
    assert germany["partner"] == "DE"
    assert germany["progress"]["projection"] == {"year": 2030, "value": 80.5, "method": "cagr"}


def test_the_projection_is_null_without_a_value_after_the_baseline(db):
    factories.IndicatorFactory(code="1.1.a", baseline_year=2020, baseline_value=10, target_value=20)

    body = client_for().get("/api/v1/indicators/1.1.a/progress/").json()

    assert body["projection"] is None
