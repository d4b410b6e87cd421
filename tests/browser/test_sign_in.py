import re

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import sign_in

pytestmark = pytest.mark.browser


def test_sam_signs_in_with_the_helper_and_reaches_the_admin(page, secretariat):
    sign_in(page, secretariat)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Strategy, partners, activities and mobility")).to_be_visible()
