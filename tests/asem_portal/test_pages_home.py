import pytest

from mobility import totals
from mobility.models import Activity
from tests import factories
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(2)


def test_it_shows_the_vision_the_mission_and_the_four_objectives_with_their_status(client, portal):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "A test vision." in page
    assert "A test mission." in page
    for objective in portal.objectives:
        assert objective.title in page
        assert objective.get_absolute_url() in page
    assert page.count('class="card objective status-') == 4


def test_it_shows_progress_toward_2030_at_a_glance(client, portal):
    page = client.get("/").content.decode()
    assert "The vision, as of 2024" in page
    # The timeline of the strategy's years, with today on it, is a described image.
    assert 'id="chart-timeline"' in page
    assert 'role="img"' in page
    assert "<title id=\"chart-timeline-title\">The strategy&#x27;s years, 2021 to 2030</title>" in page
    assert "Today" in page
    # Every status is counted, each indicator in one of them.
    assert "Insufficient data" in page
    assert 'id="chart-status-counts"' in page
    assert "The 6 indicators by status" in page


def test_it_shows_both_directions_of_mobility_for_the_latest_year_and_the_balance(client, portal):
    page = client.get("/").content.decode()
    assert "Asia to Europe, 2024" in page
    assert "Europe to Asia, 2024" in page
    # Size 2: 100 + 101 from Asia, 60 + 61 from Europe; 121 / 201.
    assert "201" in page
    assert "121" in page
    assert "0.60" in page


def test_it_lists_the_latest_published_activities_and_never_a_draft(client, portal):
    page = client.get("/").content.decode()
    assert "Latest activities" in page
    newest = Activity.objects.filter(state="published").order_by("-published_at").first()
    assert newest.title in page
    assert "An unpublished draft" not in page


def test_a_visitor_reaches_any_indicators_figures_in_two_clicks(client, portal):
    home = client.get("/").content.decode()
    assert 'href="/progress/"' in home
    chart = client.get("/progress/").content.decode()
    for indicator in portal.indicators:
        assert f'href="{indicator.get_absolute_url()}"' in chart
    figures = client.get(portal.indicators[0].get_absolute_url()).content.decode()
    assert "The figures behind the status" in figures


def test_it_still_answers_before_the_strategy_is_loaded(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "The strategy has not been loaded yet" in response.content.decode()


@pytest.mark.parametrize("kept_totals", [False, True], ids=["summing-the-flows", "reading-the-kept-totals"])
@pytest.mark.parametrize("size", SIZES)
def test_it_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size, kept_totals
):
    build_portal(size)
    if kept_totals:
        totals.rebuild()
    # Expect 9 queries: the strategy; the progress overview's objectives, priorities, indicators and
    # observations; whether the kept flow totals are current; the participants by year and direction (from
    # them, or from the flows when they are not); the latest activities with their lead partners; whether
    # the latest year's flows include demo data
    with django_assert_num_queries(9):
        assert client.get("/").status_code == 200


def test_a_returned_activity_is_not_among_the_latest(client, portal):
    factories.ActivityFactory(title="Sent back for changes", slug="returned-one", state=Activity.State.RETURNED)
    assert "Sent back for changes" not in client.get("/").content.decode()
