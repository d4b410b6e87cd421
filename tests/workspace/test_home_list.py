"""The workspace's list of activities: a page at a time, searchable, filtered by state, with a count for each."""

import pytest

from tests import factories


def listed(page: str) -> list[str]:
    return [chunk.split('"', 1)[0] for chunk in page.split('class="record" id="activity-')[1:]]


@pytest.fixture
def germanys(alice):
    """Thirty of Germany's activities: 26 drafts, 3 returned, one published, the latest changed last."""
    de = alice.partner_memberships.get().partner
    states = ["draft"] * 26 + ["returned"] * 3 + ["published"]
    return [factories.ActivityFactory(title=f"Seminar {n:02d}", slug=f"seminar-{n:02d}", state=state,
                                      lead_partner=de) for n, state in enumerate(states)]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/workspace/", {"state": "draft"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=/workspace/")


def test_alice_reads_her_partners_activities_a_page_at_a_time_latest_change_first(client, alice, germanys):
    client.force_login(alice)

    first = client.get("/workspace/").content.decode()
    second = client.get("/workspace/", {"page": "2"}).content.decode()

    assert listed(first) == [f"seminar-{n:02d}" for n in range(29, 4, -1)]
    assert listed(second) == [f"seminar-{n:02d}" for n in range(4, -1, -1)]
    assert "30 activities · page 1 of 2" in first
    assert '<span class="state state-draft">Draft</span></a><span class="count">26</span>' in first
    assert '<span class="state state-returned">Returned</span></a><span class="count">3</span>' in first
    assert '<span class="state state-submitted">Submitted</span></a><span class="count">0</span>' in first
    assert 'href="?page=2" rel="next"' in first


def test_alice_filters_by_state_and_the_counts_stay_those_of_every_state(client, alice, germanys):
    client.force_login(alice)

    page = client.get("/workspace/", {"state": "returned"}).content.decode()

    assert listed(page) == ["seminar-28", "seminar-27", "seminar-26"]
    assert "3 activities" in page
    assert '<strong><span class="state state-returned">Returned</span></strong><span class="count">3</span>' in page
    assert '<span class="state state-draft">Draft</span></a><span class="count">26</span>' in page


def test_alice_searches_her_activities_by_title_and_the_counts_follow_the_search(client, alice, germanys):
    factories.ActivityFactory(title="Micro-credentials workshop", state="submitted",
                              lead_partner=alice.partner_memberships.get().partner)
    client.force_login(alice)

    page = client.get("/workspace/", {"q": "MICRO-credentials"}).content.decode()

    assert len(listed(page)) == 1
    assert "Micro-credentials workshop" in page
    assert '<span class="state state-submitted">Submitted</span></a><span class="count">1</span>' in page
    assert '<span class="state state-draft">Draft</span></a><span class="count">0</span>' in page
    assert "No activity matches" not in page
    nothing = client.get("/workspace/", {"q": "nothing like it"}).content.decode()
    assert "No activity matches. Try another word, or any state." in nothing


def test_bob_never_sees_germanys_activities_even_by_searching_for_them(client, bob, germanys):
    client.force_login(bob)

    page = client.get("/workspace/", {"q": "Seminar"}).content.decode()

    assert listed(page) == []
    assert "0 activities" in page


def test_the_secretariat_searches_every_partners_activities(client, secretariat, germanys):
    factories.ActivityFactory(title="Seminar in Bangkok", state="submitted", lead_partner=factories.partner("TH"))
    client.force_login(secretariat)

    page = client.get("/workspace/", {"q": "seminar", "state": "submitted"}).content.decode()

    assert "Seminar in Bangkok" in page
    assert len(listed(page)) == 1


def test_an_unknown_state_is_named_and_left_out(client, alice, germanys):
    client.force_login(alice)

    response = client.get("/workspace/", {"state": "lost"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<strong>State:</strong> Select a valid choice. lost is not one of the available choices." in page
    assert "30 activities · page 1 of 2" in page


@pytest.mark.parametrize("number", ["0", "abc", "99", "²"])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page_that_exists(client, alice, germanys, number):
    client.force_login(alice)

    response = client.get("/workspace/", {"page": number})

    assert response.status_code == 200
    assert len(listed(response.content.decode())) in (25, 5)


def test_the_list_costs_the_same_at_ten_times_the_activities(client, alice, germanys, django_assert_num_queries):
    de = alice.partner_memberships.get().partner
    client.force_login(alice)
    client.get("/workspace/")
    factories.ActivityFactory.create_batch(270, state="draft", lead_partner=de)

    # Expect 7 queries: the session, the user, her memberships, her memberships with their partners, her
    # activities counted by state, a page of them, her returns in open rounds
    with django_assert_num_queries(7):
        page = client.get("/workspace/", {"page": "5"}).content.decode()

    assert "300 activities · page 5 of 12" in page
