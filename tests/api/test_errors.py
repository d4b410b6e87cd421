"""Errors are JSON of one shape, name what is at fault, and are never a 500 for what a client sends."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings

from mobility.models import Activity, MobilityFlow
from tests import factories
from tests.services import ROOT

SHAPE = {"status", "code", "detail", "errors"}


def test_an_address_the_api_does_not_have_is_a_json_404(db, anonymous):
    response = anonymous.get("/api/v1/activitys/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == SHAPE


def test_a_method_an_endpoint_does_not_take_is_a_405_listing_the_allowed_ones(db, anonymous):
    response = anonymous.delete("/api/v1/partners/")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_415(alice, as_alice):
    response = as_alice.post("/api/v1/activities/", "title=Seminar", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_malformed_json_is_a_400(alice, as_alice):
    response = as_alice.post("/api/v1/activities/", '{"title": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_nested_too_deep_to_parse_is_a_400_not_a_500(alice, as_alice):
    response = as_alice.generic("POST", "/api/v1/activities/", "[" * 100_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_token_that_is_not_valid_is_a_401_even_for_a_read(db, anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anonymous.get("/api/v1/activities/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_each_bad_field_is_named_with_its_message(alice, as_alice):
    response = as_alice.post("/api/v1/activities/", {
        "title": "", "lead_partner": "XX", "objectives": [7], "participants_asia": -1, "website": "not a url",
    }, format="json")

    assert response.status_code == 400
    fields = {error["field"]: error["code"] for error in response.json()["errors"]}
    assert fields == {"title": "blank", "lead_partner": "does_not_exist", "objectives": "does_not_exist",
                      "participants_asia": "min_value", "website": "invalid"}
    assert all(error["location"] == "body" for error in response.json()["errors"])


def test_a_model_constraint_is_reported_on_its_field(alice, as_alice):
    response = as_alice.post("/api/v1/activities/", {
        "title": "Backwards", "lead_partner": "DE", "start_year": 2025, "end_year": 2024,
    }, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "location": "body", "field": "end_year", "code": "invalid",
        "message": "The end year cannot be before the start year.",
    }]


def test_a_second_value_for_the_same_year_is_reported_on_the_year(secretariat, as_secretariat):
    indicator = factories.IndicatorFactory(code="1.1.a")
    factories.ObservationFactory(indicator=indicator, year=2022)

    response = as_secretariat.post("/api/v1/indicators/1.1.a/observations/", {"year": 2022, "value": 1},
                                   format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "year"


def test_an_unregistered_metric_is_reported_on_the_metric(secretariat, as_secretariat):
    factories.PriorityFactory(code="1.1")

    response = as_secretariat.post("/api/v1/indicators/", {
        "code": "1.1.x", "name": "Computed", "priority": "1.1", "unit": "%", "baseline_year": 2020,
        "baseline_value": 1, "source": "computed", "metric": "no.such.metric",
    }, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "metric"


def test_a_duplicate_that_slips_past_validation_is_a_409_not_a_500(as_secretariat, partner_de, partner_th,
                                                                    monkeypatch):
    factories.MobilityFlowFactory(origin=partner_th, destination=partner_de, programme="DUO")
    # Two writers at once: both pass full_clean(), the database refuses the second.
    monkeypatch.setattr(MobilityFlow, "validate_constraints", lambda self, exclude=None: None)

    response = as_secretariat.post("/api/v1/mobility/flows/", {
        "year": 2024, "origin": "TH", "destination": "DE", "level": "higher_education", "participants": 5,
        "programme": "DUO",
    }, format="json")

    assert response.status_code == 409
    assert MobilityFlow.objects.count() == 1


@pytest.mark.parametrize("path", [
    "/api/v1/activities/%00/", "/api/v1/objectives/99999999999999999999/", "/api/v1/mobility/flows/-1/",
    "/api/v1/activities/?q=%00", "/api/v1/mobility/flows/?year=99999999999999999999999",
    "/api/v1/activities/?objective=99999999999999999999", "/api/v1/indicators/?as_of=%F0%9F%92%A9",
    "/api/v1/mobility/summary/?group_by=%00", "/api/v1/partners/?page=99999999999999999999",
])
def test_odd_values_in_the_address_are_client_errors(strategy, anonymous, path):
    response = anonymous.get(path)

    assert 400 <= response.status_code < 500
    assert set(response.json()) == SHAPE


@pytest.mark.parametrize(("query", "parameter"), [
    ("page=%C2%B2", "page"), ("page_size=%C2%B2", "page_size"), ("page=" + "9" * 5000, "page"),
    ("page_size=" + "9" * 5000, "page_size"),
])
def test_a_page_number_of_odd_digits_or_thousands_of_them_is_a_client_error_naming_it(db, anonymous, query,
                                                                                       parameter):
    response = anonymous.get(f"/api/v1/partners/?{query}")

    assert 400 <= response.status_code < 500
    [error] = response.json()["errors"]
    assert error["field"] == parameter
    assert len(error["message"]) < 100


def test_a_refused_filter_value_is_quoted_by_its_start_only(db, anonymous):
    response = anonymous.get("/api/v1/mobility/flows/?ordering=" + "9" * 5000)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "ordering"
    assert error["message"].startswith("Select a valid choice. 99999")
    assert len(error["message"]) < 150


def test_a_page_size_behind_thousands_of_zeros_is_read(db, anonymous):
    response = anonymous.get("/api/v1/partners/?page_size=" + "0" * 5000 + "5")

    assert response.status_code == 200


def test_odd_values_in_a_body_are_client_errors(alice, as_alice, partner_de):
    factories.ActivityFactory(slug="draft", state=Activity.State.DRAFT, lead_partner=partner_de)
    for body in [{"title": "x\x00y"}, {"participants_asia": 10**30}, {"start_date": "0000-01-01"},
                 {"partners": "DE"}, {"partners": [{"code": "DE"}]}, [], "text", {"start_year": 1.5}]:
        response = as_alice.patch("/api/v1/activities/draft/", body, format="json")
        assert response.status_code == 400, (body, response.content)


def test_too_many_requests_are_a_429_saying_when_to_come_back(db, anonymous, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"}}

    # A response the whole-response cache already holds is served without reaching the throttle
    # (asem_portal/response_cache.py), so each request asks for an address not read before.
    statuses = [anonymous.get(path).status_code for path in ("/api/v1/partners/", "/api/v1/objectives/",
                                                             "/api/v1/instruments/")]

    assert statuses == [200, 200, 429]
    response = anonymous.get("/api/v1/organisations/")
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


@override_settings()
def test_a_malformed_throttle_rate_stops_start_up_with_its_name(db):
    env = {**os.environ, "API_THROTTLE_ANON": "lots", "DJANGO_SETTINGS_MODULE": "tests.settings"}

    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "API_THROTTLE_ANON must look like 120/minute" in result.stderr


# Bodies too deep or too large, and errors raised outside any view ---------------------------------------------


def nested(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "array" else ('{"a":' * depth + "1" + "}" * depth)


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("url", ["/api/v1/activities/", "/api/v1/mobility/flows/", "/api/v1/mobility/flows/import/",
                                 "/api/v1/me/token/", "/api/v1/activities/draft/history/"])
def test_json_nested_500_deep_is_a_400_naming_the_depth_and_writes_nothing(secretariat, as_secretariat, url, kind):
    factories.ActivityFactory(slug="draft")

    response = as_secretariat.generic("POST", url, nested(500, kind), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert Activity.objects.count() == 1
    assert not MobilityFlow.objects.exists()


def test_a_body_as_deep_as_the_limit_is_read(alice, as_alice):
    response = as_alice.post("/api/v1/activities/", f'{{"title": "Deep", "outcomes": {nested(31, "array")}}}',
                             content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "outcomes"


def test_a_body_larger_than_django_reads_is_a_json_413_saying_the_limit(alice, as_alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

    response = as_alice.post("/api/v1/activities/", {"title": "Big", "summary": "x" * (6 * 1024 * 1024)},
                             format="json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": 413, "code": "too_large", "errors": [],
                               "detail": "The body is larger than 5 MiB, the most this endpoint takes."}
    assert not Activity.objects.exists()


def import_rows(count: int) -> str:
    from mobility.imports import flows_as_csv

    rows = [[2024, "TH", "DE", "physical", "tvet", 10, 5, "", f"Programme {n}", "survey"] for n in range(count)]
    return flows_as_csv(rows).decode()


def test_the_json_import_takes_a_file_as_large_as_it_advertises(as_secretariat, partner_th, partner_de, settings):
    """Its text is read against the file limit it states, not Django's smaller one for form fields."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024
    settings.MAX_UPLOAD_BYTES = 16 * 1024
    settings.UPLOAD_IN_BACKGROUND_BYTES = 16 * 1024
    advertised = as_secretariat.get("/api/v1/mobility/flows/import/").json()["max_bytes"]
    content = import_rows(150)
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(content) <= advertised

    response = as_secretariat.post("/api/v1/mobility/flows/import/", {"filename": "flows.csv", "content": content},
                                   format="json")

    assert response.status_code == 200, response.json()
    assert MobilityFlow.objects.count() == 150


