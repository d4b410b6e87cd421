"""Anonymous reads are answered from the cache until the data changes, and nobody signed in is ever served one."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from instruments.models import Instrument
from mobility.imports import flows_as_csv, import_flows
from mobility.models import MobilityFlow
from objectives.services import data_changed
from tests import factories

MIDDLEWARE = "asem_portal.response_cache.ResponseCacheMiddleware"


@pytest.fixture(autouse=True)
def response_cache(settings):
    """The middleware where docs/performance.md asks for it: inside security, CSP and 503, before sessions."""
    middleware = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    position = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    settings.MIDDLEWARE = [*middleware[:position], MIDDLEWARE, *middleware[position:]]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def flow(transactional_db):
    """Writes here commit for real, as a request's would: the cache hears of a change when it commits."""
    return factories.MobilityFlowFactory(participants=120, female=60, fewer_opportunities=10)


def test_the_second_anonymous_read_is_served_without_a_query(flow, client, django_assert_num_queries):
    first = client.get("/api/v1/mobility/flows/")
    assert first["X-Response-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = client.get("/api/v1/mobility/flows/")

    assert second["X-Response-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]


def test_a_committed_write_is_seen_by_the_next_read(flow, client):
    assert client.get("/api/v1/mobility/flows/").json()["results"][0]["participants"] == 120

    flow.participants = 150
    flow.save()

    response = client.get("/api/v1/mobility/flows/")
    assert response["X-Response-Cache"] == "miss"
    assert response.json()["results"][0]["participants"] == 150


def test_an_import_is_seen_by_the_next_read(flow, client):
    factories.partner("JP")
    client.get("/api/v1/mobility/flows/")
    import_flows(file=flows_as_csv([[2023, "JP", "DE", "virtual", "staff", 9, "", "", "", ""]]))
    assert client.get("/api/v1/mobility/flows/").json()["count"] == 2


def test_an_edit_of_other_public_content_is_seen_at_once(transactional_db, client):
    instrument = factories.InstrumentFactory(name="Policy dialogue")
    assert b"Policy dialogue" in client.get("/api/v1/instruments/").content

    instrument.name = "Policy dialogue, renamed"
    instrument.save()

    assert b"renamed" in client.get("/api/v1/instruments/").content
    assert Instrument.objects.count() == 1


def test_a_write_not_yet_committed_is_neither_served_nor_stored_inside_its_transaction(flow, client):
    client.get("/api/v1/mobility/flows/")
    with transaction.atomic():
        data_changed(refresh=False)
        assert "X-Response-Cache" not in client.get("/api/v1/mobility/flows/")
    assert client.get("/api/v1/mobility/flows/")["X-Response-Cache"] == "miss"


def test_query_strings_and_formats_are_cached_apart(flow, client):
    json_list = client.get("/api/v1/mobility/flows/")
    csv_list = client.get("/api/v1/mobility/flows/?format=csv")
    filtered = client.get("/api/v1/mobility/flows/?year=1999")
    by_accept = client.get("/api/v1/mobility/flows/", HTTP_ACCEPT="text/csv")

    assert [r["X-Response-Cache"] for r in (json_list, csv_list, filtered, by_accept)] == ["miss"] * 4
    assert client.get("/api/v1/mobility/flows/?year=1999").json()["count"] == 0
    assert client.get("/api/v1/mobility/flows/", HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")


def test_a_matching_etag_gets_304_from_the_cache(flow, client):
    etag = client.get("/api/v1/mobility/flows/")["ETag"]
    response = client.get("/api/v1/mobility/flows/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["X-Response-Cache"] == "hit"
    assert response["ETag"] == etag
    assert response.content == b""


@pytest.fixture
def sam(flow):
    """Sam is signed in (a staff account; the Secretariat group does not survive the table flush here)."""
    return factories.UserFactory(username="sam", is_staff=True)


def test_a_signed_in_user_is_never_served_nor_stored(flow, sam):
    anonymous = Client()
    anonymous.get("/api/v1/mobility/flows/")
    signed_in = Client()
    signed_in.force_login(sam)

    response = signed_in.get("/api/v1/mobility/flows/")

    assert "X-Response-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_a_token_is_never_served_from_the_cache(flow, client, sam):
    from rest_framework.authtoken.models import Token

    client.get("/api/v1/mobility/flows/")
    token = Token.objects.create(user=sam)
    response = client.get("/api/v1/mobility/flows/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "X-Response-Cache" not in response


def test_errors_and_writes_are_not_cached(flow, client):
    assert client.get("/api/v1/mobility/flows/?year=nineteen").status_code == 400
    assert "X-Response-Cache" not in client.get("/api/v1/mobility/flows/?year=nineteen")
    assert "X-Response-Cache" not in client.post("/api/v1/mobility/flows/", {})
    assert "X-Response-Cache" not in client.get("/api/v1/no-such-thing/")


def test_pages_are_cached_too_but_not_the_admin_or_health(flow, client):
    from asem_portal.content import load_strategy

    load_strategy()
    client.get("/mobility/")
    assert client.get("/mobility/")["X-Response-Cache"] == "hit"
    assert client.get("/partners/DE/")["X-Response-Cache"] == "miss"
    assert "X-Response-Cache" not in client.get("/healthz")
    assert "X-Response-Cache" not in client.get("/admin/login/")


def test_a_response_that_sets_a_cookie_is_not_stored(db):
    from django.http import HttpResponse

    from asem_portal import response_cache

    def view(request):
        response = HttpResponse("personal")
        response.set_cookie("seen", "1")
        return response

    middleware = response_cache.ResponseCacheMiddleware(view)
    request = factories_request("/anything/")
    middleware(request)
    assert "X-Response-Cache" not in middleware(factories_request("/anything/"))


def factories_request(path):
    from django.test import RequestFactory

    return RequestFactory().get(path)


def test_entries_expire_after_the_configured_time(flow, client, settings, monkeypatch):
    settings.RESPONSE_CACHE_SECONDS = 42
    stored = {}
    original = cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("response:"):
            stored[key] = timeout
        return original(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    client.get("/api/v1/mobility/flows/")
    assert list(stored.values()) == [42]
    assert MobilityFlow.objects.count() == 1
