"""The demo banner shows when, and only when, what the page shows includes synthetic records."""

import pytest

from mobility.models import MobilityFlow
from tests import factories
from tests.pages import build_portal

BANNER = 'class="demo-banner"'
PAGES = ["/", "/progress/", "/objectives/", "/objectives/1/", "/indicators/1.1.a/", "/instruments/",
         "/instruments/instrument-1/", "/activities/", "/activities/activity-1-0/", "/partners/", "/partners/DE/",
         "/mobility/"]


@pytest.mark.parametrize("path", [*PAGES, "/about/"])
def test_no_page_shows_the_banner_when_all_the_data_is_real(client, db, path):
    build_portal(1)
    response = client.get(path)
    assert response.status_code == 200
    assert BANNER not in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_that_shows_demo_records_says_so(client, db, path):
    build_portal(1, demo=True)
    page = client.get(path).content.decode()
    assert BANNER in page
    assert "Demonstration data." in page


def test_a_real_activity_has_no_banner_though_demo_ones_exist(client, db):
    build_portal(1)
    factories.ActivityFactory(slug="synthetic", title="A synthetic one", is_demo=True)
    assert BANNER not in client.get("/activities/activity-1-0/").content.decode()
    assert BANNER in client.get("/activities/synthetic/").content.decode()


def test_the_activity_list_has_the_banner_only_when_a_listed_activity_is_demo(client, db):
    build_portal(1)
    factories.ActivityFactory(slug="synthetic", title="A synthetic one", is_demo=True, start_year=2024)
    assert BANNER in client.get("/activities/").content.decode()
    assert BANNER not in client.get("/activities/?q=led+by").content.decode()


def test_the_mobility_page_has_the_banner_only_when_the_flows_shown_include_demo_ones(client, db):
    portal = build_portal(1)
    MobilityFlow.objects.create(year=2019, origin=portal.partners["JP"], destination=portal.partners["FR"],
                                level="school", participants=5, is_demo=True, reported_by=portal.partners["FR"])
    assert BANNER in client.get("/mobility/").content.decode()
    assert BANNER not in client.get("/mobility/?year_from=2022").content.decode()


def test_a_partner_without_demo_records_has_no_banner(client, db):
    portal = build_portal(1)
    MobilityFlow.objects.create(year=2019, origin=portal.partners["JP"], destination=portal.partners["FR"],
                                level="school", participants=5, is_demo=True, reported_by=portal.partners["FR"])
    assert BANNER in client.get("/partners/JP/").content.decode()
    assert BANNER not in client.get("/partners/IT/").content.decode()
