from django.test import RequestFactory

from asem_portal.views import server_error


def test_a_missing_page_answers_404_with_the_portals_own_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We cannot find that page" in page
    assert 'href="/progress/"' in page
    assert "site-header" in page


def test_an_unpublished_activity_is_not_found(client, db):
    from tests import factories

    factories.ActivityFactory(slug="a-draft", state="draft")
    assert client.get("/activities/a-draft/").status_code == 404


def test_the_server_error_page_renders_without_the_database_or_context_processors():
    # No db fixture: any query would fail the test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "ASEM Education Portal" in page
