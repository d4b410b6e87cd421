"""The maps in Chromium: the indicator page's, the progress page's and the mobility page's draw every partner's
shape, show their legend and the EU and the ASEAN Secretariat as boxes, pass axe-core with nothing serious, weigh
under 150 KB of HTML, and on a 390-pixel phone never scroll the page sideways."""

import pytest

from mobility import totals
from mobility.models import MobilityFlow
from objectives import services
from objectives.models import Indicator, Priority
from partners.models import Partner
from tests.browser.fixtures import axe_violations, describe, look_at
from tests.browser.test_phone import check

pytestmark = pytest.mark.browser

PAGES = {"indicator": "/indicators/3.3.p/", "progress": "/progress/?map=3.3.p", "mobility": "/mobility/"}
HEAVIEST = 150_000  # bytes of HTML


@pytest.fixture
def mapped(transactional_db):
    """The strategy and its 53 partners; most report an indicator, and some send participants to others."""
    from asem_portal.content import load_strategy

    load_strategy()
    indicator = Indicator.objects.create(
        priority=Priority.objects.get(code="3.3"), code="3.3.p", unit="%",
        name="Adults with basic digital skills, as a share of the adult population aged 25 to 64 (a long name)",
        kind=Indicator.Kind.PERCENTAGE, aggregation="mean", baseline_year=2020, baseline_value=54, target_value=80,
    )
    partners = list(Partner.objects.order_by("code"))
    reporting = [partner for n, partner in enumerate(partners) if n % 5]  # every fifth partner did not report
    for n, partner in enumerate(reporting):
        services.publish_partner_values(partner=partner, indicators=[indicator], years=[2020, 2024],
                                        values={(indicator.pk, 2020): 30 + n, (indicator.pk, 2024): 32 + n * 1.1})
    MobilityFlow.objects.bulk_create(
        MobilityFlow(year=2024, origin=origin, destination=destination, level="higher_education",
                     participants=20 + 7 * n, reported_by=destination)
        for n, (origin, destination) in enumerate(zip(partners[::3], partners[1::3], strict=False))
    )
    totals.rebuild()  # the kept totals the mobility page reads
    return indicator


@pytest.mark.parametrize("name", PAGES)
def test_each_map_draws_every_partner_with_its_legend_and_the_organisations_boxes(tab, mapped, name):
    page = tab.page
    response = page.goto(PAGES[name])

    assert response.status == 200
    assert len(response.body()) < HEAVIEST
    drawn = page.locator("svg.map").first
    assert drawn.is_visible()
    assert drawn.locator("path").count() > 50  # every country partner's shape, and the backdrop
    for text in ["European Union (not a country)", "ASEAN Secretariat (not a country)"]:
        assert drawn.locator("text", has_text=text).is_visible()
    legend = "no participants" if name == "mobility" else "no report"
    assert drawn.locator("text", has_text=legend).is_visible()
    assert page.locator(".map-table table tbody tr").count() >= 50  # every value in the table beside it
    look_at(tab, f"map-{name}")  # no console error, nothing serious for axe-core


def test_the_pages_with_maps_fit_a_phone(phone_tab, mapped):
    page = phone_tab.page

    problems, violations = [], []
    for path in PAGES.values():
        problems += check(page, path)  # nothing scrolls sideways but a table in its own box
        violations += axe_violations(page)

    assert problems == []
    assert violations == [], describe(violations)
    assert phone_tab.console_errors == []
