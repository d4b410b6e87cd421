"""The pages comparing partners on a 390-pixel phone: the ranking, the chart and the matrix of statuses fit, a
wide table scrolls in its own box, never the page sideways, and axe-core finds nothing serious."""

import pytest

from objectives import services
from objectives.models import Indicator, Priority
from partners.models import Partner
from tests.browser.fixtures import axe_violations, describe
from tests.browser.test_phone import check

pytestmark = pytest.mark.browser


def test_the_comparison_pages_fit_a_phone(phone_tab, transactional_db):
    from asem_portal.content import load_strategy

    load_strategy()  # the strategy and its 53 partners
    indicators = [
        Indicator.objects.create(
            priority=Priority.objects.get(code=f"3.{n}"), code=f"3.{n}.p", name=f"A share partners report, {n}",
            unit="%", kind=Indicator.Kind.PERCENTAGE, aggregation="mean", baseline_year=2020, baseline_value=54,
            target_value=80,
        )
        for n in (1, 2, 3)
    ]
    for n, partner in enumerate(Partner.objects.all()):
        if n % 5:  # every fifth partner did not report
            services.publish_partner_values(
                partner=partner, indicators=indicators, years=[2020, 2024],
                values={(i.pk, year): 30 + n * (1.2 if year == 2024 else 1)
                        for i in indicators for year in (2020, 2024)},
            )
    page = phone_tab.page

    problems, violations = [], []
    for path in ["/indicators/3.3.p/partners/", "/indicators/3.3.p/partners/?group=region",
                 "/objectives/3/partners/?order=-3.2.p"]:
        problems += check(page, path)
        violations += axe_violations(page)  # no serious or critical finding

    assert problems == []
    assert violations == [], describe(violations)
    assert phone_tab.console_errors == []
