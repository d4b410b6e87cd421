"""Sam (the secretariat) uploads a year of mobility flows in the workspace: a good file is written whole, with a
version of each flow in its history; any bad file gets a clear message for every bad row and writes nothing.

Alice (Germany) uploads nothing here: her partner's flows come in its return in a reporting round. Her mobility page
lists the rows Germany reported, and whether each is the public figure."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from mobility.imports import FLOW_COLUMNS, flows_as_csv
from mobility.models import MobilityFlow
from tests import factories

URL = "/workspace/mobility/"
GOOD_ROWS = [
    [2024, "TH", "DE", "physical", "higher_education", 120, 64, 12, "ASEM-DUO", "DAAD statistics"],
    [2024, "DE", "JP", "virtual", "tvet", 45, 20, "", "", "Ministry survey"],
]


@pytest.fixture
def partners(db):
    for code in ("DE", "TH", "JP", "FR"):
        factories.partner(code)


def upload(client, content: bytes, name: str = "flows.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def page_text(response) -> str:
    return response.content.decode()


def test_alice_uploads_a_good_csv_file_and_every_flow_is_written_with_a_version_by_her(client, secretariat, partners):
    client.force_login(secretariat)

    response = upload(client, flows_as_csv(GOOD_ROWS))

    assert response.status_code == 302
    assert response["Location"] == URL
    assert MobilityFlow.objects.count() == 2
    flow = MobilityFlow.objects.get(origin__code="TH")
    assert (flow.participants, flow.female, flow.created_by) == (120, 64, secretariat)
    record = flow.history.get()
    assert (record.history_user, record.history_type, record.history_change_reason) == (
        secretariat, "+", "Uploaded in flows.csv")
    page = client.get(URL)
    assert "Imported 2 rows from flows.csv: 2 flows created, 0 updated, 0 unchanged." in page_text(page)


def test_alice_uploads_a_good_xlsx_file(client, secretariat, partners):
    workbook = Workbook()
    workbook.active.append(FLOW_COLUMNS)
    for row in GOOD_ROWS:
        workbook.active.append([None if value == "" else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(secretariat)

    response = upload(client, out.getvalue(), "flows.xlsx")

    assert response.status_code == 302
    assert MobilityFlow.objects.count() == 2


def test_uploading_new_figures_for_a_flow_keeps_the_old_ones_in_its_history(client, secretariat, partners):
    client.force_login(secretariat)
    upload(client, flows_as_csv(GOOD_ROWS))
    changed = [[*GOOD_ROWS[0][:5], 130, 70, 12, *GOOD_ROWS[0][8:]]]

    upload(client, flows_as_csv(changed), "corrected.csv")

    flow = MobilityFlow.objects.get(origin__code="TH")
    assert flow.participants == 130
    assert [(r.participants, r.history_type, r.history_change_reason) for r in flow.history.all()] == [
        (130, "~", "Uploaded in corrected.csv"), (120, "+", "Uploaded in flows.csv")]


BAD_FILES = {
    "wrong columns": (
        b"year,origin,destination,mode,participants\n2024,TH,DE,physical,10\n",
        "Line 1: The header is wrong: missing columns: level, female, fewer_opportunities, programme, source.",
    ),
    "an unknown partner code": (
        flows_as_csv([[2024, "XX", "DE", "physical", "tvet", 10, "", "", "", ""]]),
        "Line 2, origin: 'XX' is not an ASEM partner code",
    ),
    "a reporter at neither end": (
        b"year,origin,destination,mode,level,participants,female,fewer_opportunities,programme,source,reported_by\n"
        b"2024,TH,JP,physical,tvet,10,,,,,DE\n",
        "Line 2, reported_by: DE is neither the origin (TH) nor the destination (JP): a flow is reported by one of "
        "its ends.",
    ),
    "a negative count": (
        flows_as_csv([[2024, "TH", "DE", "physical", "tvet", -5, "", "", "", ""]]),
        "Line 2, participants: -5 is negative: counts are 0 or more.",
    ),
    "a count that is not a number": (
        flows_as_csv([[2024, "TH", "DE", "physical", "tvet", "many", "", "", "", ""]]),
        "Line 2, participants: &#x27;many&#x27; is not a whole number.",
    ),
    "more women than participants": (
        flows_as_csv([[2024, "TH", "DE", "physical", "tvet", 10, 11, "", "", ""]]),
        "Line 2, female: 11 female participants are more than the 10 participants.",
    ),
    "a duplicate row": (
        flows_as_csv([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]),
        "Line 4: this row repeats line 2",
    ),
    "a header and no rows": (flows_as_csv([]), "File: The file has a header but no rows of flows."),
    "blank lines only": (b"\n\n  \n", "File: The file is empty."),
}


@pytest.mark.parametrize("problem", BAD_FILES)
def test_a_file_with_a_problem_says_which_and_writes_nothing(client, secretariat, partners, problem):
    content, message = BAD_FILES[problem]
    client.force_login(secretariat)

    response = upload(client, content)

    assert response.status_code == 400
    assert "Nothing was imported" in page_text(response)
    assert message.replace("'", "&#x27;") in page_text(response) or message in page_text(response)
    assert MobilityFlow.objects.count() == 0


def test_every_bad_row_is_listed_not_just_the_first(client, secretariat, partners):
    rows = [GOOD_ROWS[0], [2024, "XX", "DE", "physical", "tvet", 1, "", "", "", ""],
            [2024, "TH", "DE", "teleport", "tvet", 1, "", "", "", ""], [1900, "TH", "DE", "physical", "tvet", 1, 2, "",
                                                                         "", ""]]
    client.force_login(secretariat)

    response = upload(client, flows_as_csv(rows))

    page = page_text(response)
    assert "The file has 4 problems" in page
    for expected in ["Line 3, origin:", "Line 4, mode:", "Line 5, year:", "Line 5, female:"]:
        assert expected in page
    assert MobilityFlow.objects.count() == 0


def test_an_empty_file_is_refused_with_a_message(client, secretariat, partners):
    client.force_login(secretariat)

    response = upload(client, b"")

    assert response.status_code == 400
    assert "The file is empty." in page_text(response)


def test_a_file_that_is_not_csv_or_xlsx_is_refused(client, secretariat, partners):
    client.force_login(secretariat)

    response = upload(client, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "flows.pdf")

    assert response.status_code == 400
    assert "The file is neither CSV nor XLSX." in page_text(response)
    assert MobilityFlow.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, secretariat, partners, settings):
    settings.MAX_UPLOAD_BYTES = 100
    client.force_login(secretariat)

    response = upload(client, flows_as_csv(GOOD_ROWS * 3))

    assert response.status_code == 400
    assert "more than the 100 bytes an upload may be" in page_text(response)
    assert MobilityFlow.objects.count() == 0


def test_no_file_at_all_is_refused_next_to_the_field(client, secretariat, partners):
    client.force_login(secretariat)

    response = client.post(URL, {})

    assert response.status_code == 400
    assert 'id="id_file_error"' in page_text(response)
    assert "Choose a file to upload." in page_text(response)


@pytest.mark.parametrize("fmt, content_type", [("csv", "text/csv; charset=utf-8"),
                                               ("xlsx", "application/vnd.openxmlformats-officedocument"
                                                        ".spreadsheetml.sheet")])
def test_the_template_file_has_the_expected_columns(client, secretariat, partners, fmt, content_type):
    client.force_login(secretariat)

    response = client.get(f"/workspace/mobility/template.{fmt}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="mobility-flows-template.{fmt}"'
    if fmt == "csv":
        assert response.content.decode().splitlines()[0] == ",".join(FLOW_COLUMNS)


# A focal point's mobility page: what her partners reported, read only ----------------------------------------------


@pytest.fixture
def reported(partners):
    """Thailand to Germany in 2024, reported by both ends: Germany (the host) 120, Thailand 100; and a route
    neither Germany nor Alice has anything to do with."""
    from mobility.services import replace_reported_flows

    th, de, jp = (factories.partner(code) for code in ("TH", "DE", "JP"))
    row = {"year": 2024, "origin": th, "destination": de, "mode": "physical", "level": "higher_education",
           "programme": "Mine", "participants": 120}
    replace_reported_flows(partner=de, years=[2024], rows=[row])
    replace_reported_flows(partner=th, years=[2024], rows=[{**row, "participants": 100, "programme": "Mine"},
                                                          {**row, "destination": jp, "programme": "Not mine"}])


def test_alices_mobility_page_lists_the_rows_germany_reported_with_the_rules_outcome(
        client, alice, reported, django_assert_num_queries):
    client.force_login(alice)

    # Expect 6 queries: the session, the user, her memberships (for the rules), whether a round is open for her
    # partners, her memberships with their partners (for the page), the rows they reported with the other end's
    with django_assert_num_queries(6):
        response = client.get(URL)

    page = page_text(response)
    assert response.status_code == 200
    assert "Mine" in page and "Not mine" not in page
    assert "Thailand reported 100; the host's figure is shown" in page
    assert 'type="file"' not in page
    assert "Flows are reported in your partner&#x27;s return in a reporting round" in page
    assert "No reporting round is open for your partners now" in page


def test_bobs_mobility_page_shows_thailands_row_is_not_the_public_figure(client, bob, reported):
    client.force_login(bob)

    page = page_text(client.get(URL))

    assert "Not mine" in page
    assert "No: Germany reported 120; the host's figure is shown" in page


def test_while_a_round_is_open_alices_page_sends_her_to_her_return(client, alice, reported):
    from reporting.models import Return, Round

    round_ = Round.objects.create(name="Stocktaking 2026", slug="stocktaking-2026", first_year=2024, last_year=2025,
                                  deadline="2026-06-30", state=Round.State.OPEN)
    Return.objects.create(round=round_, partner=factories.partner("DE"))
    client.force_login(alice)

    page = page_text(client.get(URL))

    assert '<a href="/workspace/returns/">A round is open: report your flows in your return</a>' in page


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_focal_point_cannot_upload_flows_and_is_told_where_to_report_them(client, who, request, reported):
    client.force_login(request.getfixturevalue(who))
    before = list(MobilityFlow.objects.order_by("pk").values())

    response = upload(client, flows_as_csv(GOOD_ROWS))

    assert response.status_code == 403
    assert "Flows cannot be uploaded here. Flows are reported in your partner&#x27;s return" in page_text(response)
    assert list(MobilityFlow.objects.order_by("pk").values()) == before


def test_an_anonymous_visitor_is_sent_to_sign_in_and_writes_nothing(client, partners):
    response = upload(client, flows_as_csv(GOOD_ROWS))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    assert not MobilityFlow.objects.exists()


def test_the_secretariats_page_lists_every_row_with_who_reported_it(client, secretariat, reported):
    client.force_login(secretariat)

    page = page_text(client.get(URL))

    assert page.count("<td>Mine</td>") == 2 and "<td>Not mine</td>" in page
    assert 'type="file"' in page


# Large files: a Celery task (in-process here; tests/workspace/test_worker.py runs a real worker) ---------------


def test_a_large_file_is_imported_by_a_task_while_its_page_follows_it(client, secretariat, partners, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, flows_as_csv(GOOD_ROWS))

    assert response.status_code == 302
    job_url = response["Location"]
    assert job_url.startswith("/workspace/mobility/uploads/")
    assert MobilityFlow.objects.count() == 2
    status = client.get(f"{job_url}status/").json()
    assert (status["state"], status["finished"], status["percent"]) == ("done", True, 100)
    assert status["result"]["created"] == 2
    page = client.get(job_url)
    assert "Imported 2 rows from flows.csv: 2 flows created" in page_text(page)


def test_a_large_bad_file_lists_its_problems_on_its_page_and_writes_nothing(client, secretariat, partners, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    client.force_login(secretariat)
    rows = [GOOD_ROWS[0], [2024, "TH", "XX", "physical", "tvet", 10, "", "", "", ""]]

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, flows_as_csv(rows))

    page = client.get(response["Location"])
    assert "Nothing was imported" in page_text(page)
    assert "Line 3, destination: &#x27;XX&#x27; is not an ASEM partner code" in page_text(page)
    assert MobilityFlow.objects.count() == 0


def test_a_queued_uploads_page_shows_a_progress_bar_and_refreshes_itself_without_javascript(
        client, secretariat, partners, settings, django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, flows_as_csv(GOOD_ROWS))

    page = page_text(client.get(response["Location"]))
    assert '<progress id="upload-progress" max="100" value="0"' in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Waiting for a worker to start on the file." in page
    assert MobilityFlow.objects.count() == 0


def test_a_focal_point_cannot_follow_the_secretariats_upload(client, secretariat, bob, partners, settings,
                                                            django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=False):
        job_url = upload(client, flows_as_csv(GOOD_ROWS))["Location"]
    client.force_login(bob)

    assert client.get(job_url).status_code == 404
    assert client.get(f"{job_url}status/").status_code == 404


# The secretariat's upload, in the admin -------------------------------------------------------------------------


def test_the_secretariat_uploads_flows_of_any_partner_in_the_admin(client, secretariat, partners):
    client.force_login(secretariat)
    rows = [[2024, "TH", "JP", "physical", "tvet", 10, "", "", "", ""], [2023, "FR", "JP", "virtual", "staff", 3, 1,
                                                                           0, "", ""]]

    form = client.get("/admin/mobility/mobilityflow/upload/")
    response = client.post("/admin/mobility/mobilityflow/upload/", {"file": SimpleUploadedFile("all.csv",
                                                                                                 flows_as_csv(rows))})

    assert form.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == "/admin/mobility/mobilityflow/"
    assert MobilityFlow.objects.count() == 2
    assert MobilityFlow.objects.get(origin__code="FR").history.get().history_user == secretariat


def test_the_admin_upload_lists_every_problem_and_writes_nothing(client, secretariat, partners):
    client.force_login(secretariat)

    response = client.post("/admin/mobility/mobilityflow/upload/", {"file": SimpleUploadedFile(
        "bad.csv", flows_as_csv([[2024, "TH", "ZZ", "physical", "tvet", 10, "", "", "", ""]]))})

    assert response.status_code == 400
    assert "Line 2, destination: &#x27;ZZ&#x27; is not an ASEM partner code" in page_text(response)
    assert MobilityFlow.objects.count() == 0


def test_the_changelist_links_to_the_upload(client, secretariat, partners):
    client.force_login(secretariat)

    response = client.get("/admin/mobility/mobilityflow/")

    assert 'href="/admin/mobility/mobilityflow/upload/"' in page_text(response)


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_focal_points_and_others_cannot_use_the_admin_upload(client, who, request, partners):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post("/admin/mobility/mobilityflow/upload/", {"file": SimpleUploadedFile(
        "flows.csv", flows_as_csv(GOOD_ROWS))})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert MobilityFlow.objects.count() == 0


# The words a user reads -----------------------------------------------------------------------------------------


def test_one_row_and_one_flow_are_said_in_the_singular(client, secretariat, partners):
    client.force_login(secretariat)

    upload(client, flows_as_csv(GOOD_ROWS[:1]))

    assert "Imported 1 row from flows.csv: 1 flow created, 0 updated, 0 unchanged." in page_text(client.get(URL))


def test_thousands_of_rows_are_said_with_a_separator(partners):
    from mobility.imports import ImportResult

    result = ImportResult(rows=12_000, created=11_000, updated=1_000, unchanged=0, filename="flows.csv")

    assert str(result) == "12,000 rows from flows.csv: 11,000 flows created, 1,000 updated, 0 unchanged"


def test_the_size_limit_is_said_in_whole_megabytes(client, secretariat, partners):
    client.force_login(secretariat)

    page = page_text(client.get(URL))

    assert "At most 20 MB." in page
    assert "20.0 MB" not in page


def test_the_admin_upload_says_its_size_limit_in_whole_megabytes(client, secretariat, partners):
    client.force_login(secretariat)

    page = page_text(client.get("/admin/mobility/mobilityflow/upload/"))

    assert "at most 20 MB." in page


def test_a_large_uploads_page_says_the_files_size_as_people_write_it(client, secretariat, partners, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    client.force_login(secretariat)
    content = flows_as_csv(GOOD_ROWS)
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, content + b"\n" * (2048 - len(content)))

    assert "The file (2 KB) is large" in page_text(client.get(response["Location"]))


@pytest.mark.parametrize(("size", "said"), [(1, "1 byte"), (100, "100 bytes"), (46_000, "45 KB"),
                                            (20 * 1024 * 1024, "20 MB"), (int(1.5 * 1024 * 1024), "1.5 MB")])
def test_sizes_are_said_as_people_write_them(size, said):
    from mobility.imports import file_size

    assert file_size(size) == said
