"""Anonymous reads are answered from the cache until the data changes, and nobody signed in is ever served one."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import JsonResponse
from django.test import Client
from django.urls import path
from django.views.decorators.cache import never_cache

from asem_portal import urls as portal_urls
from core.changes import data_changed
from instruments.models import Instrument
from mobility.imports import flows_as_csv, import_flows
from mobility.models import MobilityFlow
from tests import factories

MIDDLEWARE = "asem_portal.response_cache.ResponseCacheMiddleware"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def response_cache():
    """The middleware as the settings have it (no override here): what a visitor of the portal meets."""
    cache.clear()
    yield
    cache.clear()


def test_the_settings_put_it_inside_security_csp_and_503_and_before_sessions():
    from django.conf import settings

    middleware = settings.MIDDLEWARE
    position = middleware.index(MIDDLEWARE)
    assert middleware[position + 1] == "django.contrib.sessions.middleware.SessionMiddleware"
    assert position > middleware.index("asem_portal.middleware.DatabaseUnavailableMiddleware")
    assert position > middleware.index("asem_portal.middleware.ContentSecurityPolicyMiddleware")
    assert position > middleware.index("django.middleware.security.SecurityMiddleware")


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
    csv_page = client.get("/api/v1/mobility/flows/?format=csv&page=1")
    filtered = client.get("/api/v1/mobility/flows/?year=1999")
    by_accept = client.get("/api/v1/mobility/flows/?page=1", HTTP_ACCEPT="text/csv")

    assert [r["X-Response-Cache"] for r in (json_list, csv_page, filtered, by_accept)] == ["miss"] * 4
    assert client.get("/api/v1/mobility/flows/?year=1999").json()["count"] == 0
    assert client.get("/api/v1/mobility/flows/?page=1", HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("asked", [{"path": "/api/v1/mobility/flows/?format=csv"},
                                   {"path": "/api/v1/mobility/flows/", "HTTP_ACCEPT": "text/csv"}])
def test_a_full_csv_export_is_streamed_and_never_kept(flow, client, asked):
    """Each variant of its query string would otherwise keep a copy of every row."""
    first = client.get(**asked)
    second = client.get(**asked)

    assert first.streaming and second.streaming
    assert "X-Response-Cache" not in first and "X-Response-Cache" not in second
    assert b"".join(second.streaming_content).decode().splitlines()[1].startswith(str(flow.pk))


@pytest.mark.parametrize("download", ["mobility.csv", "values.csv"])
def test_a_download_bounded_by_the_partners_is_sent_whole_and_kept_as_its_page_is(flow, client, download,
                                                                                    django_assert_num_queries):
    """A partner's figures are a table of its indicators and years, whatever the data's size: kept, not recomputed."""
    path = f"/partners/{flow.origin.code}/{download}"
    first = client.get(path)
    with django_assert_num_queries(0):
        second = client.get(path)

    assert not first.streaming and first["Content-Type"] == "text/csv; charset=utf-8"
    assert (first["X-Response-Cache"], second["X-Response-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Disposition"] == f'attachment; filename="asem-{flow.origin.code.lower()}-{download}"'


def test_a_response_larger_than_the_bound_is_not_kept(flow, client, settings):
    settings.RESPONSE_CACHE_MAX_BYTES = len(client.get("/api/v1/mobility/flows/?page_size=2").content) - 1

    assert "X-Response-Cache" not in client.get("/api/v1/mobility/flows/?page_size=3")
    assert "X-Response-Cache" not in client.get("/api/v1/mobility/flows/?page_size=3")
    assert client.get("/api/v1/partners/?code=none")["X-Response-Cache"] == "miss"


def test_the_local_memory_cache_is_bounded_in_entries_and_each_response_in_size():
    # The embedded default's settings, read in a process of their own: this one may have REDIS_URL set.
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "c = s.CACHES['default']; print(c['BACKEND'], c['OPTIONS']['MAX_ENTRIES'], s.RESPONSE_CACHE_MAX_BYTES)")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], text=True,
                            env={**env, "DJANGO_SETTINGS_MODULE": "asem_portal.settings", "DEBUG": "true"},
                            capture_output=True, timeout=60, check=True)
    backend, entries, entry_bytes = result.stdout.split()
    assert backend.endswith("LocMemCache")
    assert int(entries) * int(entry_bytes) <= 1024 ** 3


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


def test_an_answer_the_cache_holds_costs_no_work_and_so_passes_the_throttle(flow, client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"}}
    assert client.get("/api/v1/mobility/flows/")["X-Response-Cache"] == "miss"
    assert client.get("/api/v1/partners/").status_code == 200
    assert client.get("/api/v1/objectives/").status_code == 429

    held = client.get("/api/v1/mobility/flows/")

    assert (held.status_code, held["X-Response-Cache"]) == (200, "hit")


def test_errors_and_writes_are_not_cached(flow, client):
    assert client.get("/api/v1/mobility/flows/?year=nineteen").status_code == 400
    assert "X-Response-Cache" not in client.get("/api/v1/mobility/flows/?year=nineteen")
    assert "X-Response-Cache" not in client.post("/api/v1/mobility/flows/", {})
    assert "X-Response-Cache" not in client.get("/api/v1/no-such-thing/")


def test_pages_are_cached_too_but_not_the_admin_or_health(strategy, flow, client):
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


def factories_request(path, **headers):
    from django.test import RequestFactory

    return RequestFactory().get(path, **headers)


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


# --- Personal and live responses: never served from the cache, never stored ---


def csrf_token_in(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the page has no CSRF form"
    return match.group(1).decode()


def test_the_sign_in_page_gives_every_visitor_a_fresh_token_of_their_own(flow):
    first, second = Client(), Client()

    pages = [first.get("/accounts/sign-in/"), second.get("/accounts/sign-in/"), first.get("/accounts/sign-in/")]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert [page.get("X-Response-Cache") for page in pages] == [None, None, None]
    tokens = [csrf_token_in(page) for page in pages]
    assert len(set(tokens)) == 3
    # Each visitor's token is tied to the cookie that visitor was given, not to anyone else's.
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_the_password_reset_form_is_never_served_from_the_cache(flow):
    pages = [Client().get("/accounts/password/reset/") for _ in range(2)]
    assert [page.get("X-Response-Cache") for page in pages] == [None, None]
    assert csrf_token_in(pages[0]) != csrf_token_in(pages[1])


def form_page(request):
    from django.http import HttpResponse
    from django.template import engines

    if request.method == "POST":
        return HttpResponse("posted")
    page = engines["django"].from_string('<form method="post">{% csrf_token %}<button>Go</button></form>')
    return HttpResponse(page.render({}, request))


def live_page(request):
    return JsonResponse({"at": str(uuid.uuid4())})


# The portal's addresses, and three more that it does not have (yet): for @pytest.mark.urls(__name__).
urlpatterns = [
    path("a-form/", form_page),
    path("live/", never_cache(live_page)),
    path("plain/", lambda request: JsonResponse({"plain": True})),
    *portal_urls.urlpatterns,
]


@pytest.mark.urls(__name__)
def test_a_page_with_a_csrf_form_is_not_stored_and_each_visitor_can_send_it(db):
    alex, blake = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    alexs, blakes = alex.get("/a-form/"), blake.get("/a-form/")

    assert alexs.get("X-Response-Cache") is None and blakes.get("X-Response-Cache") is None
    assert csrf_token_in(alexs) != csrf_token_in(blakes)
    sent = blake.post("/a-form/", {"csrfmiddlewaretoken": csrf_token_in(blakes)})
    assert sent.status_code == 200 and sent.content == b"posted"
    # The control: the same address without a form is stored.
    assert Client().get("/plain/")["X-Response-Cache"] == "miss"
    assert Client().get("/plain/")["X-Response-Cache"] == "hit"


def test_a_response_that_used_the_csrf_token_is_not_stored_even_without_the_cookie(db):
    """Whatever sets or does not set the cookie afterwards, a page that asked for the token is one visitor's."""
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from asem_portal import response_cache

    middleware = response_cache.ResponseCacheMiddleware(lambda request: HttpResponse(get_token(request)))
    first = middleware(factories_request("/a-form-elsewhere/"))
    second = middleware(factories_request("/a-form-elsewhere/"))
    assert "X-Response-Cache" not in first and "X-Response-Cache" not in second
    assert first.content != second.content


