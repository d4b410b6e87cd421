"""The OpenAPI schema: valid, complete, every address in it answering, and its documentation served locally."""

import re

import pytest
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from mobility.models import Activity, MobilityFlow
from objectives.models import Observation, Priority
from reporting.models import Return, Round
from tests import factories

# Reads of what is never public: a partner's returns (its focal points' and the secretariat's) and a round's board
# (the secretariat's).
PRIVATE_READS = {"/api/v1/returns/", "/api/v1/returns/{id}/", "/api/v1/rounds/{slug}/board/"}


@pytest.fixture
def schema(db, anonymous):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_covers_every_endpoint_of_the_issue(schema):
    paths = set(schema["paths"])

    assert {
        "/api/v1/strategy/", "/api/v1/objectives/", "/api/v1/objectives/{number}/", "/api/v1/indicators/",
        "/api/v1/indicators/{code}/", "/api/v1/indicators/{code}/observations/", "/api/v1/progress/",
        "/api/v1/instruments/", "/api/v1/instruments/{slug}/", "/api/v1/partners/", "/api/v1/partners/{code}/",
        "/api/v1/organisations/", "/api/v1/activities/", "/api/v1/activities/{slug}/",
        "/api/v1/activities/{slug}/submit/", "/api/v1/activities/{slug}/approve/",
        "/api/v1/activities/{slug}/return/", "/api/v1/mobility/flows/", "/api/v1/mobility/summary/",
    } <= paths
    assert {
        "/api/v1/rounds/", "/api/v1/rounds/{slug}/", "/api/v1/rounds/{slug}/board/", "/api/v1/returns/",
        "/api/v1/returns/{id}/", "/api/v1/returns/{id}/submit/", "/api/v1/returns/{id}/approve/",
        "/api/v1/returns/{id}/return/", "/api/v1/partners/{code}/values/",
    } <= paths


def test_every_operation_parameter_and_response_is_described(schema):
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary") and operation.get("description"), where
        assert operation.get("tags"), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
        for code, response in operation["responses"].items():
            assert response.get("description"), f"{where} {code}"
            if code.startswith(("4", "5")):
                content = response["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, f"{where} {code}"
                assert content["example"]["status"] == int(code), f"{where} {code}"


def test_every_write_has_an_example_body_and_its_errors(schema):
    for path, method, operation in operations(schema):
        if method == "get":
            assert {"200", "304", "401", "404", "429"} <= set(operation["responses"]), path
            continue
        where = f"{method.upper()} {path}"
        assert {"401", "403", "404", "409", "429"} <= set(operation["responses"]), where
        if "{" in path.rsplit("/", 2)[-2] or path.endswith(("submit/", "approve/", "return/")):
            assert "412" in operation["responses"], where
            assert any(p["name"] == "If-Match" for p in operation["parameters"]), where
        if "requestBody" in operation:
            assert {"400", "415"} <= set(operation["responses"]), where
            content = operation["requestBody"]["content"]["application/json"]
            assert content.get("examples"), where


def test_reads_need_no_credentials_and_writes_do(schema):
    for path, method, operation in operations(schema):
        if method == "get" and path not in PRIVATE_READS:
            assert {} in operation["security"], path
        else:
            assert {} not in operation["security"], f"{method} {path}"


@pytest.fixture
def content(strategy, partner_de):
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a")
    factories.ObservationFactory(indicator=indicator)
    factories.MobilityFlowFactory()
    factories.ActivityFactory(slug="a-published-activity")
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline="2027-03-31", state=Round.State.OPEN)
    Return.objects.create(round=round_, partner=partner_de)


def test_every_address_in_the_schema_answers(schema, content, anonymous):
    values = {
        "/api/v1/activities/": "a-published-activity", "/api/v1/instruments/": "policy-dialogue",
        "/api/v1/partners/": "DE", "/api/v1/organisations/": "asef", "/api/v1/objectives/": "1",
        "/api/v1/indicators/": "1.1.a", "/api/v1/mobility/flows/": str(MobilityFlow.objects.get().pk),
        "/api/v1/rounds/": "stocktaking-2027", "/api/v1/returns/": str(Return.objects.get().pk),
    }
    observation = str(Observation.objects.get(indicator__code="1.1.a").pk)  # the strategy ships the OECD's too
    for path in schema["paths"]:
        url = re.sub(r"\{code\}/observations/\{id\}", f"{{code}}/observations/{observation}", path)
        for prefix, value in values.items():
            if url.startswith(prefix):
                url = re.sub(r"^(/api/v1/[a-z/]+?/)\{[a-z]+\}", rf"\g<1>{value}", url)
        assert "{" not in url, url
        expected = 405 if url.endswith(("submit/", "approve/", "return/")) else 401 if path in PRIVATE_READS else 200
        assert anonymous.get(url).status_code == expected, url
    assert Activity.objects.count() > 1


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_documentation_loads_everything_from_the_portal_itself(db, client, url):
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "googleapis" not in page and "cdn" not in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    for source in sources:
        assert source.startswith("/"), source
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
    assert "<script>" not in page  # the Content Security Policy allows no inline script


def test_swagger_uis_start_up_script_is_served_as_a_file(db, client):
    response = client.get("/api/docs/?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


def test_the_schema_is_generated_without_errors_or_clashing_component_names(db):
    from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
    from drf_spectacular.generators import SchemaGenerator

    reset_generator_stats()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)

    # Two serializers of one name share one component: one endpoint is then described by the other's fields.
    problems = list(GENERATOR_STATS._error_cache) + [
        message for message in GENERATOR_STATS._warn_cache if "identical names" in message
    ]
    reset_generator_stats()
    assert problems == []


def parameter(schema, path, name):
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_as_of_has_the_bounds_the_api_keeps(schema, anonymous):
    for path in ("/api/v1/progress/", "/api/v1/indicators/", "/api/v1/objectives/"):
        bounds = parameter(schema, path, "as_of")["schema"]
        assert (bounds["type"], bounds["minimum"], bounds["maximum"]) == ("integer", 1990, 2100)
    assert anonymous.get("/api/v1/progress/?as_of=1990").status_code == 200
    assert anonymous.get("/api/v1/progress/?as_of=1989").status_code == 400


def test_the_observations_year_is_a_whole_number_in_the_schema_too(schema):
    year = parameter(schema, "/api/v1/indicators/{code}/observations/", "year")["schema"]

    assert year["type"] == "integer"


def test_the_schema_says_how_a_mean_score_becomes_a_status_as_the_engine_does(schema):
    from objectives import progress

    text = schema["paths"]["/api/v1/progress/"]["get"]["description"]

    assert "below 0.5 deterioration, from 0.5 limited progress, from 1.5 moderate progress, from 2.5 on track" \
        in text
    for score, status in [(0.49, "deterioration"), (0.5, "limited"), (1.49, "limited"), (1.5, "moderate"),
                          (2.5, "on_track"), (3.99, "on_track"), (4.0, "achieved")]:
        assert progress.status_for_score(score) == status


def test_the_schema_points_to_nothing_outside_the_repository(schema):
    import json

    assert "DESIGN.md" not in json.dumps(schema)
