"""A crafted upload gets a short, clear refusal on the page, in the API and on a background upload's page:
never a response the size of what the file unpacks to, and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mobility.imports import flows_as_csv
from mobility.models import MobilityFlow
from tests import factories
from tests.api.conftest import client_for
from tests.spreadsheets import SHEET, rewritten, with_huge_header_cell, xlsx_of

URL = "/workspace/mobility/"
API = "/api/v1/mobility/flows/import/"
BOMB_MESSAGE = "no spreadsheet packs that tightly"
ROW = [2024, "TH", "DE", "physical", "tvet", 10, "", "", "", ""]
MALFORMED = {
    "a broken workbook": (rewritten(xlsx_of([ROW]), "xl/workbook.xml", lambda xml: xml[:40]),
                          "The file is not a readable XLSX workbook"),
    "broken sheet XML": (rewritten(xlsx_of([ROW, ROW]), SHEET, lambda xml: xml.replace(b'<row r="3"', b'<row r="3"<')),
                         "The sheet cannot be read after line 2: its XML is broken"),
    "text in a number cell": (rewritten(xlsx_of([ROW]), SHEET, lambda xml: xml.replace(b"<v>10</v>", b"<v>ten</v>")),
                              "as when a cell marked as a number holds text"),
}


@pytest.fixture
def partners(db):
    for code in ("DE", "TH"):
        factories.partner(code)


def test_a_workbook_bomb_gets_a_short_refusal_on_the_mobility_page(client, secretariat, partners):
    client.force_login(secretariat)

    response = client.post(URL, {"file": SimpleUploadedFile("flows.xlsx", with_huge_header_cell(20))})

    assert response.status_code == 400
    assert BOMB_MESSAGE in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert len(response.content) < 100_000
    assert MobilityFlow.objects.count() == 0


def test_a_workbook_bomb_gets_a_short_json_400_from_the_api(secretariat, partners):
    response = client_for(secretariat).post(API, {"file": SimpleUploadedFile("flows.xlsx", with_huge_header_cell(20))},
                                      format="multipart")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert BOMB_MESSAGE in error["message"]
    assert len(response.content) < 2_000
    assert MobilityFlow.objects.count() == 0


def test_a_workbook_bomb_uploaded_in_the_background_shows_a_short_refusal_on_its_page(
        client, secretariat, partners, settings, django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 1000
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("flows.xlsx", with_huge_header_cell(20))})

    status = client.get(f"{response['Location']}status/")
    assert status.json()["state"] == "invalid"
    assert BOMB_MESSAGE in status.json()["message"]
    assert len(status.content) < 2_000
    followed = client_for(secretariat).get(f"{API}?job={status.json()['id']}")
    assert len(followed.content) < 3_000
    assert MobilityFlow.objects.count() == 0


@pytest.mark.parametrize("problem", MALFORMED)
def test_a_malformed_workbook_is_refused_on_the_mobility_page_saying_what_is_wrong(client, secretariat, partners,
                                                                                  problem):
    content, message = MALFORMED[problem]
    client.force_login(secretariat)

    response = client.post(URL, {"file": SimpleUploadedFile("flows.xlsx", content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert MobilityFlow.objects.count() == 0


@pytest.mark.parametrize("problem", MALFORMED)
def test_a_malformed_workbook_is_a_json_400_from_the_api_saying_what_is_wrong(secretariat, partners, problem):
    content, message = MALFORMED[problem]

    response = client_for(secretariat).post(API, {"file": SimpleUploadedFile("flows.xlsx", content)},
                                            format="multipart")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert message in error["message"]
    assert MobilityFlow.objects.count() == 0


def nul_in_source() -> bytes:
    padding = [[2023, "TH", "DE", "physical", "tvet", 10, "", "", f"programme {n}", "x" * 100] for n in range(80)]
    return flows_as_csv([*padding, [*ROW[:9], "survey\x00"]])


def test_a_nul_in_a_csv_upload_is_refused_on_the_mobility_page_as_the_forms_refuse_it(client, secretariat, partners):
    client.force_login(secretariat)

    response = client.post(URL, {"file": SimpleUploadedFile("flows.csv", nul_in_source())})

    assert response.status_code == 400
    assert "Line 82, source: Null characters are not allowed." in response.content.decode()
    assert MobilityFlow.objects.count() == 0


def test_a_nul_in_a_csv_upload_is_refused_by_the_api_as_the_api_refuses_it(secretariat, partners):
    response = client_for(secretariat).post(API, {"file": SimpleUploadedFile("flows.csv", nul_in_source())},
                                      format="multipart")

    assert response.status_code == 400
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
        ("file", "Line 82, source: Null characters are not allowed.")]
    assert MobilityFlow.objects.count() == 0
