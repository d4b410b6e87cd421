"""A visitor reads the OECD's figures on an indicator's page, on a desktop and on a 390-pixel phone: the source is a
link beside the figures, the coverage is said plainly, and the page passes the accessibility checks."""

import pytest
from playwright.sync_api import expect

from asem_portal.official_statistics import OECD_SOURCE, OECD_URL
from tests.browser.fixtures import look_at

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_vera_sees_where_the_students_figures_come_from_and_what_they_cover(new_tab, portal_data, width):
    tab = new_tab(viewport={"width": width, "height": 900})
    page = tab.page

    page.goto("/indicators/1.1.oecd1/")

    data = page.locator("section[aria-labelledby=data-heading]")
    expect(data.get_by_role("link", name=OECD_SOURCE)).to_have_attribute("href", OECD_URL)
    expect(data).to_contain_text("the 25 European-side partners that do")
    expect(data.get_by_role("cell", name="906,623")).to_be_visible()
    expect(page.locator(".demo-banner")).to_have_count(0)  # the portal holds demo data, but these figures are real
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    look_at(tab, f"official-statistics-{width}")
