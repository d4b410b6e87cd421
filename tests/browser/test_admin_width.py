"""Sam works in the admin on a 1280-pixel screen: no list or form runs off its right edge, and a list's names and
titles get room enough to read in a line or three, not four or five."""

import pytest
from django.contrib import admin
from django.urls import reverse

from objectives.models import Indicator
from tests.browser.fixtures import DESKTOP, sign_in

pytestmark = pytest.mark.browser

# How far the page and a list's table reach past their boxes, and the most lines a name or title takes.
MEASURE = """() => {
  const results = document.querySelector(".results");
  let lines = 0;
  for (const cell of document.querySelectorAll("#result_list :is(.field-name, .field-title, .field-text)")) {
    const style = getComputedStyle(cell);
    const text = cell.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    lines = Math.max(lines, Math.round(text / parseFloat(style.lineHeight)));
  }
  return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          list: results ? results.scrollWidth - results.clientWidth : 0, lines};
}"""
MOST_LINES = 3


def test_the_admins_lists_and_the_indicator_form_fit_a_1280_pixel_screen(page, portal_data, secretariat):
    assert DESKTOP["width"] == 1280
    sign_in(page, secretariat)
    paths = [reverse("admin:objectives_indicator_change", args=[Indicator.objects.get(code="1.1.a").pk])]
    paths += sorted(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
                    for model in admin.site._registry)

    problems = []
    for path in paths:
        page.goto(path)
        seen = page.evaluate(MEASURE)
        if seen["page"] > 0:
            problems.append(f"{path}: the page scrolls sideways by {seen['page']}px")
        if seen["list"] > 0:
            problems.append(f"{path}: the list runs {seen['list']}px past its box")
        if seen["lines"] > MOST_LINES:
            problems.append(f"{path}: a name or title takes {seen['lines']} lines")

    assert problems == [], "\n".join(problems)