@pytest.mark.urls(__name__)
def test_a_live_view_is_left_alone_wherever_it_lives(db):
    answers = [Client().get("/live/") for _ in range(2)]
    assert [answer.get("X-Response-Cache") for answer in answers] == [None, None]
    assert answers[0].json() != answers[1].json()


def test_a_report_exports_status_is_asked_afresh_every_time(flow):
    for fmt in ("csv", "xlsx"):
        status = f"/reports/stocktaking/{fmt}/status/?from=2024&to=2024"
        answers = [Client().get(status) for _ in range(2)]
        assert [answer.status_code for answer in answers] == [200, 200]
        assert [answer.get("X-Response-Cache") for answer in answers] == [None, None]
        assert "no-store" in answers[1]["Cache-Control"]


@pytest.mark.parametrize("address", [
    "/api/v1/me/token/", "/api/v1/mobility/flows/import/", "/api/v1/mobility/flows/import/?job=abc",
    "/workspace/", "/workspace/mobility/uploads/abc/status/", "/accounts/password/reset/sent/",
])
def test_personal_and_live_addresses_are_never_served_from_the_cache(flow, address):
    answers = [Client().get(address) for _ in range(2)]
    assert [answer.get("X-Response-Cache") for answer in answers] == [None, None]


def test_a_flash_message_is_shown_even_on_a_page_the_cache_holds(flow):
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse

    Client().get("/mobility/")
    assert Client().get("/mobility/")["X-Response-Cache"] == "hit"
    storage = CookieStorage(factories_request("/"))
    storage.add(messages.SUCCESS, "You have signed out.")
    carrier = HttpResponse()
    storage.update(carrier)
    visitor = Client()
    visitor.cookies["messages"] = carrier.cookies["messages"].value

    page = visitor.get("/mobility/")

    assert "X-Response-Cache" not in page
    assert "You have signed out." in page.content.decode()
    assert Client().get("/mobility/")["X-Response-Cache"] == "hit"


