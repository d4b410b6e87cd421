"""Alice (Germany's focal point) downloads Germany's return as a workbook or a CSV, fills it in and uploads it back:
a good file is saved whole as one new version; a bad cell, a return that cannot be changed now, a file made from an
older version or a file that is no spreadsheet writes nothing and says why. Bob (Thailand) may do neither with
Germany's return; Sam (the secretariat) may do both on Germany's behalf."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting import services as reporting
from reporting.models import Answer, Return, ReturnFlow, ReturnValue, ReturnVersion, Round
from reporting.template import build_csv, build_xlsx
from tests import factories
from tests.reporting import conftest as reporting_fixtures
from tests.reporting import test_template as template_tests
from tests.reporting.test_template import changed
from tests.spreadsheets import with_huge_header_cell

# The reporting tests' round on the real strategy, shared: Stocktaking 2027, open, with Germany's return filled in.
reported_indicators, open_round = reporting_fixtures.reported_indicators, reporting_fixtures.open_round
de_return, filled_de_return = reporting_fixtures.de_return, template_tests.filled_de_return


def template_url(report, fmt="xlsx") -> str:
    return f"/workspace/returns/{report.pk}/template.{fmt}"


def upload_url(report) -> str:
    return f"/workspace/returns/{report.pk}/upload/"


def upload(client, report, content: bytes, name: str = "return.xlsx", version=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if version is not None:
        data["version"] = version
    return client.post(upload_url(report), data)


def text(response) -> str:
    return unescape(response.content.decode())


def content_of(report: Return) -> tuple:
    """What a return holds, to show that a refused upload wrote nothing and a round trip changed nothing."""
    report.refresh_from_db()
    return (
        report.version,
        sorted(ReturnValue.objects.filter(report=report).values_list("indicator__code", "year", "value", "note")),
        sorted(ReturnFlow.objects.filter(report=report).values_list(
            "year", "origin__code", "destination__code", "mode", "level", "programme", "participants", "female",
            "fewer_opportunities", "source")),
        sorted(Answer.objects.filter(report=report).values_list("question__number", "text")),
    )


def without_version(content: tuple) -> tuple:
    return content[1:]


# Downloading ------------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_for_the_template(client, filled_de_return):
    response = client.get(template_url(filled_de_return))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "sign-in" in response["Location"]


def test_alice_downloads_germanys_return_as_a_prefilled_workbook(client, alice, filled_de_return):
    client.force_login(alice)

    response = client.get(template_url(filled_de_return))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="return-DE-stocktaking-2027-v2.xlsx"'
    values = template_tests.rows_of(template_tests.workbook_of(response.content)["Values"])
    assert ["3.3.p", "Adults with basic digital skills", "%", 2025, 61.5, None] in values


def test_alice_downloads_germanys_values_as_a_csv(client, alice, filled_de_return):
    client.force_login(alice)

    response = client.get(template_url(filled_de_return, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="return-DE-stocktaking-2027-v2.csv"'
    assert "2.2.p,TVET programmes co-designed with industry,programmes,2024,12," in response.content.decode()


def test_the_template_takes_a_fixed_number_of_queries(client, alice, filled_de_return, django_assert_num_queries):
    client.force_login(alice)

    # Expect 9 queries: the session, the user, alice's partners, the return with its round and partner, then the
    # return's values, the round's indicators, the return's flows with their partners, its answers and the
    # round's questions.
    with django_assert_num_queries(9):
        response = client.get(template_url(filled_de_return))

    assert response.status_code == 200


def test_bob_may_not_download_germanys_return(client, bob, filled_de_return):
    client.force_login(bob)

    response = client.get(template_url(filled_de_return))

    assert response.status_code == 403
    assert "This is Germany's return: only its focal points and the secretariat may" in text(response)


def test_sam_downloads_any_partners_return(client, secretariat, filled_de_return):
    client.force_login(secretariat)

    response = client.get(template_url(filled_de_return, "csv"))

    assert response.status_code == 200
    assert response.content == build_csv(filled_de_return)


def test_a_return_that_does_not_exist_is_not_found(client, alice, open_round):
    client.force_login(alice)

    assert client.get("/workspace/returns/999999/template.xlsx").status_code == 404


# Uploading: who may ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_cannot_upload_and_nothing_is_written(client, filled_de_return):
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E2=5))

    assert response.status_code == 302
    assert content_of(filled_de_return) == before


def test_bob_cannot_upload_into_germanys_return_and_nothing_is_written(client, bob, filled_de_return):
    before = content_of(filled_de_return)
    client.force_login(bob)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E2=5))

    assert response.status_code == 403
    assert "This is Germany's return" in text(response)
    assert content_of(filled_de_return) == before


def test_alice_uploads_a_filled_workbook_and_it_is_saved_as_one_new_version(client, alice, filled_de_return):
    client.force_login(alice)
    content = changed(filled_de_return, Values__E2=5, Values__E8=48.5, Flows__F2=44, Answers__D3="Joint degrees.")

    response = upload(client, filled_de_return, content)

    assert response.status_code == 302
    assert response["Location"] == f"/workspace/returns/{filled_de_return.pk}/"
    version, values, flows, answers = content_of(filled_de_return)
    assert version == 3
    assert ("2.1.p", 2024, 5.0, "") in values
    assert ("3.3.p", 2024, 48.5, "") in values
    assert flows[0][6] == 44
    assert answers == [(1, "Two new TVET partnerships."), (2, "Joint degrees.")]
    snapshot = ReturnVersion.objects.get(report=filled_de_return, number=3)
    assert snapshot.saved_by == alice
    assert snapshot.reason == "Uploaded from return.xlsx"
    followed = client.get(response["Location"])
    assert "4 values, 1 flow and 2 answers saved from return.xlsx." in text(followed)


def test_sam_uploads_into_germanys_return_on_its_behalf(client, secretariat, filled_de_return):
    client.force_login(secretariat)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E2=5))

    assert response.status_code == 302
    assert content_of(filled_de_return)[0] == 3
    assert ReturnVersion.objects.get(report=filled_de_return, number=3).saved_by == secretariat


def test_a_downloaded_workbook_uploaded_unchanged_changes_nothing_but_the_version(client, alice, filled_de_return):
    client.force_login(alice)
    before = content_of(filled_de_return)
    downloaded = client.get(template_url(filled_de_return)).content

    response = upload(client, filled_de_return, downloaded, name="return-DE-stocktaking-2027-v2.xlsx")

    assert response.status_code == 302
    after = content_of(filled_de_return)
    assert after[0] == before[0] + 1
    assert without_version(after) == without_version(before)


def test_a_downloaded_csv_uploaded_unchanged_changes_nothing_but_the_version(client, alice, filled_de_return):
    client.force_login(alice)
    before = content_of(filled_de_return)
    downloaded = client.get(template_url(filled_de_return, "csv")).content

    response = upload(client, filled_de_return, downloaded, name="return.csv", version=2)

    assert response.status_code == 302
    after = content_of(filled_de_return)
    assert after[0] == before[0] + 1
    assert without_version(after) == without_version(before)


def test_a_csv_saves_the_values_and_leaves_flows_and_answers_alone(client, alice, filled_de_return):
    client.force_login(alice)
    content = build_csv(filled_de_return).replace(b"2024,12,", b"2024,15,")

    response = upload(client, filled_de_return, content, name="return.csv", version=2)

    assert response.status_code == 302
    _version, values, flows, answers = content_of(filled_de_return)
    assert ("2.2.p", 2024, 15.0, "From the federal statistics office") in values
    assert len(flows) == 1
    assert answers == [(1, "Two new TVET partnerships.")]


def test_emptying_a_value_in_the_file_takes_it_out_of_the_return(client, alice, filled_de_return):
    client.force_login(alice)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E5=None))

    assert response.status_code == 302
    assert [row[:2] for row in content_of(filled_de_return)[1]] == [("3.3.p", 2025)]


def test_a_changed_note_is_said_to_be_left_out(client, alice, filled_de_return):
    client.force_login(alice)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__F8="Survey"))

    assert "A note typed in the file was left out: a return saves its values, not notes." in text(
        client.get(response["Location"]))


# Uploading: every refusal writes nothing and says why ----------------------------------------------------------------


def test_one_bad_cell_is_refused_with_its_row_and_column_and_nothing_is_written(client, alice, filled_de_return):
    client.force_login(alice)
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E2=5, Values__E8=140))

    assert response.status_code == 400
    assert "Nothing was saved" in text(response)
    assert "Values sheet, row 8, column E (value): 3.3.p is a percentage: give a value from 0 to 100." in text(
        response)
    assert content_of(filled_de_return) == before


@pytest.mark.parametrize(("cells", "message"), [
    ({"Values__A2": "9.9.z"}, "Values sheet, row 2, column A (indicator): '9.9.z' is not an indicator of"),
    ({"Values__D2": 2030}, "Values sheet, row 2, column D (year): 2030 is outside Stocktaking 2027's years"),
    ({"Values__E2": "lots"}, "Values sheet, row 2, column E (value): 'lots' is not a number"),
    ({"Values__E8": 100.5}, "Values sheet, row 8, column E (value): 3.3.p is a percentage"),
    ({"Values__E5": -1}, "Values sheet, row 5, column E (value): 2.2.p is a count of programmes: it cannot be below"),
    ({"Values__E5": 1.5}, "Values sheet, row 5, column E (value): 2.2.p is a count of programmes: give a whole"),
    ({"Flows__B2": "JP"}, "Flows sheet, row 2: you may not report the flow JP to TH"),
    ({"Answers__A2": 9}, "Answers sheet, row 2, column A (number): '9' is not the number of one of"),
])
def test_every_kind_of_bad_input_is_refused_naming_its_cell(client, alice, filled_de_return, cells, message):
    client.force_login(alice)
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, changed(filled_de_return, **cells))

    assert response.status_code == 400
    assert message in text(response)
    assert content_of(filled_de_return) == before


@pytest.mark.parametrize("state", [Return.State.SUBMITTED, Return.State.APPROVED])
def test_a_submitted_or_approved_return_cannot_be_uploaded_into(client, alice, filled_de_return, state):
    Return.objects.filter(pk=filled_de_return.pk).update(state=state)
    client.force_login(alice)
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E2=5))

    assert response.status_code == 400
    assert f"This return is {state}: it cannot be changed now." in text(response)
    assert content_of(filled_de_return) == before


def test_a_return_in_a_closed_round_cannot_be_uploaded_into(client, secretariat, filled_de_return):
    Round.objects.filter(pk=filled_de_return.round_id).update(state=Round.State.CLOSED)
    client.force_login(secretariat)
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, changed(filled_de_return, Values__E2=5))

    assert response.status_code == 400
    assert "Stocktaking 2027 is not open: its returns cannot be changed." in text(response)
    assert content_of(filled_de_return) == before


def test_a_file_made_before_someone_else_saved_is_refused_with_what_changed(client, alice, filled_de_return):
    client.force_login(alice)
    downloaded = client.get(template_url(filled_de_return)).content
    reporting.save_return(report=filled_de_return, user=focal_point("anna", "DE"), version=2,
                          values={("2.1.p", 2026): 33})
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, downloaded)

    assert response.status_code == 409
    page = text(response)
    assert "Someone saved this return after your file was made: nothing of yours was saved" in page
    assert "anna saved version 3" in page
    assert "2.1.p" in page and "33" in page
    assert content_of(filled_de_return) == before


def test_a_csv_uploaded_from_a_page_read_before_another_save_is_refused_with_what_changed(
        client, alice, filled_de_return):
    client.force_login(alice)
    reporting.save_return(report=filled_de_return, user=focal_point("anna", "DE"), version=2,
                          values={("2.1.p", 2026): 33})

    response = upload(client, filled_de_return, build_csv(filled_de_return), name="return.csv", version=2)

    assert response.status_code == 409
    assert "anna saved version 3" in text(response)


def test_an_upload_without_a_file_asks_for_one(client, alice, filled_de_return):
    client.force_login(alice)

    response = client.post(upload_url(filled_de_return), {"version": 2})

    assert response.status_code == 400
    assert "Choose a file to upload" in text(response)


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"\x00\x01\x02 not a table", "return.csv", "The file is neither CSV nor XLSX"),
    (b"PK\x03\x04 broken", "return.xlsx", "The file is not a readable XLSX workbook"),
    (with_huge_header_cell(20), "return.xlsx", "no spreadsheet packs that tightly"),
    (b"", "return.csv", "The file is empty."),
])
def test_a_malformed_file_gets_a_400_saying_what_is_wrong(client, alice, filled_de_return, content, name, message):
    client.force_login(alice)
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, content, name=name, version=2)

    assert response.status_code == 400
    assert message in text(response)
    assert len(response.content) < 100_000
    assert content_of(filled_de_return) == before


def test_an_oversized_file_gets_a_400_before_it_is_read(client, alice, filled_de_return, settings):
    settings.MAX_UPLOAD_BYTES = 2000
    client.force_login(alice)
    before = content_of(filled_de_return)

    response = upload(client, filled_de_return, build_xlsx(filled_de_return))

    assert response.status_code == 400
    assert "more than the 2 KB an upload may be" in text(response)
    assert content_of(filled_de_return) == before


def test_the_upload_page_offers_the_downloads_and_the_form(client, alice, filled_de_return):
    client.force_login(alice)

    response = client.get(upload_url(filled_de_return))

    page = text(response)
    assert response.status_code == 200
    assert f'href="{template_url(filled_de_return, "xlsx")}"' in page
    assert f'href="{template_url(filled_de_return, "csv")}"' in page
    assert 'name="version" value="2"' in page
    assert 'type="file" name="file"' in page
    assert "A CSV holds one table, so it has the values alone" in page


def focal_point(username: str, code: str):
    return factories.focal_point(username, factories.partner(code))
