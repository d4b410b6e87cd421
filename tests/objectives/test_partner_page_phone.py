"""The page of an indicator partners report on a 390-pixel phone: the partners' table scrolls in its own box, the
page never sideways."""

import pytest

from objectives import services
from objectives.models import Indicator, PartnerTarget, Priority
from partners.models import Partner
from tests.browser.test_phone import check

pytestmark = pytest.mark.browser


def test_the_partners_table_fits_a_phone(phone_tab, transactional_db):
    from asem_portal.content import load_strategy

    load_strategy()  # the strategy and its 53 partners
    indicator = Indicator.objects.create(
        priority=Priority.objects.get(code="3.3"), code="3.3.p", name="Adults with basic digital skills", unit="%",
        kind=Indicator.Kind.PERCENTAGE, aggregation="mean", baseline_year=2020, baseline_value=54, target_value=80,
    )
    for n, partner in enumerate(Partner.objects.all()):
        services.publish_partner_values(partner=partner, indicators=[indicator], years=[2020, 2024],
                                        values={(indicator.pk, 2020): 30 + n, (indicator.pk, 2024): 30 + n * 1.2})
        if n % 3 == 0:
            PartnerTarget.objects.create(indicator=indicator, partner=partner, target_value=90)
    page = phone_tab.page

    problems = check(page, "/indicators/3.3.p/?order=-status")
    page.locator("#partner-DE summary").click()  # the status's figures open inside the table
    problems += check(page, "/indicators/3.3.p/")

    assert problems == []
    assert phone_tab.console_errors == []