def test_a_signed_in_visitor_never_gets_the_anonymous_page(flow, sam):
    Client().get("/mobility/")
    assert Client().get("/mobility/")["X-Response-Cache"] == "hit"
    signed_in = Client()
    signed_in.force_login(sam)

    page = signed_in.get("/mobility/")

    assert "X-Response-Cache" not in page
    assert 'href="/workspace/"' in page.content.decode()
    assert 'href="/accounts/sign-in/"' not in page.content.decode()
    # And what they were shown is not stored for the next anonymous visitor either.
    anonymous = Client().get("/mobility/")
    assert anonymous["X-Response-Cache"] == "hit"
    assert 'href="/accounts/sign-in/"' in anonymous.content.decode()


# --- A public page: from the cache with no query, and fresh after a write through the portal ---


@pytest.fixture
def secretariat_sam(flow):
    """Sam of the secretariat; the group is made again, as the table flush of these tests removes it."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from core.roles import SECRETARIAT_GROUP, sync_secretariat_group

    sync_secretariat_group(apps)
    user = factories.UserFactory(username="sam-of-the-secretariat", is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    return user


def test_an_approved_activity_appears_on_the_cached_public_list(flow, secretariat_sam, django_assert_num_queries):
    lead = factories.partner("DE")
    submission = factories.ActivityFactory(title="Seminar on recognition", slug="seminar-on-recognition",
                                           state="submitted", lead_partner=lead)
    Client().get("/activities/")
    with django_assert_num_queries(0):
        cached = Client().get("/activities/")
    assert cached["X-Response-Cache"] == "hit"
    assert "Seminar on recognition" not in cached.content.decode()

    sam = Client()
    sam.force_login(secretariat_sam)
    approved = sam.post(f"/workspace/review/{submission.slug}/approve/", follow=True)
    assert "Published “Seminar on recognition”" in approved.content.decode()

    after = Client().get("/activities/")
    assert after["X-Response-Cache"] == "miss"
    assert "Seminar on recognition" in after.content.decode()


def test_a_flow_created_through_the_api_appears_on_the_cached_page_and_list(flow, secretariat_sam,
                                                                           django_assert_num_queries):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    factories.partner("JP")
    for address in ("/mobility/", "/api/v1/mobility/flows/"):
        Client().get(address)
        with django_assert_num_queries(0):
            assert Client().get(address)["X-Response-Cache"] == "hit"
    assert Client().get("/api/v1/mobility/flows/").json()["count"] == 1

    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=secretariat_sam).key}")
    created = writer.post("/api/v1/mobility/flows/", {
        "year": 2023, "origin": "JP", "destination": "DE", "level": "tvet", "participants": 4321,
    }, format="json")
    assert created.status_code == 201, created.content

    flows = Client().get("/api/v1/mobility/flows/")
    assert flows["X-Response-Cache"] == "miss"
    assert flows.json()["count"] == 2
    page = Client().get("/mobility/")
    assert page["X-Response-Cache"] == "miss"
    assert "4,321" in page.content.decode()


# --- The switch ---


def start_with(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               f"print({MIDDLEWARE!r} in settings.MIDDLEWARE)"],
        cwd=ROOT, env={**{name: value for name, value in os.environ.items() if name != "RESPONSE_CACHE"},
                       "DJANGO_SETTINGS_MODULE": "asem_portal.settings", "DEBUG": "true", **env},
        capture_output=True, text=True, timeout=60,
    )


def test_it_is_on_unless_the_environment_turns_it_off():
    assert start_with().stdout.strip() == "True"
    assert start_with(RESPONSE_CACHE="false").stdout.strip() == "False"
    assert start_with(RESPONSE_CACHE="true").stdout.strip() == "True"
    malformed = start_with(RESPONSE_CACHE="sometimes")
    assert malformed.returncode != 0
    assert "RESPONSE_CACHE must be one of" in malformed.stderr


def test_a_response_that_varies_on_a_header_the_cache_does_not_tell_apart_is_not_stored(db):
    from django.http import HttpResponse
    from django.utils.cache import patch_vary_headers

    from asem_portal import response_cache

    def view(request):
        response = HttpResponse(f"for {request.headers.get('User-Agent', 'anyone')}")
        patch_vary_headers(response, ["Cookie", "User-Agent"])
        return response

    middleware = response_cache.ResponseCacheMiddleware(view)
    middleware(factories_request("/by-browser/", HTTP_USER_AGENT="Firefox"))
    second = middleware(factories_request("/by-browser/", HTTP_USER_AGENT="Lynx"))
    assert "X-Response-Cache" not in second
    assert second.content == b"for Lynx"


def test_an_edit_made_outside_any_request_drops_the_cached_responses_too():
    """A command, a worker or a shell never starts the middleware: the receivers must be there all the same."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.db.models.signals import post_save; "
                               "from objectives.models import Strategy, Objective, Priority; "
                               "from instruments.models import Instrument, Aim; "
                               "from mobility.models import Organisation; "
                               "print(all(post_save.has_listeners(model) for model in "
                               "(Strategy, Objective, Priority, Instrument, Aim, Organisation)))"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr
