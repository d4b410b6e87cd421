"""The data page in Chromium: on a 390-pixel phone and a desktop, with nothing serious for axe-core."""

import pytest

from opendata import releases
from opendata.models import DataRelease
from tests.browser.fixtures import PHONE, look_at

pytestmark = pytest.mark.browser


@pytest.fixture
def two_releases(portal_data):
    """The portal a newcomer runs, released twice: the second on the secretariat's word, with a long reason."""
    from django.contrib.auth.models import Group

    from core.roles import SECRETARIAT_GROUP
    from tests import factories

    sam = factories.UserFactory(username="sam", is_staff=True)
    sam.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    for reason in ("", "The 2027 figures of three partners corrected after their ministries checked them again"):
        releases.request_release(user=sam, reason=reason)  # no transaction here: built at once
    assert DataRelease.objects.filter(state=DataRelease.State.READY).count() == 2


def test_the_data_page_fits_a_phone_and_downloads_a_release(phone_tab, two_releases):
    page = phone_tab.page

    assert page.goto("/data/").status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    look_at(phone_tab, "opendata-data-phone")
    assert page.inner_text("#release-2 h3").startswith("Release 2")
    assert "demo" in page.inner_text("#release-2 h3")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download release 1 (ZIP)").click()
    assert download.value.suggested_filename == "asem-education-portal-release-1.zip"


def test_the_data_page_on_a_desktop(tab, two_releases):
    assert tab.page.goto("/data/").status == 200
    look_at(tab, "opendata-data-desktop")
