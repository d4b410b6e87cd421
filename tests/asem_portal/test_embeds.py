"""Embeds: /embed/ pages another site may frame, and every other page still refusing to be framed, cached or not."""

import pytest

from core.licence import current as current_licence
from objectives.models import Indicator, Observation, Priority
from tests import factories
from tests.pages import SIZES, build_portal, visitor_client

EMBEDS = ["/embed/indicators/1.1.a/", "/embed/indicators/1.1.m/map/", "/embed/progress/", "/embed/mobility/",
          "/embed/mobility/map/"]
NOT_FRAMEABLE = ["/", "/indicators/1.1.a/", "/progress/", "/mobility/", "/about/", "/api/v1/indicators/",
                 "/api/v1/progress/", "/indicators/1.1.a/chart.svg", "/indicators/1.1.a/chart.png", "/no-such-page/"]


def partner_reported(code: str = "1.1.m", *, demo: bool = False) -> Indicator:
    """An indicator Germany, France and Thailand report: the one a map is drawn for."""
    indicator = factories.IndicatorFactory(
        priority=Priority.objects.get(code="1.1"), code=code, name="Share who studied abroad",
        unit="%", aggregation=Indicator.Aggregation.MEAN, baseline_year=2020, baseline_value=10, target_value=20,
        is_demo=demo)
    for n, code_ in enumerate(["DE", "FR", "TH"]):
        Observation.objects.create(indicator=indicator, partner=factories.partner(code_), year=2023, value=10 + n)
    return indicator


@pytest.fixture
def portal(db):
    built = build_portal(1)
    partner_reported()
    return built


@pytest.fixture
def committed_portal(transactional_db):
    """The portal committed, as a running one is: nothing waits to commit, so the response cache is at work."""
    built = build_portal(1)
    partner_reported()
    return built


def frame_ancestors(response) -> str:
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return policy["frame-ancestors"]


def test_an_embedded_chart_shows_the_figure_its_status_source_and_licence_without_the_site_header(portal):
    response = visitor_client().get("/embed/indicators/1.1.a/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' not in html and "<nav" not in html
    assert '<svg class="chart" id="chart-indicator-1-1-a"' in html
    assert "Status as of 2024" in html
    assert "Source: Entered by hand." in html
    assert 'rel="license" target="_top">CC BY 4.0</a>' in html
    assert 'href="http://testserver/indicators/1.1.a/" target="_top"' in html  # back to the full page
    assert "Demonstration data." not in html


def test_an_embed_of_demonstration_data_says_so(db):
    build_portal(1, demo=True)

    html = visitor_client().get("/embed/indicators/1.1.a/").content.decode()

    assert "Demonstration data." in html


@pytest.mark.parametrize("path", EMBEDS)
def test_every_embed_may_be_framed_by_any_site_and_nothing_else_of_its_policy_changes(portal, path):
    page = visitor_client().get("/progress/")
    response = visitor_client().get(path)

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == "*"
    assert (response["Content-Security-Policy"].replace("frame-ancestors *", "frame-ancestors 'none'")
            == page["Content-Security-Policy"])
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", NOT_FRAMEABLE)
def test_every_other_page_and_the_api_still_refuse_to_be_framed(portal, path):
    response = visitor_client().get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_a_cached_embed_keeps_its_own_headers_and_a_cached_page_keeps_the_refusal(committed_portal):
    visitor = visitor_client()
    for path in ("/embed/indicators/1.1.a/", "/indicators/1.1.a/"):
        assert visitor.get(path)["X-Response-Cache"] == "miss"

    embed, page = visitor.get("/embed/indicators/1.1.a/"), visitor.get("/indicators/1.1.a/")

    assert embed["X-Response-Cache"] == page["X-Response-Cache"] == "hit"
    assert "X-Frame-Options" not in embed and frame_ancestors(embed) == "*"
    assert page["X-Frame-Options"] == "DENY" and frame_ancestors(page) == "'none'"


def test_the_map_embed_draws_the_year_asked_or_the_latest_before_it(portal):
    latest = visitor_client().get("/embed/indicators/1.1.m/map/").content.decode()
    asked = visitor_client().get("/embed/indicators/1.1.m/map/?year=2030").content.decode()

    for html in (latest, asked):
        assert '<svg class="map" id="indicator-map"' in html
        assert "Share who studied abroad by partner, 2023" in html
        assert "<th scope=\"row\">Thailand</th><td class=\"num\">12 %</td>" in html


def test_the_progress_embed_shows_the_vision_and_each_objective(portal):
    html = visitor_client().get("/embed/progress/?as_of=2023").content.decode()

    assert "Progress toward the ASEM Education Strategy 2030, as of 2023" in html
    assert "The vision: all four objectives" in html
    for number in range(1, 5):
        assert f"Objective {number}: Objective number {number}" in html


def test_the_mobility_embeds_follow_the_pages_filters(portal):
    chart = visitor_client().get("/embed/mobility/?year=2023").content.decode()
    drawn = visitor_client().get("/embed/mobility/map/?year=2023").content.decode()

    assert "Participants by year and direction between Asia and Europe" in chart
    assert "Asia to Europe: 100 in 2023, 100 in 2023." in chart
    assert "Where participants went, 2023" in drawn


@pytest.mark.parametrize("path", ["/embed/indicators/9.9.z/", "/embed/indicators/9.9.z/map/",
                                  "/embed/indicators/1.1.a/map/"])
def test_an_unknown_indicator_or_one_without_a_map_is_not_found(portal, path):
    assert visitor_client().get(path).status_code == 404


@pytest.mark.parametrize(("path", "field"), [
    ("/embed/indicators/1.1.a/?as_of=soon", "as_of"), ("/embed/indicators/1.1.m/map/?year=²", "year"),
    ("/embed/progress/?as_of=99999", "as_of"), ("/embed/mobility/?year_from=2024&year_to=2022", "year_to"),
])
def test_a_bad_year_or_filter_is_a_400_naming_it(portal, path, field):
    response = visitor_client().get(path)

    assert response.status_code == 400
    assert f"{field}: " in response.content.decode()
    assert "X-Frame-Options" not in response  # the frame shows what went wrong


@pytest.mark.parametrize("size", SIZES)
def test_the_embeds_take_the_same_number_of_queries_whatever_the_size(db, django_assert_num_queries, size):
    build_portal(size)
    partner_reported()
    current_licence()  # kept in the cache after the first request, as on a running portal, whatever the page
    visitor = visitor_client()
    # Expect 3 queries: the indicator with its priority and objective, its headline series for the chart, and again
    # for the progress engine
    with django_assert_num_queries(3):
        assert visitor.get("/embed/indicators/1.1.a/").status_code == 200
    # Expect 4 queries: the indicator, the years partners reported it, the partners' names, that year's values
    with django_assert_num_queries(4):
        assert visitor.get("/embed/indicators/1.1.m/map/").status_code == 200
    # Expect 4 queries: the progress overview's objectives, priorities, indicators and observations
    with django_assert_num_queries(4):
        assert visitor.get("/embed/progress/").status_code == 200
    # Expect 3 queries: whether the kept totals are current, the flows' sums by year and direction, whether any
    # flow is synthetic
    with django_assert_num_queries(3):
        assert visitor.get("/embed/mobility/").status_code == 200
