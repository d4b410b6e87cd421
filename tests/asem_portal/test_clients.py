"""The address a request came from: forwarded headers are believed only as far as TRUSTED_PROXY_COUNT says, and
the API's throttle, the sign-in lockout and the portal agree on it."""

import os
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory
from rest_framework.throttling import AnonRateThrottle

from core.clients import client_address
from tests.factories import PASSWORD
from tests.services import ROOT

CASES = [
    # (trusted proxies, REMOTE_ADDR, X-Forwarded-For, the client)
    (0, "198.51.100.9", None, "198.51.100.9"),
    (0, "198.51.100.9", "203.0.113.1", "198.51.100.9"),
    (0, "198.51.100.9", "203.0.113.1, 203.0.113.2", "198.51.100.9"),
    (1, "10.0.0.2", None, "10.0.0.2"),
    (1, "10.0.0.2", "203.0.113.7", "203.0.113.7"),
    (1, "10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client wrote 1.2.3.4; our proxy the right-most
    (2, "10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
]


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "client"), CASES)
def test_the_client_address_believes_only_the_trusted_proxies(settings, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}

    assert client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers)) == client


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "client"), CASES)
def test_the_api_throttle_keys_on_the_same_address(settings, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}

    assert AnonRateThrottle().get_ident(RequestFactory().get("/", REMOTE_ADDR=remote, **headers)) == client


def test_the_settings_give_the_throttle_and_the_lockout_the_portals_rule():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.clients.client_address"


def test_a_malformed_forwarded_address_is_not_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")

    assert client_address(request) == "10.0.0.2"


@pytest.fixture
def anon_limit(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "600/minute"}}


def get(client, n, forwarded):
    # A different query each time: the whole-response cache would otherwise answer before the throttle.
    return client.get(f"/api/v1/partners/?n={n}", HTTP_X_FORWARDED_FOR=forwarded).status_code


def test_an_invented_forwarded_header_does_not_bypass_the_anonymous_limit(db, anon_limit):
    visitor = Client(REMOTE_ADDR="198.51.100.9")

    statuses = [get(visitor, n, f"203.0.113.{n}") for n in range(4)]

    assert statuses == [200, 200, 429, 429]


def test_behind_one_trusted_proxy_the_limit_is_per_forwarded_client(db, anon_limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    # The client invents a left-hand entry each time; the proxy appends the address it really came from.
    first = [get(proxy, n, f"1.2.3.{n}, 203.0.113.7") for n in range(3)]
    other = get(proxy, 9, "203.0.113.8")

    assert first == [200, 200, 429]
    assert other == 200


def test_an_invented_forwarded_header_does_not_dodge_the_sign_in_lockout(client, alice, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/sign-in/", {"username": "alice", "password": "guess"},
                               HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert response.status_code == 429
    assert client.post("/accounts/sign-in/", {"username": "alice", "password": PASSWORD},
                       HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_one_trusted_proxy_the_lockout_is_per_forwarded_client(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/sign-in/", {"username": "alice", "password": "guess"},
                    HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")

    elsewhere = client.post("/accounts/sign-in/", {"username": "alice", "password": PASSWORD},
                            HTTP_X_FORWARDED_FOR="203.0.113.8", REMOTE_ADDR="10.0.0.2")

    assert elsewhere.status_code == 302


@pytest.mark.parametrize("value", ["-1", "one"])
def test_a_malformed_proxy_count_stops_start_up_with_its_name(value):
    env = {**os.environ, "TRUSTED_PROXY_COUNT": value, "DJANGO_SETTINGS_MODULE": "tests.settings"}

    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be" in result.stderr
