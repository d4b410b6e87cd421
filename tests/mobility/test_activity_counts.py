"""The published activities counted per partner, objective and instrument, kept ready: the lists of partners and
instruments read them while they are current, and count the activities themselves while a change is not yet in
them."""

import pytest

from mobility import activity_counts
from mobility.models import Activity
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(2)


def partner_counts(client) -> dict[str, tuple[int, int]]:
    sides = client.get("/partners/").context["sides"]
    return {p.code: (p.led_count, p.joined_count) for side in sides for p in side["partners"]}


def test_the_partners_page_shows_the_same_counts_from_the_kept_counts_as_from_the_activities(client, portal):
    counted = partner_counts(client)
    activity_counts.rebuild()
    assert activity_counts.current()
    # Germany leads activity 0 only, and takes part in activities 2 and 5.
    assert partner_counts(client)["DE"] == counted["DE"] == (1, 2)
    assert partner_counts(client) == counted


def test_the_partners_api_gives_the_kept_counts(client, portal):
    activity_counts.rebuild()
    partners = {row["code"]: row for row in client.get("/api/v1/partners/").json()["results"]}
    assert (partners["DE"]["activities_led"], partners["DE"]["activities_joined"]) == (1, 2)
    assert (partners["EU"]["activities_led"], partners["EU"]["activities_joined"]) == (0, 0)


def test_an_activity_withdrawn_is_no_longer_counted_even_before_the_counts_are_rebuilt(client, portal):
    activity_counts.rebuild()
    led_by_germany = Activity.objects.get(slug="activity-2-0")
    led_by_germany.state = Activity.State.DRAFT
    led_by_germany.save()
    assert not activity_counts.current()
    assert partner_counts(client)["DE"] == (0, 2)
    activity_counts.rebuild()
    assert activity_counts.current()
    assert partner_counts(client)["DE"] == (0, 2)


def test_a_partner_added_to_an_activity_is_counted_even_before_the_counts_are_rebuilt(client, portal):
    activity_counts.rebuild()
    portal.activities[0].partners.add(portal.partners["EU"])
    assert not activity_counts.current()
    assert partner_counts(client)["EU"] == (0, 1)
    activity_counts.rebuild()
    assert partner_counts(client)["EU"] == (0, 1)


def test_the_instruments_page_counts_the_activities_using_each_from_the_kept_counts(client, portal):
    activity_counts.rebuild()
    page = client.get("/instruments/").content.decode()
    assert "2 activities use it" in page
    portal.activities[0].instruments.clear()
    assert not activity_counts.current()
    assert "1 activity uses it" in client.get("/instruments/").content.decode()


def test_objectives_and_instruments_are_counted_alike_from_the_kept_counts_and_the_activities(portal):
    from mobility.selectors import activity_counts as counts

    counted = {by: counts(by) for by in ("objective", "instrument")}
    activity_counts.rebuild()
    assert {by: counts(by) for by in ("objective", "instrument")} == counted
    assert counted["instrument"] == {"instrument-1": (2, 0), "instrument-2": (2, 0), "instrument-3": (2, 0)}


@pytest.mark.parametrize("size", SIZES)
def test_the_partners_page_reads_the_kept_counts_in_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    activity_counts.rebuild()
    # Expect 2 queries: the partners with their kept counts, read only while those are current; whether any
    # activity is demo
    with django_assert_num_queries(2):
        assert client.get("/partners/").status_code == 200


def test_an_instrument_says_how_many_activities_use_it_from_the_kept_counts(client, portal):
    instrument = portal.instruments[0]
    activity_counts.rebuild()
    assert "Activities that use it <span class=\"muted\">(2)</span>" in client.get(
        instrument.get_absolute_url()).content.decode()
    portal.activities[0].instruments.clear()
    assert "Activities that use it <span class=\"muted\">(1)</span>" in client.get(
        instrument.get_absolute_url()).content.decode()
