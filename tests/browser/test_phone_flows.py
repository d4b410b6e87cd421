"""A focal point's mobility data on a 390-pixel phone, with a table of flows wider than the screen."""

import pytest

from mobility.models import MobilityFlow, Partner
from tests import factories
from tests.browser.fixtures import PHONE, sign_in

pytestmark = pytest.mark.browser


def test_the_flows_table_scrolls_in_its_box_and_the_page_does_not(phone_tab, portal_data):
    alice = factories.focal_point("alice", Partner.objects.get(code="DE"))
    # The newest flow, so it is listed: a long programme makes the table wider than the phone.
    MobilityFlow.objects.create(year=2025, origin=Partner.objects.get(code="DE"),
                                destination=Partner.objects.get(code="TH"), mode="physical", level="school",
                                participants=12, programme="A long-running exchange programme for school teachers",
                                reported_by=Partner.objects.get(code="DE"))
    page = phone_tab.page
    sign_in(page, alice)

    assert page.goto("/workspace/mobility/").status == 200
    box_width, table_width = page.evaluate(
        "() => { const box = document.querySelector('main .table-scroll');"
        " return [box.clientWidth, box.querySelector('table').scrollWidth]; }")
    assert table_width > box_width  # the table is wider than its box, as on a real phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