def test_the_json_import_refuses_more_than_it_advertises_in_json(as_secretariat, partner_th, settings):
    settings.MAX_UPLOAD_BYTES = 4 * 1024

    client = as_secretariat

    beyond_the_file = client.post("/api/v1/mobility/flows/import/",
                                  {"filename": "flows.csv", "content": import_rows(120)}, format="json")
    beyond_the_body = client.post("/api/v1/mobility/flows/import/",
                                  {"filename": "flows.csv", "content": "x" * 80_000}, format="json")

    assert beyond_the_file.status_code == 400
    assert beyond_the_file.json()["errors"][0]["field"] == "file"
    assert beyond_the_body.status_code == 413
    assert beyond_the_body.json()["detail"] == "The body is larger than 72 KiB, the most this endpoint takes."
    assert not MobilityFlow.objects.exists()


def test_a_server_error_under_the_api_is_the_json_error_shape(db, monkeypatch):
    from django.test import Client

    from objectives.api import StrategyView

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(StrategyView, "get", crash)

    response = Client(raise_request_exception=False).get("/api/v1/strategy/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 500
    assert response.json()["code"] == "server_error"
    assert response.json()["errors"] == []
    assert "a bug" not in response.content.decode()


def test_a_page_outside_the_api_still_gets_the_html_error_pages(db):
    from django.core.exceptions import RequestDataTooBig
    from django.test import RequestFactory

    from asem_portal import views

    page = RequestFactory().get("/mobility/")
    api = RequestFactory().post("/api/v1/activities/")

    assert views.server_error(page)["Content-Type"].startswith("text/html")
    assert views.bad_request(page, RequestDataTooBig())["Content-Type"].startswith("text/html")
    assert views.bad_request(api, RequestDataTooBig()).status_code == 413
    assert views.server_error(api)["Content-Type"] == "application/json"


# What the schema says is what the API does ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/activities/?format=csv", "/api/v1/activities/?format=nonsense",
                                 "/api/v1/mobility/flows/?year=abc", "/api/v1/progress/?as_of=0"])
