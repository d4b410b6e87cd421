"""Every public page and every page of Alice's workspace on a 390-pixel phone: nothing scrolls sideways but a wide
table (inside its own box, with a cue, its label column kept in view) or a chart, whose text is readable.

One browser tab visits them all, without the slower accessibility checks the other browser tests make.
"""

import pytest

from mobility.models import Activity, MobilityFlow, Partner
from tests import factories
from tests.browser.fixtures import PHONE, sign_in

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/progress/", "/objectives/", "/objectives/1/", "/indicators/1.1.a/", "/instruments/",
          "/instruments/policy-dialogue/", "/activities/", "/activities/asemme9/", "/partners/", "/partners/DE/",
          "/mobility/", "/about/", "/reports/stocktaking/", "/accounts/sign-in/", "/accounts/password/reset/"]
SMALLEST_TEXT = 12  # CSS pixels, as rendered

# What the page shows that a phone cannot: the sideways overflow, the wide tables whose label column leaves the
# screen once scrolled (or that give no cue that they scroll), and the chart text drawn smaller than SMALLEST_TEXT.
MEASURE = """() => {
  const shown = el => el.getClientRects().length > 0;
  const problems = [];
  for (const table of document.querySelectorAll("main table")) {
    if (!shown(table)) continue;
    const box = table.closest(".table-scroll");
    if (!box) {
      if (table.getBoundingClientRect().right > window.innerWidth) problems.push("a table outside a scroll box");
      continue;
    }
    if (box.scrollWidth <= box.clientWidth) continue;
    if (getComputedStyle(box).backgroundImage === "none") problems.push("a wide table with no cue that it scrolls");
    box.scrollLeft = box.scrollWidth;
    const left = box.getBoundingClientRect().left;
    for (const row of table.querySelectorAll("tr")) {
      const first = row.cells[0];
      if (first && first.getBoundingClientRect().left < left - 1) {
        problems.push(`the label "${first.textContent.trim().slice(0, 30)}" scrolled out of view`);
        break;
      }
    }
    box.scrollLeft = 0;
  }
  let smallest = Infinity;
  for (const text of document.querySelectorAll("svg.chart text")) {
    if (!shown(text) || !text.textContent.trim()) continue;
    const ctm = text.getScreenCTM();  // rotated text (an axis title) scales by b, not a
    const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
    if (size < smallest) smallest = size;
  }
  return {width: document.documentElement.scrollWidth, problems, smallest};
}"""


def check(page, path) -> list[str]:
    response = page.goto(path)
    assert response.status == 200, path
    seen = page.evaluate(MEASURE)
    problems = [f"{path}: {problem}" for problem in seen["problems"]]
    if seen["width"] > PHONE["width"]:
        problems.append(f"{path}: the page is {seen['width']}px wide")
    if seen["smallest"] < SMALLEST_TEXT - 0.05:
        problems.append(f"{path}: chart text is {seen['smallest']:.1f}px")
    return problems


def test_no_page_scrolls_sideways_on_a_phone_and_tables_and_charts_stay_readable(phone_tab, portal_data):
    alice = factories.focal_point("alice", Partner.objects.get(code="DE"))
    draft = factories.ActivityFactory(title="A workshop on joint degrees with a long enough title to wrap",
                                      slug="joint-degrees", state=Activity.State.DRAFT,
                                      lead_partner=alice.partner_memberships.get().partner, created_by=alice)
    flow = MobilityFlow.objects.filter(reported_by__code="DE").first()  # a row Germany reported: hers to read
    page = phone_tab.page

    problems = [problem for path in PUBLIC for problem in check(page, path)]
    sign_in(page, alice)
    for path in ["/workspace/", "/workspace/activities/new/", f"/workspace/activities/{draft.slug}/",
                 f"/workspace/activities/{draft.slug}/edit/", f"/workspace/activities/{draft.slug}/history/",
                 "/workspace/mobility/", f"/workspace/mobility/flows/{flow.pk}/history/", "/workspace/token/",
                 "/accounts/password/"]:
        problems += check(page, path)

    assert problems == [], "\n".join(problems)


def test_long_filter_forms_fold_away_on_a_phone_until_a_filter_is_set(phone_tab, portal_data):
    page = phone_tab.page
    for path in ["/activities/", "/mobility/"]:
        page.goto(path)
        results = page.locator("#result-count, main h2").first
        assert results.bounding_box()["y"] < PHONE["height"], f"{path}: the results start below the first screen"
        assert page.locator("form.filters details").get_attribute("open") is None

    page.goto("/activities/?region=asia")
    assert page.locator("form.filters details").get_attribute("open") is not None
    assert page.get_by_label("Lead partner's region").is_visible()
