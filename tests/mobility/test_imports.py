"""The flow import: good files in, every bad row named, the whole file or nothing.

Runs on SQLite (batched bulk_create) and, with DATABASE_URL pointing at
PostgreSQL, on the COPY path; the tests marked PostgreSQL-only skip elsewhere.
"""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from openpyxl import Workbook, load_workbook

from mobility import imports
from mobility.imports import FLOW_COLUMNS, FlowFileInvalid, flows_as_csv, import_flows
from mobility.models import MobilityFlow
from tests import factories
from tests.services import need_postgres

GOOD_ROWS = [
    [2023, "TH", "DE", "physical", "higher_education", 120, 60, 12, "ASEM-DUO", "Agency statistics"],
    [2023, "DE", "TH", "virtual", "tvet", 40, "", "", "", ""],
    [2024, "JP", "FR", "blended", "staff", 7, 7, 0, "ASEM-DUO", "Ministry survey"],
]


@pytest.fixture
def partners(db):
    return {code: factories.partner(code) for code in ["DE", "FR", "TH", "JP", "EU", "ASEAN"]}


def csv_of(rows, header=FLOW_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_of(rows, header=FLOW_COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(file: bytes, **kwargs) -> FlowFileInvalid:
    """Import a bad file: it must fail and leave the flows as they were."""
    before = list(MobilityFlow.objects.order_by("pk").values())
    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=file, **kwargs)
    assert list(MobilityFlow.objects.order_by("pk").values()) == before
    return caught.value


def stored() -> list[tuple]:
    return sorted(MobilityFlow.objects.values_list(
        "year", "origin__code", "destination__code", "mode", "level", "participants", "female",
        "fewer_opportunities", "programme", "source", "is_demo",
    ))


EXPECTED = [
    (2023, "DE", "TH", "virtual", "tvet", 40, None, None, "", "", False),
    (2023, "TH", "DE", "physical", "higher_education", 120, 60, 12, "ASEM-DUO", "Agency statistics", False),
    (2024, "JP", "FR", "blended", "staff", 7, 7, 0, "ASEM-DUO", "Ministry survey", False),
]


# --- Good files ---------------------------------------------------------------------------------------------------


def test_a_good_csv_file_creates_its_flows(partners, secretariat):
    result = import_flows(file=csv_of(GOOD_ROWS), filename="flows.csv", user=secretariat)

    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.format == "csv"
    assert stored() == EXPECTED
    assert set(MobilityFlow.objects.values_list("created_by", flat=True)) == {secretariat.pk}


def test_a_good_xlsx_file_creates_the_same_flows(partners, secretariat):
    result = import_flows(file=xlsx_of(GOOD_ROWS), filename="flows.xlsx", user=secretariat)

    assert (result.rows, result.created, result.format) == (3, 3, "xlsx")
    assert stored() == EXPECTED


def test_an_uploaded_file_object_is_read_like_bytes(partners):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("flows.csv", csv_of(GOOD_ROWS), content_type="text/csv")
    assert import_flows(file=upload).created == 3
    assert import_flows(file=upload).filename == "flows.csv"


def test_whole_numbers_written_as_decimals_are_accepted(partners):
    rows = [[2023, "TH", "DE", "physical", "tvet", "12.0", "6.0", "", "", ""]]
    import_flows(file=csv_of(rows))
    assert MobilityFlow.objects.get().participants == 12


def test_columns_may_come_in_any_order_and_case_with_codes_and_labels_in_any_case(partners):
    header = [name.upper() for name in reversed(FLOW_COLUMNS)]
    rows = [["Survey", "", "", "", "14", "Higher education", "Physical", " de ", "th", "2022"]]
    import_flows(file=csv_of(rows, header=header))
    flow = MobilityFlow.objects.get()
    assert (flow.origin.code, flow.destination.code, flow.mode, flow.level) == ("TH", "DE", "physical",
                                                                                "higher_education")


def test_semicolon_separated_csv_with_a_byte_order_mark_is_read(partners):
    text = ";".join(FLOW_COLUMNS) + "\n2023;TH;DE;physical;tvet;10;5;1;;\n"
    import_flows(file=b"\xef\xbb\xbf" + text.encode())
    assert MobilityFlow.objects.get().participants == 10


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(partners):
    file = csv_of([GOOD_ROWS[0], [], GOOD_ROWS[1], ["", "", ""], [2023, "XX", "DE", "physical", "tvet", 1, 1, 1]])
    error = problems(file)
    assert error.lines == [6]


def test_the_templates_import_as_they_are(partners):
    assert import_flows(file=imports.template_csv(), filename="template.csv").created == 2
    result = import_flows(file=imports.template_xlsx(), filename="template.xlsx")
    assert (result.created, result.unchanged) == (0, 2)


def test_the_xlsx_template_lists_the_accepted_codes(partners):
    workbook = load_workbook(io.BytesIO(imports.template_xlsx()))
    assert [cell.value for cell in workbook["flows"][1]] == FLOW_COLUMNS
    codes = {row[0].value: row[1].value for row in workbook["codes"].iter_rows(min_row=2)}
    assert "ASEAN" in codes["origin, destination"] and "higher_education" in codes["level"]


def test_a_row_for_an_existing_flow_replaces_its_figures(partners, secretariat):
    old = factories.MobilityFlowFactory(
        year=2023, origin=partners["TH"], destination=partners["DE"], mode="physical", level="higher_education",
        programme="ASEM-DUO", participants=5, female=1, fewer_opportunities=None, is_demo=True,
    )
    result = import_flows(file=csv_of(GOOD_ROWS), user=secretariat)

    assert (result.created, result.updated) == (2, 1)
    old.refresh_from_db()
    assert (old.participants, old.female, old.fewer_opportunities, old.is_demo) == (120, 60, 12, False)
    assert old.created_by == secretariat


def test_the_second_upload_of_the_same_file_changes_nothing(partners, secretariat):
    import_flows(file=csv_of(GOOD_ROWS), user=secretariat)
    before = list(MobilityFlow.objects.order_by("pk").values())

    result = import_flows(file=csv_of(GOOD_ROWS), user=secretariat)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(MobilityFlow.objects.order_by("pk").values()) == before


def test_a_changed_figure_updates_only_its_flow(partners):
    import_flows(file=csv_of(GOOD_ROWS))
    changed = [row[:] for row in GOOD_ROWS]
    changed[2][5] = 9
    result = import_flows(file=csv_of(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert MobilityFlow.objects.get(origin__code="JP").participants == 9


def test_the_progress_engine_hears_of_the_import_once(partners, monkeypatch):
    calls = []
    monkeypatch.setattr("core.changes.data_changed", lambda **kwargs: calls.append(kwargs))

    import_flows(file=csv_of(GOOD_ROWS), batch_size=1)
    assert len(calls) == 1
    import_flows(file=csv_of(GOOD_ROWS))
    assert len(calls) == 1, "an upload that changes nothing has nothing to tell"


def test_the_import_is_recorded_for_its_uploader(partners, alice):
    import_flows(file=csv_of(GOOD_ROWS[:2]), filename="germany-2023.csv", user=alice,
                 allowed_partner_ids={partners["DE"].pk})
    entry = LogEntry.objects.get(user=alice)
    assert entry.object_repr == "Import of germany-2023.csv"
    assert "2 rows" in entry.change_message and "2 flows created" in entry.change_message


def test_progress_is_reported_every_n_rows_and_at_the_end(partners):
    rows = [[2023, "TH", "DE", "physical", "tvet", n, "", "", f"P{n}", ""] for n in range(1, 8)]
    calls = []
    import_flows(file=csv_of(rows), progress=lambda done, total: calls.append((done, total)), progress_every=3)
    assert calls == [(3, 7), (6, 7), (7, 7)]


def test_rows_are_written_in_batches_when_asked(partners):
    rows = [[2023, "TH", "DE", "physical", "tvet", n, "", "", f"P{n}", f"tab\there, back\\slash {n}"]
            for n in range(1, 12)]
    result = import_flows(file=csv_of(rows), batch_size=4)
    assert result.created == 11
    assert MobilityFlow.objects.get(programme="P3").source == "tab\there, back\\slash 3"


# --- Bad files: a clear message, and nothing written -------------------------------------------------------------


def row(**changes) -> list:
    values = dict(zip(FLOW_COLUMNS, GOOD_ROWS[0], strict=True))
    values.update(changes)
    return [values[name] for name in FLOW_COLUMNS]


@pytest.mark.parametrize(("bad_row", "column", "message"), [
    (row(origin="XX"), "origin", "'XX' is not an ASEM partner code"),
    (row(destination="Germany"), "destination", "'Germany' is not an ASEM partner code"),
    (row(mode="hybrid"), "mode", "'hybrid' is not a mode: use one of physical, blended, virtual"),
    (row(level="phd"), "level", "'phd' is not a level"),
    (row(year=1980), "year", "the year 1980 is out of range: use a year from 1990 to"),
    (row(year=2099), "year", "the year 2099 is out of range"),
    (row(year="last year"), "year", "'last year' is not a whole number"),
    (row(participants="many"), "participants", "'many' is not a whole number"),
    (row(participants="12.5"), "participants", "'12.5' is not a whole number"),
    (row(participants=-3), "participants", "-3 is negative"),
    (row(female=-1), "female", "-1 is negative"),
    (row(fewer_opportunities="a few"), "fewer_opportunities", "'a few' is not a whole number"),
    (row(female=121), "female", "121 female participants are more than the 120 participants"),
    (row(fewer_opportunities=200), "fewer_opportunities", "200 participants with fewer opportunities are more"),
    (row(destination="TH"), "destination", "the origin and the destination are both TH"),
    (row(origin=""), "origin", "origin is required"),
    (row(participants=""), "participants", "participants is required"),
    (row(programme="x" * 201), "programme", "at most 200"),
    (row(source="x" * 301), "source", "at most 300"),
])
def test_a_bad_row_is_named_with_its_line_column_and_reason(partners, bad_row, column, message):
    error = problems(csv_of([GOOD_ROWS[1], bad_row]))
    assert [(e.line, e.column) for e in error.errors] == [(3, column)]
    assert message in error.errors[0].message
    assert str(error).startswith(f"Line 3, {column}: ")


def test_a_bad_row_in_an_xlsx_file_is_named_by_its_sheet_row(partners):
    error = problems(xlsx_of([GOOD_ROWS[0], row(participants=12.5)]))
    assert error.messages == ["Line 3, participants: '12.5' is not a whole number."]


def test_a_row_given_twice_is_refused_with_both_lines(partners):
    error = problems(csv_of([GOOD_ROWS[0], GOOD_ROWS[1], row(participants=500)]))
    assert error.messages == ["Line 4: this row repeats line 2: the same year, origin, destination, mode, level, "
                              "programme and reporter may appear once in a file."]


def test_a_row_with_more_values_than_columns_is_refused(partners):
    error = problems(csv_of([[*GOOD_ROWS[0], "surprise"]]))
    assert error.messages == ["Line 2: the row has more values than the 10 columns of the header."]


def test_every_bad_row_is_reported_not_just_the_first_and_good_rows_are_not_written(partners):
    rows = [GOOD_ROWS[0], row(origin="XX", programme="a"), GOOD_ROWS[1], row(mode="hybrid", female=500, programme="b"),
            row(year=1800, programme="c"), GOOD_ROWS[2]]
    error = problems(csv_of(rows))

    assert error.lines == [3, 5, 6]
    assert [(e.line, e.column) for e in error.errors] == [(3, "origin"), (5, "mode"), (5, "female"), (6, "year")]
    assert str(error).startswith("4 problems in 3 rows; nothing was imported. First: Line 3, origin:")
    assert error.as_list()[0] == {"line": 3, "column": "origin", "message": error.errors[0].message}
    assert not MobilityFlow.objects.exists()


def test_a_bad_row_after_many_good_ones_still_writes_nothing(partners):
    rows = [[2023, "TH", "DE", "physical", "tvet", n, "", "", f"P{n}", ""] for n in range(1, 30)]
    rows.append(row(origin="XX"))
    error = problems(csv_of(rows), batch_size=5)
    assert error.lines == [31]
    assert not MobilityFlow.objects.exists()


@pytest.mark.parametrize(("header", "message"), [
    (FLOW_COLUMNS[:-2], "missing columns: programme, source"),
    ([*FLOW_COLUMNS, "notes"], "unexpected columns: notes"),
    (["yr", *FLOW_COLUMNS[1:]], "missing columns: year; unexpected columns: yr"),
    ([*FLOW_COLUMNS, "year"], "columns given more than once: year"),
])
def test_wrong_columns_are_named(partners, header, message):
    error = problems(csv_of([], header=header) + b"2023,TH,DE\n")
    assert error.messages == [f"Line 1: The header is wrong: {message}. The columns must be: "
                              + ", ".join(FLOW_COLUMNS) + ", and optionally reported_by."]


def test_wrong_columns_in_an_xlsx_file_are_named(partners):
    error = problems(xlsx_of([GOOD_ROWS[0][:8]], header=FLOW_COLUMNS[:8]))
    assert "missing columns: programme, source" in error.messages[0]


@pytest.mark.parametrize(("file", "message"), [
    (b"", "The file is empty."),
    (b"  \n\n", "The file is empty."),
    (",".join(FLOW_COLUMNS).encode() + b"\n", "The file has a header but no rows of flows."),
    (",".join(FLOW_COLUMNS).encode() + b"\n,,,,,,,,,\n\n", "The file has a header but no rows of flows."),
])
def test_an_empty_file_is_refused(partners, file, message):
    assert problems(file).messages == [f"File: {message}"]


def test_an_empty_workbook_is_refused(partners):
    out = io.BytesIO()
    Workbook().save(out)
    assert "no header row" in problems(out.getvalue()).messages[0]


@pytest.mark.parametrize(("file", "filename"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "chart.png"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ""),
    (b"%PDF-1.7 year,origin", "flows.pdf"),
    (csv_of(GOOD_ROWS), "flows.xls"),
    (csv_of(GOOD_ROWS), "flows.xlsx"),
])
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(partners, file, filename):
    assert "neither CSV nor XLSX" in problems(file, filename=filename).messages[0]


def test_a_zip_that_is_not_a_workbook_is_refused(partners):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("flows.csv", csv_of(GOOD_ROWS))
    assert "not a readable XLSX workbook" in problems(out.getvalue(), filename="flows.xlsx").messages[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(partners, settings):
    settings.MAX_UPLOAD_BYTES = 100

    class Upload(io.BytesIO):
        size = 5 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("an oversized upload must be refused on its size alone")

    assert problems(Upload(), filename="big.csv").messages == [
        "File: The file is 5 MB, more than the 100 bytes an upload may be. Split it into smaller files "
        "(by year, say) and upload each."
    ]
    assert "more than the" in problems(csv_of(GOOD_ROWS)).messages[0]


def test_the_size_limit_defaults_to_ten_megabytes(settings):
    del settings.MAX_UPLOAD_BYTES
    assert imports.max_upload_bytes() == 10 * 1024 * 1024


# --- Who may report what ------------------------------------------------------------------------------------------


def test_a_focal_point_may_upload_flows_that_start_or_end_at_their_partner(partners, alice):
    rows = [row(origin="TH", destination="DE"), row(origin="DE", destination="FR")]
    result = import_flows(file=csv_of(rows), user=alice, allowed_partner_ids={partners["DE"].pk})
    assert result.created == 2


def test_a_focal_point_may_not_upload_other_partners_flows(partners, alice):
    rows = [row(origin="TH", destination="DE"), row(origin="TH", destination="JP"), row(origin="FR", destination="EU")]
    error = problems(csv_of(rows), user=alice, allowed_partner_ids={partners["DE"].pk})
    assert error.messages == [
        "Line 3: you may not report the flow TH to JP: you report for DE, and a flow you upload must start or end "
        "there.",
        "Line 4: you may not report the flow FR to EU: you report for DE, and a flow you upload must start or end "
        "there.",
    ]


def test_a_user_reporting_for_no_partner_may_upload_nothing(partners):
    error = problems(csv_of(GOOD_ROWS[:1]), allowed_partner_ids=set())
    assert "you report for no partner" in error.messages[0]


def test_the_secretariat_may_upload_any_flow(partners, secretariat):
    assert import_flows(file=csv_of(GOOD_ROWS), user=secretariat, allowed_partner_ids=None).created == 3


# --- Who reported each row ---------------------------------------------------------------------------------------


def reporters() -> list[tuple]:
    return sorted(MobilityFlow.objects.values_list("origin__code", "destination__code", "reported_by__code",
                                                   "participants", "is_public"))


def test_a_row_without_a_reporter_is_the_destinations(partners):
    import_flows(file=csv_of(GOOD_ROWS))

    assert reporters() == [("DE", "TH", "TH", 40, True), ("JP", "FR", "FR", 7, True), ("TH", "DE", "DE", 120, True)]


def test_both_ends_may_report_a_route_in_the_reported_by_column_and_the_hosts_figure_is_public(partners):
    header = [*FLOW_COLUMNS, "reported_by"]
    rows = [[*GOOD_ROWS[0], "DE"], [*GOOD_ROWS[0][:5], 100, "", "", "ASEM-DUO", "Ministry", "th"],
            [*GOOD_ROWS[1], ""]]

    for file in (csv_of(rows, header=header), xlsx_of(rows, header=header)):
        MobilityFlow.objects.all().delete()
        result = import_flows(file=file)

        assert result.created == 3
        assert reporters() == [("DE", "TH", "TH", 40, True), ("TH", "DE", "DE", 120, True),
                               ("TH", "DE", "TH", 100, False)]


def test_an_upload_replaces_only_its_reporters_row(partners):
    host = factories.MobilityFlowFactory(year=2023, origin=partners["TH"], destination=partners["DE"],
                                         programme="ASEM-DUO", participants=120)
    header = [*FLOW_COLUMNS, "reported_by"]

    import_flows(file=csv_of([[*GOOD_ROWS[0][:5], 90, "", "", "ASEM-DUO", "", "TH"]], header=header))
    import_flows(file=csv_of([[*GOOD_ROWS[0][:5], 95, "", "", "ASEM-DUO", "", "TH"]], header=header))

    host.refresh_from_db()
    assert (host.participants, host.is_public) == (120, True)
    assert reporters() == [("TH", "DE", "DE", 120, True), ("TH", "DE", "TH", 95, False)]


def test_a_reporter_at_neither_end_is_refused(partners):
    header = [*FLOW_COLUMNS, "reported_by"]
    error = problems(csv_of([[*GOOD_ROWS[0], "JP"], [*GOOD_ROWS[1], "XX"]], header=header))

    assert error.messages == [
        "Line 2, reported_by: JP is neither the origin (TH) nor the destination (DE): a flow is reported by one of "
        "its ends.",
        "Line 3, reported_by: 'XX' is not an ASEM partner code: use the ISO 3166 alpha-2 code (DE, TH, ...), EU or "
        "ASEAN.",
    ]


def test_the_reported_by_column_may_come_anywhere(partners):
    header = ["reported_by", *reversed(FLOW_COLUMNS)]
    import_flows(file=csv_of([["TH", *reversed(GOOD_ROWS[0])]], header=header))

    assert reporters() == [("TH", "DE", "TH", 120, True)]


# --- The two write paths ------------------------------------------------------------------------------------------


def test_the_write_path_follows_the_database(partners):
    result = import_flows(file=csv_of(GOOD_ROWS))
    assert result.path == ("copy" if connection.vendor == "postgresql" else "bulk_create")


def test_on_postgresql_the_import_is_a_fixed_number_of_queries_whatever_its_size(
    partners, secretariat, django_assert_num_queries
):
    need_postgres()
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(MobilityFlow)  # cached per process once read
    many = [[2023, "TH", "DE", "physical", "tvet", n, "", "", f"P{n}", ""] for n in range(1, 501)]
    # Expect 10 queries for new flows: the savepoint, the savepoint of the straight way, the partners, the COPY into
    # the flows, its savepoint's release, the host rule's two UPDATEs, marking the kept flow totals stale, the log
    # entry, and the savepoint's release
    for rows in (GOOD_ROWS, many):
        with django_assert_num_queries(10):
            import_flows(file=csv_of(rows), user=secretariat)
    # Expect 17 once they are stored: the straight way's COPY stops at the first stored key, rolled back to its
    # savepoint and released; then the partners again, drop and create the stage, COPY into it, the merge, drop it
    changed = [[*row[:5], row[5] + 1, *row[6:]] for row in many]
    with django_assert_num_queries(17):
        import_flows(file=csv_of(changed), user=secretariat)


def test_on_postgresql_text_is_escaped_for_copy(partners):
    need_postgres()
    awkward = "back\\slash, tab\there, new\nline, carriage\rreturn, \\N and Ünïcödé"
    import_flows(file=csv_of([row(source=awkward, programme="\\N")]))
    flow = MobilityFlow.objects.get()
    assert (flow.source, flow.programme) == (awkward, "\\N")


def test_flows_as_csv_writes_a_file_the_import_reads(partners):
    assert import_flows(file=flows_as_csv(GOOD_ROWS)).created == 3
