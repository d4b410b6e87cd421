import pytest

from tests import factories
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(2)


def test_the_partners_page_shows_the_asian_and_the_european_side(client, portal):
    response = client.get("/partners/")
    assert response.status_code == 200
    sides = response.context["sides"]
    assert [side["region"] for side in sides] == ["asia", "europe"]
    assert [p.code for p in sides[0]["partners"]] == ["ASEAN", "CN", "JP", "TH"]
    assert [p.code for p in sides[1]["partners"]] == ["EU", "FR", "DE", "IT"]
    page = response.content.decode()
    assert "Asian partners" in page and "European partners" in page
    assert 'href="/partners/TH/"' in page


def test_the_partners_page_counts_the_published_activities_each_leads_and_joins(client, portal):
    factories.ActivityFactory(slug="draft-led", state="draft", lead_partner=portal.partners["DE"])
    partners = {p.code: p for side in client.get("/partners/").context["sides"] for p in side["partners"]}
    # Germany leads activity 0 only, and takes part in activities 2 and 5.
    assert (partners["DE"].led_count, partners["DE"].joined_count) == (1, 2)
    assert (partners["EU"].led_count, partners["EU"].joined_count) == (0, 0)


def test_a_partner_shows_the_activities_it_leads_and_joins(client, portal):
    response = client.get("/partners/DE/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Germany" in page
    assert "Activity 0 led by Germany" in page
    assert "Activity 2 led by Italy" in page  # Germany takes part
    assert "Activities led <span class=\"muted\">(1)</span>" in page
    assert "Activities joined <span class=\"muted\">(2)</span>" in page


def test_a_partner_shows_its_mobility_in_and_out_over_time_as_a_chart_and_a_table(client, portal):
    page = client.get("/partners/DE/").content.decode()
    assert 'id="chart-partner-mobility" role="img"' in page
    assert "Mobility to and from Germany by year" in page
    # Thailand sends 100 to Germany and Germany sends 60 to Thailand each year.
    assert '<th scope="row">2024</th><td class="num">100</td><td class="num">60</td>' in page
    assert 'href="/mobility/?partner=DE"' in page


def test_a_partner_without_activities_or_mobility_says_so(client, portal):
    page = client.get("/partners/EU/").content.decode()
    assert "European Union leads no published activity yet." in page
    assert "No mobility to or from European Union has been reported yet." in page


def test_an_unknown_partner_is_not_found(client, portal):
    assert client.get("/partners/XX/").status_code == 404


@pytest.mark.parametrize("size", SIZES)
def test_the_partners_page_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    # Expect 2 queries: the partners with their counts of activities led and joined (kept or counted); whether any
    # is demo
    with django_assert_num_queries(2):
        assert client.get("/partners/").status_code == 200
