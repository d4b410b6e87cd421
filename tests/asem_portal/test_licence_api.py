"""Every API response names the licence (a Link header, rel="license") and how to cite (a Citation header); the
API's index gives both as fields."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from asem_portal.models import CACHE_KEY
from core import licence

LINK = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
CITATION = "ASEM Education Portal, ASEM Education Process."


@pytest.mark.parametrize("path, status", [
    ("/api/v1/partners/", 200),
    ("/api/v1/partners/DE/", 200),
    ("/api/v1/mobility/flows/?format=csv", 200),
    ("/api/v1/mobility/flows/?format=csv&page=1", 200),
    ("/api/v1/partners/ZZ/", 404),
    ("/api/v1/activities/?year=soon", 400),
    ("/api/v1/activities/?format=csv&year=soon", 400),
])
def test_every_api_response_names_the_licence_and_how_to_cite(strategy, path, status):
    response = APIClient().get(path)
    assert response.status_code == status
    assert response["Link"] == LINK
    assert response["Citation"] == CITATION


def test_a_refused_write_names_the_licence_too(strategy, bob):
    client = APIClient()
    client.force_authenticate(bob)
    response = client.post("/api/v1/mobility/flows/", {"year": 2024}, format="json")
    assert response.status_code == 400
    assert response["Link"] == LINK


def test_a_not_modified_answer_keeps_the_licence(strategy):
    client = APIClient()
    etag = client.get("/api/v1/partners/DE/")["ETag"]
    response = client.get("/api/v1/partners/DE/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["Link"] == LINK


def test_the_api_index_gives_the_licence_and_the_citation(db):
    body = APIClient().get("/api/v1/").json()
    assert body["licence"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert body["citation"] == CITATION


def test_a_citation_beyond_ascii_is_sent_percent_encoded(db):
    cache.set(CACHE_KEY, licence.Licence("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/",
                                         "Ministère de l'Éducation, 100% open"))
    response = APIClient().get("/api/v1/")
    assert response["Citation"] == "Minist%C3%A8re de l'%C3%89ducation, 100%25 open"
    assert response.json()["citation"] == "Ministère de l'Éducation, 100% open"
