"""What a file may make the import read, and what its messages may echo back: bounded before it is read.

A crafted workbook of a few kilobytes can unpack to gigabytes, and a cell can hold megabytes; neither reaches
openpyxl, a message or the database.
"""

import io
import zipfile

import pytest

from mobility import imports
from mobility.imports import FLOW_COLUMNS, FlowFileInvalid, flows_as_csv, import_flows
from mobility.models import MobilityFlow
from tests import factories
from tests.spreadsheets import SHEET, rewritten, with_huge_header_cell, xlsx_of

ROW = [2024, "TH", "DE", "physical", "tvet", 10, "", "", "", ""]


@pytest.fixture
def partners(db):
    return {code: factories.partner(code) for code in ["DE", "TH"]}


def problems(file: bytes, filename: str = "flows.csv") -> FlowFileInvalid:
    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=file, filename=filename)
    assert MobilityFlow.objects.count() == 0
    return caught.value


def test_a_workbook_that_unpacks_a_thousand_times_its_size_is_refused_before_openpyxl_opens_it(partners,
                                                                                                monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("a zip bomb must be refused on its directory alone")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    bomb = with_huge_header_cell(20)
    assert len(bomb) < 100_000

    [message] = problems(bomb, "flows.xlsx").messages

    assert message.startswith("File: The workbook's part 'xl/worksheets/sheet1.xml' unpacks to 20 MB from ")
    assert message.endswith("no spreadsheet packs that tightly. Save it again from your spreadsheet, or as CSV.")


def test_a_workbook_that_unpacks_to_more_than_sixteen_times_the_upload_limit_is_refused(partners, settings):
    settings.MAX_UPLOAD_BYTES = 50 * 1024
    out = io.BytesIO(xlsx_of([ROW]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b" " * (1024 * 1024 - 1))  # under the megabyte the ratio is asked of

    [message] = problems(out.getvalue(), "flows.xlsx").messages

    assert message.startswith("File: The workbook unpacks to 1 MB, more than the 800 KB an upload may. Split it ")


def test_a_long_header_cell_is_quoted_by_its_start_only(partners):
    [message] = problems(flows_as_csv([ROW]).replace(b"year", b"y" * 10_000, 1)).messages

    assert f"unexpected columns: {'y' * 50}…" in message
    assert len(message) < 400


def test_a_long_header_cell_in_a_workbook_is_quoted_by_its_start_only(partners):
    workbook = rewritten(xlsx_of([ROW]), SHEET, lambda xml: xml.replace(b"<t>year</t>", b"<t>" + b"y" * 200_000
                                                                       + b"</t>", 1))

    [message] = problems(workbook, "flows.xlsx").messages

    assert f"unexpected columns: {'y' * 50}…" in message
    assert len(message) < 400


@pytest.mark.parametrize("column", ["origin", "mode", "participants", "source"])
def test_a_cell_over_a_thousand_characters_is_refused_with_its_start_only(partners, column):
    row = dict(zip(FLOW_COLUMNS, ROW, strict=True)) | {column: "9" * 50_000}

    [message] = problems(flows_as_csv([list(row.values())])).messages

    assert message == (f"Line 2, {column}: the value is 50,000 characters long; a cell may hold at most 1,000. "
                       f"It starts '{'9' * 50}…'.")


def test_a_csv_line_too_long_for_any_row_is_refused_before_it_is_split(partners):
    content = flows_as_csv([ROW]) + b"," * 100_000 + b"\n"

    [message] = problems(content).messages

    assert message == ("File: Line 3 is 100,001 characters long; a row may have at most 64,000. "
                       f"It starts '{',' * 50}…'.")


def test_a_row_with_more_values_than_any_sheet_needs_is_refused(partners):
    content = flows_as_csv([ROW]) + b"," * 100 + b"\n"

    assert problems(content).messages == ["Line 3: the row has more values than the 10 columns of the header."]


def test_a_sheet_that_claims_a_million_blank_rows_is_read_quickly(partners):
    workbook = rewritten(xlsx_of([ROW]), SHEET, lambda xml: xml.replace(
        b'<dimension ref="A1:J2"', b'<dimension ref="A1:XFD1048576"').replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'))

    result = import_flows(file=workbook, filename="flows.xlsx")

    assert (result.rows, result.created) == (1, 1)


def test_an_excerpt_is_the_value_when_short_and_its_start_when_long():
    assert imports.excerpt("TH") == "TH"
    assert imports.excerpt("x" * 51) == "x" * 50 + "…"


# --- Malformed workbooks: a clear refusal, never a server error ----------------------------------------------------


def test_a_workbook_whose_parts_are_broken_is_refused_as_unreadable(partners):
    workbook = rewritten(xlsx_of([ROW]), "xl/workbook.xml", lambda xml: xml[:40])

    [message] = problems(workbook, "flows.xlsx").messages

    assert message.startswith("File: The file is not a readable XLSX workbook (")
    assert message.endswith("Save it again from your spreadsheet as Excel workbook (.xlsx), or as CSV.")


def test_a_workbook_with_no_sheet_is_refused_as_unreadable(partners):
    workbook = rewritten(xlsx_of([ROW]), "xl/workbook.xml", lambda xml: xml.replace(
        xml[xml.index(b"<sheets>"):xml.index(b"</sheets>") + 9], b"<sheets/>"))

    assert problems(workbook, "flows.xlsx").messages[0].startswith("File: The file is not a readable XLSX workbook")


def test_a_sheet_whose_xml_is_broken_is_refused_saying_so(partners):
    workbook = rewritten(xlsx_of([ROW, ROW]), SHEET, lambda xml: xml.replace(b'<row r="3"', b'<row r="3"<<'))

    [message] = problems(workbook, "flows.xlsx").messages

    assert message.startswith("File: The sheet cannot be read after line 2: its XML is broken (")
    assert message.endswith("Save it again from your spreadsheet as Excel workbook (.xlsx), or as CSV.")


def test_a_sheet_cut_short_is_refused_from_its_first_line(partners):
    workbook = rewritten(xlsx_of([ROW]), SHEET, lambda xml: xml[:len(xml) // 3])

    [message] = problems(workbook, "flows.xlsx").messages

    assert message.startswith("File: The sheet cannot be read from its first line: its XML is broken (")


@pytest.mark.parametrize("text", [b"ten", b"9" * 5000])
def test_text_in_a_number_cell_is_refused_naming_the_line_and_the_problem(partners, text):
    workbook = rewritten(xlsx_of([ROW, ROW]), SHEET, lambda xml: xml.replace(b"<v>10</v>", b"<v>" + text + b"</v>", 1))

    [message] = problems(workbook, "flows.xlsx").messages

    assert message.startswith("File: The sheet cannot be read after line 1: a cell holds a value its type does not "
                              "allow (")
    assert "as when a cell marked as a number holds text" in message
    assert len(message) < 400


@pytest.mark.parametrize(("column", "value", "message"), [
    ("participants", "9" * 900, f"{'999,' * 12}99… is too large: a count may be at most 10,000,000."),
    ("participants", "-" + "9" * 900, f"-{'9' * 49}… is negative: counts are 0 or more."),
    ("year", "9" * 900, f"the year {'9' * 50}… is out of range: use a year from"),
])
def test_a_number_hundreds_of_digits_long_is_quoted_by_its_start_only(partners, column, value, message):
    row = dict(zip(FLOW_COLUMNS, ROW, strict=True)) | {column: value}

    [error] = problems(flows_as_csv([list(row.values())])).messages

    assert error.startswith(f"Line 2, {column}: {message}")
    assert len(error) < 200
