"""A visitor reaches any partner's status on any indicator in two clicks from the home page, on a phone as on a
desktop, and the partner's profile scrolls down only."""

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import look_at

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_a_visitor_reaches_frances_status_on_an_indicator_in_two_clicks_from_home(new_tab, portal_data, width):
    tab = new_tab(viewport={"width": width, "height": 900})
    page = tab.page
    page.goto("/")

    page.get_by_role("navigation").get_by_role("link", name="Partners", exact=True).first.click()  # one
    page.get_by_role("link", name="France", exact=True).first.click()  # two

    expect(page.get_by_role("heading", level=1)).to_contain_text("France")
    expect(page.get_by_role("heading", name="Toward 2030")).to_be_visible()
    statuses = page.locator("section[aria-labelledby=progress-heading] tbody tr")
    expect(statuses.first).to_be_visible()
    assert statuses.count() >= 3  # the demo indicators France reports
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    look_at(tab, f"profile-fr-{width}")
