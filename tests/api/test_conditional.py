"""ETags: 304 when a client's copy is current, 412 when its change is based on a stale one."""

import pytest

from mobility.models import Activity, MobilityFlow
from objectives.models import Observation
from tests import factories


@pytest.fixture
def draft(partner_de):
    return factories.ActivityFactory(slug="alices-draft", state=Activity.State.DRAFT, lead_partner=partner_de)


@pytest.fixture
def flow(partner_de, partner_th):
    return factories.MobilityFlowFactory(origin=partner_th, destination=partner_de)


@pytest.mark.parametrize("url", ["/api/v1/mobility/flows/", "/api/v1/mobility/flows/{pk}/",
                                 "/api/v1/mobility/flows/?format=csv&page=1",
                                 "/api/v1/mobility/summary/?group_by=year"])
def test_a_read_answers_304_with_no_body_when_the_etag_still_matches(flow, anonymous, url):
    url = url.format(pk=flow.pk)
    first = anonymous.get(url)

    again = anonymous.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_weak_or_listed_etag_matches_for_if_none_match(flow, anonymous):
    etag = anonymous.get("/api/v1/mobility/flows/")["ETag"]

    assert anonymous.get("/api/v1/mobility/flows/", HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_csv_and_json_of_the_same_list_have_different_etags(flow, anonymous):
    as_json = anonymous.get("/api/v1/mobility/flows/?page=1")["ETag"]
    as_csv = anonymous.get("/api/v1/mobility/flows/?format=csv&page=1")["ETag"]

    assert as_json != as_csv
    assert anonymous.get("/api/v1/mobility/flows/?format=csv&page=1", HTTP_IF_NONE_MATCH=as_json).status_code == 200


def test_a_full_csv_export_is_streamed_without_an_etag_and_never_answers_304(flow, anonymous):
    """An ETag is a hash of every row: the export would have to be built whole before its first byte is sent."""
    response = anonymous.get("/api/v1/mobility/flows/?format=csv", HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 200
    assert "ETag" not in response
    assert "no-cache" in response["Cache-Control"]


def test_a_change_gives_a_new_etag_and_the_old_copy_is_read_again(flow, anonymous, as_secretariat):
    before = anonymous.get(f"/api/v1/mobility/flows/{flow.pk}/")["ETag"]
    as_secretariat.patch(f"/api/v1/mobility/flows/{flow.pk}/", {"participants": 120}, format="json")

    response = anonymous.get(f"/api/v1/mobility/flows/{flow.pk}/", HTTP_IF_NONE_MATCH=before)

    assert response.status_code == 200
    assert response.json()["participants"] == 120
    assert response["ETag"] != before


def test_reads_ask_caches_to_revalidate_and_vary_on_credentials(flow, anonymous):
    response = anonymous.get("/api/v1/mobility/flows/")

    assert response["Cache-Control"] == "no-cache"
    assert {"Accept", "Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_write_with_the_current_etag_goes_through_and_gives_the_next_one(draft, as_alice):
    etag = as_alice.get("/api/v1/activities/alices-draft/")["ETag"]

    response = as_alice.patch("/api/v1/activities/alices-draft/", {"summary": "Now with a summary."}, format="json",
                              HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["ETag"] == as_alice.get("/api/v1/activities/alices-draft/")["ETag"]


def test_a_write_with_a_stale_etag_is_refused_412_and_writes_nothing(draft, as_alice, as_secretariat):
    alices_copy = as_alice.get("/api/v1/activities/alices-draft/")["ETag"]
    as_secretariat.patch("/api/v1/activities/alices-draft/", {"title": "Retitled by Sam"}, format="json")

    response = as_alice.patch("/api/v1/activities/alices-draft/", {"summary": "Alice's change"}, format="json",
                              HTTP_IF_MATCH=alices_copy)

    assert response.status_code == 412
    assert response.json()["errors"][0]["field"] == "If-Match"
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Retitled by Sam", "A short summary.")


@pytest.mark.parametrize(("method", "url", "body"), [
    ("put", "/api/v1/mobility/flows/{flow}/", {"year": 2024, "origin": "TH", "destination": "DE",
                                                "level": "tvet", "participants": 100}),
    ("delete", "/api/v1/mobility/flows/{flow}/", None),
    ("post", "/api/v1/activities/alices-draft/submit/", None),
    ("delete", "/api/v1/indicators/1.1.a/observations/{observation}/", None),
    ("patch", "/api/v1/indicators/1.1.a/", {"target_value": 300}),
])
def test_every_kind_of_write_honours_if_match(draft, flow, as_secretariat, method, url, body):
    observation = factories.ObservationFactory(indicator=factories.IndicatorFactory(code="1.1.a"))
    url = url.format(flow=flow.pk, observation=observation.pk)
    read_url = url.removesuffix("submit/")
    flows, observations = list(MobilityFlow.objects.values()), list(Observation.objects.values())

    stale = getattr(as_secretariat, method)(url, body, format="json", HTTP_IF_MATCH='"an-old-version"')

    assert stale.status_code == 412
    assert list(MobilityFlow.objects.values()) == flows
    assert list(Observation.objects.values()) == observations
    assert Activity.objects.get(slug="alices-draft").state == Activity.State.DRAFT

    current = as_secretariat.get(read_url)["ETag"]
    assert getattr(as_secretariat, method)(url, body, format="json", HTTP_IF_MATCH=current).status_code in {200, 204}


def test_if_match_star_only_asks_that_the_resource_exists(draft, as_alice):
    response = as_alice.patch("/api/v1/activities/alices-draft/", {"summary": "x"}, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 200


def test_a_weak_etag_never_satisfies_if_match(draft, as_alice):
    etag = as_alice.get("/api/v1/activities/alices-draft/")["ETag"]

    response = as_alice.patch("/api/v1/activities/alices-draft/", {"summary": "x"}, format="json",
                              HTTP_IF_MATCH=f"W/{etag}")

    assert response.status_code == 412
