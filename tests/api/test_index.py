"""/api/v1/ lists every endpoint of the API, with a link to each, as the schema has them."""

from tests.api.test_schema import schema  # noqa: F401 - the fixture


def test_the_api_root_lists_every_endpoint_of_the_schema_with_links(schema, anonymous):  # noqa: F811
    response = anonymous.get("/api/v1/")

    assert response.status_code == 200
    index = response.json()
    listed = {endpoint["path"]: endpoint for endpoint in index["endpoints"]}
    assert set(listed) == {path for path in schema["paths"] if path.startswith("/api/v1/")}
    assert listed["/api/v1/activities/"]["url"] == "http://testserver/api/v1/activities/"
    assert listed["/api/v1/activities/"]["methods"] == ["GET", "POST"]
    assert listed["/api/v1/activities/"]["summary"] == "List activities"
    assert listed["/api/v1/activities/{slug}/"]["url"] is None
    assert index["docs"] == "http://testserver/api/docs/"
    assert index["schema"] == "http://testserver/api/schema/"


def test_the_api_root_is_in_the_schema(schema):  # noqa: F811
    assert "/api/v1/" in schema["paths"]
    assert schema["paths"]["/api/v1/"]["get"]["summary"] == "Every endpoint"


def test_an_address_the_api_does_not_have_names_no_methods_and_points_to_the_root(db, anonymous):
    response = anonymous.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert "Allow" not in response
    assert "/api/v1/" in response.json()["detail"]


def test_the_schema_is_kept_once_whatever_version_or_language_the_query_string_makes_up(db, anonymous):
    from core.api.docs import SchemaView

    json = "application/vnd.oai.openapi+json"
    first = anonymous.get("/api/schema/", HTTP_ACCEPT=json)
    kept = len(SchemaView.schemas)
    made_up = [anonymous.get(f"/api/schema/?version=v{n}&lang=x{n}", HTTP_ACCEPT=json) for n in range(3)]

    assert len(SchemaView.schemas) == kept
    assert all(response.json() == first.json() for response in made_up)
    assert anonymous.get("/api/schema/")["Content-Disposition"].endswith('.yaml"')
    assert first["Content-Disposition"].endswith('.json"')
