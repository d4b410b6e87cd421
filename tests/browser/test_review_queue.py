"""Sam returns a submission far down the review queue without a note: the page that answers opens at that
submission, the note focused and its error in view, not at the top of the queue."""

import re

import pytest
from playwright.sync_api import expect

from mobility import services
from tests import factories
from tests.browser.fixtures import sign_in
from workspace import services as workspace

pytestmark = pytest.mark.browser


def test_a_refused_return_brings_sam_back_to_that_submission_with_the_error_in_view(tab, alice, secretariat):
    for n in range(6):
        activity = workspace.save_activity(user=alice, data={
            "title": f"Seminar {n}", "lead_partner": factories.partner("DE"), "place": "Bonn",
            "summary": "Two days on recognition.", "partners": [factories.partner("TH")]})
        services.activity_submit(activity=activity, user=alice)
    page = tab.page
    sign_in(page, secretariat)
    page.goto("/workspace/review/")
    last = page.locator(f"#activity-{activity.slug}")  # the last one, below the fold

    last.get_by_role("button", name="Return with this note").click()

    expect(page).to_have_url(re.compile(rf"/workspace/review/{activity.slug}/return/#note-{activity.slug}$"))
    expect(last.get_by_label("What should the focal points change?")).to_be_focused()
    expect(last.get_by_text("Say what the focal points should change.")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
