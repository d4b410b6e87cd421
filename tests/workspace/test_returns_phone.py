"""Germany's return on a 390-pixel phone: the form, its errors, the review and the history fit the screen, their
wide tables scroll inside their own boxes, and nothing on them fails an accessibility check."""

import datetime

import pytest
from django.utils import timezone

from partners.models import Partner
from reporting import services as reporting
from reporting.models import Question, Return, Round
from tests import factories
from tests.browser.fixtures import PHONE, look_at, sign_in
from tests.reporting.conftest import reported_indicator

pytestmark = pytest.mark.browser


@pytest.fixture
def de_return(portal_data, secretariat):
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline=timezone.localdate() + datetime.timedelta(days=21))
    round_.indicators.set([
        reported_indicator("2.2.p", "TVET programmes co-designed with industry", aggregation="sum", kind="count",
                           unit="programmes", baseline=(2020, 140)),
        reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean", kind="percentage",
                           unit="%", baseline=(2020, 54)),
    ])
    Question.objects.create(round=round_, number=1, text="What were the highlights?", required=True)
    reporting.open_round(round=round_, user=secretariat)
    return Return.objects.get(round=round_, partner__code="DE")


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_alice_fills_in_the_return_on_her_phone(phone_tab, de_return):
    alice = factories.focal_point("alice", Partner.objects.get(code="DE"))
    page = phone_tab.page
    sign_in(page, alice)

    assert page.goto(f"/workspace/returns/{de_return.pk}/").status == 200
    fits_the_phone(page)
    box_width, table_width = page.evaluate(
        "() => { const box = document.querySelector('table.return-flows').parentElement;"
        " return [box.clientWidth, box.querySelector('table').scrollWidth]; }")
    assert table_width > box_width  # the flows are wider than the phone: they scroll in their box
    look_at(phone_tab, "return-form-phone")

    page.get_by_label("2.2.p, 2025").fill("12.5")
    page.get_by_label("3.3.p, 2025").fill("104")
    page.get_by_role("button", name="Save draft").click()

    assert page.get_by_role("heading", name="There are 2 problems to fix; nothing was saved").is_visible()
    fits_the_phone(page)
    phone_tab.console_errors.clear()  # the 400 the refusal answers, logged by the browser on purpose
    look_at(phone_tab, "return-form-errors-phone")

    page.get_by_label("2.2.p, 2025").fill("12")
    page.get_by_label("3.3.p, 2025").fill("64")
    page.get_by_label("1. What were the highlights?").fill("A new TVET law.")
    page.get_by_role("button", name="Save and submit for review").click()

    assert page.get_by_text("Sent Germany's return to the secretariat for review.").is_visible()
    fits_the_phone(page)
    look_at(phone_tab, "return-submitted-phone")


def test_sam_reviews_the_return_and_reads_its_history_on_his_phone(phone_tab, de_return, secretariat):
    alice = factories.focal_point("alice", Partner.objects.get(code="DE"))
    report = reporting.save_return(report=de_return, user=alice, version=0, values={("2.2.p", 2025): 12},
                                   answers={1: "A new TVET law."})
    reporting.submit_return(report=report, user=alice, version=report.version)
    page = phone_tab.page
    sign_in(page, secretariat)

    assert page.goto("/workspace/review/returns/").status == 200
    fits_the_phone(page)
    look_at(phone_tab, "return-queue-phone")
    page.get_by_role("link", name="Germany").click()
    fits_the_phone(page)
    look_at(phone_tab, "return-review-phone")
    assert page.goto(f"/workspace/returns/{de_return.pk}/history/").status == 200
    fits_the_phone(page)
    look_at(phone_tab, "return-history-phone")
