"""The board and a round's page on a 390-pixel phone: the wide table scrolls in its box, never the page."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import SECRETARIAT_GROUP
from partners.models import Partner
from reporting.models import Question, Return, Round
from tests import factories
from tests.browser.fixtures import PHONE, look_at, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def stocktaking(transactional_db):
    from asem_portal.content import load_strategy

    load_strategy()
    round_ = Round.objects.create(
        name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026, state=Round.State.OPEN,
        deadline=timezone.localdate() + datetime.timedelta(days=10), opened_at=timezone.now())
    Question.objects.create(round=round_, number=1, text="What were the highlights?", required=True)
    Return.objects.bulk_create(Return(round=round_, partner=partner) for partner in Partner.objects.all())
    Return.objects.filter(round=round_, partner__code="FR").update(state=Return.State.APPROVED,
                                                                    approved_at=timezone.now())
    return round_


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_secretariat_reminds_a_partner_from_the_board_on_a_phone(phone_tab, stocktaking):
    factories.focal_point("alice", Partner.objects.get(code="DE"))
    sam = factories.UserFactory(username="sam", is_staff=True)
    sam.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    page = phone_tab.page
    sign_in(page, sam)

    assert page.goto("/rounds/stocktaking-2027/board/").status == 200
    assert fits_the_phone(page)
    look_at(phone_tab, "reporting-board-phone")

    page.get_by_role("button", name="Send a reminder to Germany").click()
    page.wait_for_load_state()
    assert "Reminded Germany's focal points: alice@example.org." in page.inner_text("main .messages")
    assert fits_the_phone(page)


def test_a_rounds_public_page_fits_a_phone(phone_tab, stocktaking):
    page = phone_tab.page

    assert page.goto("/rounds/stocktaking-2027/").status == 200
    assert fits_the_phone(page)
    look_at(phone_tab, "reporting-round-phone")
    assert page.goto("/rounds/").status == 200
    assert fits_the_phone(page)
