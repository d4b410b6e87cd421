import pytest

from mobility import activity_counts
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(1)


def test_the_instruments_page_lists_each_with_its_aims_and_how_many_activities_use_it(client, portal):
    response = client.get("/instruments/")
    assert response.status_code == 200
    page = response.content.decode()
    for instrument in portal.instruments:
        assert f'href="{instrument.get_absolute_url()}"' in page
        assert f"Aim 1 of {instrument.name}" in page
        assert f'href="/activities/?instrument={instrument.slug}"' in page
    assert "1 activity uses it" in page


def test_an_instrument_shows_its_aims_and_the_activities_that_use_it(client, portal):
    instrument = portal.instruments[0]
    response = client.get(instrument.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aim 1 of Instrument 1" in page and "Aim 2 of Instrument 1" in page
    assert portal.activities[0].title in page
    assert portal.activities[1].title not in page
    assert "An unpublished draft" not in page


def test_an_instrument_no_activity_uses_says_so(client, portal):
    from tests import factories

    instrument = factories.InstrumentFactory(number=9, slug="unused", name="Unused instrument")
    page = client.get(instrument.get_absolute_url()).content.decode()
    assert "No published activity uses this instrument yet." in page


def test_an_unknown_instrument_is_not_found(client, portal):
    assert client.get("/instruments/no-such-thing/").status_code == 404


@pytest.mark.parametrize("size", SIZES)
def test_the_instruments_page_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    # Expect 4 queries: the kept counts of activities per instrument, stale after the activities were written, so
    # the published activities counted per instrument; the instruments, their aims
    with django_assert_num_queries(4):
        assert client.get("/instruments/").status_code == 200
    activity_counts.rebuild()
    # Expect 3 queries: the kept counts, current; the instruments, their aims
    with django_assert_num_queries(3):
        assert client.get("/instruments/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_an_instrument_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 5 queries: the instrument, its aims, the kept counts (stale after the activities were written), the
    # activities using it with their lead partners, their count
    with django_assert_num_queries(5):
        assert client.get("/instruments/instrument-1/").status_code == 200
    activity_counts.rebuild()
    # Expect 4 queries: the instrument, its aims, the kept counts (current), the activities using it
    with django_assert_num_queries(4):
        assert client.get("/instruments/instrument-1/").status_code == 200
