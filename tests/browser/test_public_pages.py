"""Vera, a new visitor, walks the public pages in a real browser.

Each page is checked for console errors and serious accessibility
violations, and photographed into test-artifacts/screenshots/.
"""

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import look_at

pytestmark = pytest.mark.browser


def headings_in_order(page) -> list[str]:
    """Headings that skip a level on the way down (h2 then h4), or a page without exactly one h1."""
    levels = page.eval_on_selector_all("main h1, main h2, main h3, main h4, main h5, main h6",
                                       "els => els.map(e => Number(e.tagName[1]))")
    problems = [] if levels.count(1) == 1 else [f"{levels.count(1)} h1"]
    problems += [f"h{a} then h{b}" for a, b in itertools.pairwise(levels) if b > a + 1]
    return problems


def test_vera_finds_the_strategy_its_progress_and_an_indicators_figures_from_the_home_page(tab, portal_data):
    page = tab.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ASEM Education Strategy 2030")
    expect(page.get_by_role("img", name=re.compile("The strategy's years, 2021 to 2030"))).to_be_visible()
    expect(page.locator(".demo-banner")).to_be_visible()
    assert headings_in_order(page) == []
    look_at(tab, "home")

    page.get_by_role("link", name=re.compile("Enhancing connectivity between Asia and Europe")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enhancing connectivity")
    expect(page.get_by_role("img", name="Trend of 1.1.a")).to_be_visible()
    assert headings_in_order(page) == []
    look_at(tab, "objective")

    page.get_by_role("link", name=re.compile("1.1.a Participants moving from Asia to Europe")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1.1.a Participants moving from Asia to Europe")
    chart = page.get_by_role("img", name=re.compile("1.1.a Participants moving from Asia to Europe, in"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="The figures behind the status")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Required growth")).to_be_visible()
    assert headings_in_order(page) == []
    look_at(tab, "indicator")


def test_vera_looks_at_the_progress_chart_for_an_earlier_year(tab, portal_data):
    page = tab.page
    page.goto("/")
    page.get_by_role("link", name=re.compile("See the progress chart")).click()
    expect(page.get_by_role("table", name=re.compile("The progress chart, as of"))).to_be_visible()
    page.get_by_label("Progress as of").select_option("2021")
    page.get_by_role("button", name="Show", exact=True).click()  # not the map's "Show on the map"
    expect(page).to_have_url(re.compile(r"/progress/\?as_of=2021$"))
    expect(page.get_by_role("table", name="The progress chart, as of 2021")).to_be_visible()
    for number in range(1, 5):
        expect(page.locator("tr.level-objective").nth(number - 1)).to_contain_text(f"{number} ")
    assert headings_in_order(page) == []
    look_at(tab, "progress-2021")


def test_vera_filters_activities_by_instrument_and_region_and_opens_one(tab, portal_data):
    page = tab.page
    page.goto("/activities/")
    page.get_by_text("Filters", exact=True).click()  # folded until one is set
    page.get_by_label("Instrument").select_option("policy-dialogue")
    page.get_by_label("Lead partner's region").select_option("asia")
    page.get_by_role("button", name="Show results").click()
    # The script leaves the empty fields out of the address.
    expect(page).to_have_url(re.compile(r"/activities/\?instrument=policy-dialogue&region=asia$"))
    expect(page.locator("#result-count")).to_contain_text("found")
    assert headings_in_order(page) == []
    look_at(tab, "activities-filtered")

    page.goto("/activities/asemme9/")
    expect(page.get_by_role("heading", level=1)).to_have_text("9th ASEM Education Ministers' Meeting (ASEMME9)")
    expect(page.get_by_role("term").filter(has_text="Source")).to_be_visible()
    expect(page.locator(".demo-banner")).to_have_count(0)
    assert headings_in_order(page) == []
    look_at(tab, "activity")


def test_vera_reads_a_partners_page_and_the_mobility_figures(tab, portal_data):
    page = tab.page
    page.goto("/partners/")
    expect(page.get_by_role("heading", name=re.compile("Asian partners"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("European partners"))).to_be_visible()
    look_at(tab, "partners")
    page.get_by_role("link", name="Germany", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Germany")
    expect(page.get_by_role("img", name="Mobility to and from Germany by year")).to_be_visible()
    page.get_by_text("The figures as a table").click()
    expect(page.get_by_role("table", name="Mobility to and from Germany by year")).to_be_visible()
    assert headings_in_order(page) == []
    look_at(tab, "partner")

    page.goto("/mobility/")
    for name in ["Participants by year and direction between Asia and Europe",
                 "Balance of mobility between Asia and Europe", "Participants by year and mode",
                 "Participants by level of education", "The largest partner-to-partner corridors"]:
        expect(page.get_by_role("img", name=re.compile(re.escape(name)))).to_be_visible()
    assert headings_in_order(page) == []
    look_at(tab, "mobility")


def test_the_other_pages_pass_the_same_checks(tab, portal_data):
    for path in ["/objectives/", "/instruments/", "/instruments/policy-dialogue/", "/about/", "/no-such-page/"]:
        tab.page.goto(path)
        assert headings_in_order(tab.page) == [], path
        if path == "/no-such-page/":
            # The browser reports the 404 status itself in the console; that is the page working.
            tab.console_errors[:] = [e for e in tab.console_errors if "404" not in e]
        look_at(tab, path.strip("/").replace("/", "-"))


def test_a_keyboard_user_skips_to_the_content_and_reaches_the_filters(tab, portal_data):
    page = tab.page
    page.goto("/activities/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after skipping, the next Tab stays inside the main content"
    page.get_by_role("textbox", name="Search").focus()
    page.keyboard.type("lifelong")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=lifelong"))


def test_the_pages_fit_a_phones_width(phone_tab, portal_data):
    page = phone_tab.page
    for path in ["/", "/progress/", "/indicators/1.1.a/", "/activities/", "/mobility/", "/partners/DE/"]:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        look_at(phone_tab, f"phone-{path.strip('/').replace('/', '-') or 'home'}")
