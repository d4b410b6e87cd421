"""Following the portal: the Atom feeds of activities, releases and an indicator's values; the sitemap; robots.txt."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from core import licence
from mobility.models import Activity
from objectives.models import Observation, Priority
from opendata.models import DataRelease
from reporting.models import Round
from tests import factories
from tests.pages import visitor_client

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def vera():
    """Vera follows the portal in her feed reader without signing in."""
    return visitor_client()


def entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - the portal's own response, not untrusted input
    assert feed.tag == f"{ATOM}feed"
    return [{"title": entry.findtext(f"{ATOM}title"), "summary": entry.findtext(f"{ATOM}summary") or "",
             "id": entry.findtext(f"{ATOM}id"), "updated": entry.findtext(f"{ATOM}updated"),
             "links": {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}}
            for entry in feed.findall(f"{ATOM}entry")]


# Activities ---------------------------------------------------------------------------------------------------------


def test_the_activities_feed_has_published_activities_newest_first_and_no_draft(db, vera, django_assert_num_queries):
    now = timezone.now()
    factories.ActivityFactory(title="ASEM Ministers' Meeting", slug="asemme", published_at=now - timedelta(days=3))
    factories.ActivityFactory(title="Digital skills summer school", slug="summer", published_at=now)
    factories.ActivityFactory(title="Work in progress", slug="draft", state=Activity.State.DRAFT)
    factories.ActivityFactory(title="Waiting for review", slug="submitted", state=Activity.State.SUBMITTED)
    factories.ActivityFactory(title="A made-up exchange", slug="demo", is_demo=True, published_at=now - timedelta(1))
    factories.ActivityFactory(title="Published before dates were kept", slug="undated", published_at=None)
    licence.current()  # read from the database once, then from the cache

    # Expect 1 query: the published activities with their lead partners
    with django_assert_num_queries(1):
        response = vera.get("/activities/feed.atom")

    found = entries(response)
    assert [e["title"] for e in found] == ["Digital skills summer school", "A made-up exchange (demo data)",
                                           "ASEM Ministers' Meeting", "Published before dates were kept"]
    assert found[0]["links"]["alternate"] == "http://testserver/activities/summer/"
    assert found[1]["summary"].startswith("Synthetic demonstration data.")


def test_the_activities_list_announces_its_feed(vera, strategy):
    page = vera.get("/activities/").content.decode()

    assert '<link rel="alternate" type="application/atom+xml" title="Published activities" ' \
           'href="/activities/feed.atom">' in page


# Releases -----------------------------------------------------------------------------------------------------------


def test_the_releases_feed_has_ready_releases_with_their_package(db, vera, django_assert_num_queries):
    DataRelease.objects.create(number=1, state=DataRelease.State.READY, size=2048, sha256="a" * 64,
                               finished_at=timezone.now() - timedelta(days=1), reason="First")
    DataRelease.objects.create(number=2, state=DataRelease.State.READY, size=4096, sha256="b" * 64,
                               finished_at=timezone.now(), has_demo=True)
    DataRelease.objects.create(number=3, state=DataRelease.State.FAILED, failure="Disk full")
    DataRelease.objects.create(number=4)
    licence.current()

    # Expect 1 query: the ready releases with their rounds
    with django_assert_num_queries(1):
        response = vera.get("/data/feed.atom")

    found = entries(response)
    assert [e["title"] for e in found] == ["Data release 2 (demo data)", "Data release 1"]
    assert found[0]["links"]["enclosure"] == "http://testserver/data/releases/2/datapackage.zip"
    assert "synthetic demonstration data" in found[0]["summary"]
    assert "Requested by the secretariat: First." in found[1]["summary"]


# An indicator's values ----------------------------------------------------------------------------------------------


@pytest.fixture
def indicator(strategy):
    return factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.x",
                                      name="Students moving between Asia and Europe", unit="students")


def test_an_indicators_feed_has_each_value_as_it_was_published(indicator, vera, django_assert_num_queries):
    germany = factories.partner("DE")
    asem = Observation.objects.create(indicator=indicator, year=2024, value=1500)
    Observation.objects.create(indicator=indicator, partner=germany, year=2024, value=320)
    asem.value = 1600  # corrected: a new value
    asem.save()
    asem.note = "Checked"  # a note alone: not a new value
    asem.save()
    gone = Observation.objects.create(indicator=indicator, year=2023, value=900)
    gone.delete()  # no longer public
    licence.current()

    # Expect 3 queries: the indicator, its observations' ids, their history with partners' names
    with django_assert_num_queries(3):
        response = vera.get("/indicators/1.1.x/feed.atom")

    found = entries(response)
    assert [e["title"] for e in found] == ["ASEM, 2024: 1,600 students", "Germany, 2024: 320 students",
                                           "ASEM, 2024: 1,500 students"]
    assert len({e["id"] for e in found}) == 3
    assert found[0]["links"]["alternate"] == "http://testserver/indicators/1.1.x/"


def test_a_demo_indicators_values_say_demo(indicator, vera):
    indicator.is_demo = True
    indicator.save()
    Observation.objects.create(indicator=indicator, year=2024, value=10)

    found = entries(vera.get("/indicators/1.1.x/feed.atom"))

    assert found[0]["title"] == "ASEM, 2024: 10 students (demo data)"


def test_an_unknown_indicators_feed_is_not_found(vera, strategy):
    assert vera.get("/indicators/9.9.z/feed.atom").status_code == 404


def test_the_indicator_page_announces_its_feed(indicator, vera):
    page = vera.get("/indicators/1.1.x/").content.decode()

    assert 'type="application/atom+xml" title="New values of 1.1.x" href="/indicators/1.1.x/feed.atom">' in page


# Sitemap and robots -------------------------------------------------------------------------------------------------


def xml_of(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)  # noqa: S314 - the portal's own response, not untrusted input


def test_the_sitemap_is_an_index_of_sections_that_list_public_pages_and_no_draft(vera, strategy,
                                                                                 django_assert_num_queries):
    factories.ActivityFactory(title="Published", slug="published-one")
    factories.ActivityFactory(title="Draft", slug="draft-one", state=Activity.State.DRAFT)
    Round.objects.create(name="Open", slug="open-round", first_year=2024, last_year=2025, state=Round.State.OPEN,
                         deadline=timezone.localdate())
    Round.objects.create(name="Prepared", slug="prepared-round", first_year=2024, last_year=2025,
                         deadline=timezone.localdate())

    # Expect 6 queries: how many objectives, indicators, instruments, partners, published activities and opened
    # rounds there are, for each section's number of pages
    with django_assert_num_queries(6):
        index = xml_of(vera.get("/sitemap.xml"))

    site = "http://testserver"
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert index.tag == f"{SITEMAP}sitemapindex"
    assert sections == [f"{site}/sitemap-{name}.xml" for name in (
        "pages", "objectives", "indicators", "instruments", "partners", "activities", "rounds")]
    locations = set()
    for section in sections:
        # Expect 2 queries for a section of objects (how many, then the page of them), none for the pages
        with django_assert_num_queries(0 if section.endswith("pages.xml") else 2):
            document = xml_of(vera.get(section.removeprefix(site)))
        assert document.tag == f"{SITEMAP}urlset"
        locations |= {loc.text for loc in document.iter(f"{SITEMAP}loc")}
    assert {f"{site}/", f"{site}/progress/", f"{site}/about/", f"{site}/objectives/", f"{site}/objectives/1/",
            f"{site}/instruments/", f"{site}/activities/", f"{site}/activities/published-one/", f"{site}/partners/",
            f"{site}/partners/DE/", f"{site}/rounds/", f"{site}/rounds/open-round/", f"{site}/data/"} <= locations
    assert f"{site}/activities/draft-one/" not in locations
    assert f"{site}/rounds/prepared-round/" not in locations
    assert not any("/admin/" in url or "/workspace/" in url or "/board/" in url for url in locations)


def test_the_activities_come_in_pages_each_listed_in_the_index(vera, db, monkeypatch):
    from opendata.sitemaps import ActivitiesSitemap

    monkeypatch.setattr(ActivitiesSitemap, "limit", 2)
    for number in range(5):
        factories.ActivityFactory(title=f"Activity {number}", slug=f"activity-{number}")
    factories.ActivityFactory(title="Draft", slug="draft-one", state=Activity.State.DRAFT)

    index = xml_of(vera.get("/sitemap.xml"))
    page_two = xml_of(vera.get("/sitemap-activities.xml?p=2"))
    page_three = xml_of(vera.get("/sitemap-activities.xml?p=3"))

    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert [url for url in sections if "activities" in url] == [
        "http://testserver/sitemap-activities.xml", "http://testserver/sitemap-activities.xml?p=2",
        "http://testserver/sitemap-activities.xml?p=3"]
    assert [loc.text for loc in page_two.iter(f"{SITEMAP}loc")] == [
        "http://testserver/activities/activity-2/", "http://testserver/activities/activity-3/"]
    assert [loc.text for loc in page_three.iter(f"{SITEMAP}loc")] == ["http://testserver/activities/activity-4/"]
    assert [day.text for day in page_two.iter(f"{SITEMAP}lastmod")] == [timezone.localdate().isoformat()] * 2
    assert vera.get("/sitemap-activities.xml?p=4").status_code == 404
    assert vera.get("/sitemap-nothing.xml").status_code == 404


def test_a_sections_page_is_written_as_djangos_sitemap_template_writes_it(vera, strategy):
    from django.contrib.sites.requests import RequestSite
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from opendata.sitemaps import SITEMAPS

    factories.ActivityFactory(title="Tom & Jerry", slug="tom-and-jerry")
    site = RequestSite(RequestFactory().get("/"))

    for section, sitemap in SITEMAPS.items():
        expected = render_to_string("sitemap.xml", {"urlset": sitemap().get_urls(site=site, protocol="http")})
        assert vera.get(f"/sitemap-{section}.xml").content.decode() == expected


def test_robots_allows_the_public_site_keeps_out_the_private_and_names_the_sitemap(db, vera, settings):
    settings.SITE_URL = "https://portal.example.org"

    response = vera.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Allow: /" in lines
    assert {"Disallow: /admin/", "Disallow: /workspace/", "Disallow: /accounts/"} <= set(lines)
    assert "Sitemap: https://portal.example.org/sitemap.xml" in lines