def test_trace_is_a_405_whatever_the_query_string_says(db, anonymous, url):
    response = anonymous.generic("TRACE", url)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("url", ['http://example.org/"quoted"', "http://example.org/<script>",
                                 "http://example.org/a{b}", "http://example.org/a|b"])
def test_a_url_with_characters_a_uri_cannot_hold_is_refused_naming_the_field(alice, as_alice, url):
    response = as_alice.post("/api/v1/activities/", {"title": "Links", "lead_partner": "DE", "website": url},
                             format="json")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["website"]
    assert not Activity.objects.exists()


def test_a_url_a_uri_can_hold_is_taken(alice, as_alice):
    response = as_alice.post("/api/v1/activities/", {"title": "Links", "lead_partner": "DE",
                                                     "website": "https://example.org/a%22b?q=1#top"}, format="json")

    assert response.status_code == 201
    assert response.json()["website"] == "https://example.org/a%22b?q=1#top"


@pytest.mark.parametrize("value", ["yes", "true ", 1, "on", None])
def test_a_boolean_field_takes_true_or_false_only(alice, as_alice, value):
    response = as_alice.post("/api/v1/activities/", {"title": "Online", "lead_partner": "DE", "online": value},
                             format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "online"
    assert not Activity.objects.exists()


@pytest.mark.parametrize("value", ["yes", "1", None])
def test_is_demo_takes_true_or_false_only(alice, as_alice, value):
    response = as_alice.post("/api/v1/activities/", {"title": "Real", "lead_partner": "DE", "is_demo": value},
                             format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "is_demo"
