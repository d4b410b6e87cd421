"""The flow file as a file: its columns, its bounds, its template, and reading a CSV or XLSX into rows of text.

Whether the file may be read at all (its size, its format, a workbook that
unpacks to too much) and whether its header names the columns is decided
here, before any row is looked at; what the rows say is checking.py's.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from mobility import exports
from mobility.models import DeliveryMode, MobilityLevel, Partner
from objectives.models import FIRST_YEAR

# The export's flow columns, less those it adds for a reader: a file downloaded and a file uploaded name their
# columns alike, in the same order.
# A file may leave out the optional columns: a row without reported_by is the destination's (the host's) report.
OPTIONAL_COLUMNS = ["reported_by"]
FLOW_COLUMNS = [column.header for column in exports.FLOW_COLUMNS
                if column.header not in exports.FLOW_EXPORT_ONLY and column.header not in OPTIONAL_COLUMNS]
# What a checked row holds, in order: the columns every file has, then the optional ones ("" where a file has none).
ROW_COLUMNS = [*FLOW_COLUMNS, *OPTIONAL_COLUMNS]
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Bounds on what a file may make the server read, checked before reading it: a small XLSX can unpack to gigabytes.
# A sheet of flows unpacks to about 12 times its size (openpyxl's own files; Excel's less), so a real file stays
# well inside both; a zip bomb's entries unpack hundreds or thousands of times theirs.
XLSX_MAX_UNPACKED_PER_BYTE = 16  # the whole archive, unpacked, against the upload limit
XLSX_MAX_RATIO = 100  # any one entry of over a megabyte, unpacked against packed
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit: a sheet claiming more is not a spreadsheet's
MAX_COLUMNS = 64  # read from a sheet, and allowed in a row; the header has 10
MAX_CELL_CHARS = 1000  # the longest value a column takes is the source's 300 characters
MAX_LINE_CHARS = MAX_COLUMNS * MAX_CELL_CHARS  # of a CSV file
EXCERPT_CHARS = 50  # of a bad value, what a message shows

TEMPLATE_ROWS = [
    [2024, "TH", "DE", "physical", "higher_education", 120, 64, 12, "ASEM-DUO Fellowship Programme",
     "National agency statistics 2024"],
    [2024, "DE", "TH", "virtual", "tvet", 45, 20, "", "", "Ministry survey"],
]


# --- Errors ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the file's line (the header is line 1; None for the file as a whole), the column, why."""

    line: int | None
    column: str | None
    message: str

    def __str__(self):
        where = "File" if self.line is None else f"Line {self.line}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


class FlowFileInvalid(Exception):
    """The file cannot be imported; `errors` holds every problem found, in file order."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(self.summary())

    @property
    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]

    @property
    def lines(self) -> list[int]:
        """The lines with at least one problem, each once."""
        return sorted({error.line for error in self.errors if error.line is not None})

    def summary(self) -> str:
        if len(self.errors) == 1:
            return str(self.errors[0])
        rows = len(self.lines)
        head = f"{len(self.errors)} problems" + (f" in {rows} rows" if rows else "")
        return f"{head}; nothing was imported. First: {self.errors[0]}"

    def as_list(self) -> list[dict]:
        return [asdict(error) for error in self.errors]


# --- The template ------------------------------------------------------------------------------------------------


def template_csv() -> bytes:
    """An example file with the expected header and two sample rows, to download and fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FLOW_COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The same template as an Excel workbook, with a second sheet listing the accepted codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "flows"
    sheet.append(FLOW_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in TEMPLATE_ROWS:
        sheet.append([None if value == "" else value for value in row])
    sheet.freeze_panes = "A2"
    codes = workbook.create_sheet("codes")
    codes.append(["column", "accepted values"])
    codes.append(["origin, destination", ", ".join(Partner.objects.order_by("code").values_list("code", flat=True))])
    codes.append(["mode", ", ".join(DeliveryMode.values)])
    codes.append(["level", ", ".join(MobilityLevel.values)])
    codes.append(["year", f"{FIRST_YEAR} to {last_year()}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def flows_as_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows in FLOW_COLUMNS order as a CSV file's bytes, with the header: for tests, fixtures and the benchmark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --- Reading a file into rows ------------------------------------------------------------------------------------


def last_year() -> int:
    """Flows count people who moved: the latest year one can report is this year."""
    return timezone.localdate().year

def max_upload_bytes() -> int:
    return getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def file_error(message: str) -> FlowFileInvalid:
    return FlowFileInvalid([RowError(None, None, message)])


def excerpt(value: Any) -> str:
    """A bad value as a message quotes it: its start only, so that a huge value is never echoed back whole."""
    text = str(value)
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS] + "…"
    return text


def _read_bytes(file: bytes | IO[bytes], limit: int) -> bytes:
    """The file's content, refusing it before reading it all when it is over the limit."""
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise _too_large(size, limit)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> FlowFileInvalid:
    return file_error(f"The file is {file_size(size)}, more than the {file_size(limit)} an upload may be. "
                       "Split it into smaller files (by year, say) and upload each.")


def file_size(size: int) -> str:
    """A size as people write it: '100 bytes', '45 KB', '20 MB', '1.5 MB' (never '20.0 MB')."""
    if size < 1024:
        return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": size}
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def sniff_format(data: bytes, filename: str = "") -> str:
    """'xlsx' or 'csv', from the content (and the name, when it says something else); FlowFileInvalid otherwise."""
    extension = PurePath(filename).suffix.lower() if filename else ""
    not_a_table = file_error(
        "The file is neither CSV nor XLSX. Save it from your spreadsheet as CSV (UTF-8) or Excel workbook (.xlsx), "
        "or start from the template."
    )
    if extension not in {"", ".csv", ".xlsx"}:
        raise not_a_table
    if data.startswith(b"PK\x03\x04"):
        if extension == ".csv":
            raise not_a_table
        return "xlsx"
    if extension == ".xlsx" or b"\x00" in data[:8192]:
        raise not_a_table
    return "csv"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        # Excel on Windows saves "CSV" in the local code page; UTF-8 is tried first and usually right.
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("The file is not readable text: save it as CSV (UTF-8).")


def _csv_rows(data: bytes) -> tuple[list[str] | None, Iterator[tuple[int, list[Any]]], int]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in much of Europe save "CSV" with semicolons; a header tells which it is.
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise file_error(f"The file is not valid CSV: {exc}.") from None
    # One line a row in all but odd files; only the progress bar relies on this.
    total = max(text.count("\n") + (0 if text.endswith("\n") else 1) - 1, 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = reader.line_num
        try:
            for values in reader:
                yield line + 1, values
                line = reader.line_num
        except csv.Error as exc:
            raise file_error(f"The file is not valid CSV after line {reader.line_num}: {exc}.") from None

    return header, rows(), total


def _check_archive(data: bytes, limit: int) -> None:
    """Refuse an XLSX whose entries unpack to too much, from the sizes its zip directory declares.

    Python's zipfile stops an entry at its declared size (and a lie fails the
    entry's CRC), so the declared sizes bound what openpyxl can be made to read.
    """
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _unreadable_workbook(exc) from None
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > XLSX_MAX_UNPACKED_PER_BYTE * limit:
        raise file_error(f"The workbook unpacks to {file_size(unpacked)}, more than the "
                          f"{file_size(XLSX_MAX_UNPACKED_PER_BYTE * limit)} an upload may. Split it into smaller "
                          "files (by year, say), or save it as CSV.")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > XLSX_MAX_RATIO * max(entry.compress_size, 1):
            raise file_error(f"The workbook's part {excerpt(entry.filename)!r} unpacks to "
                              f"{file_size(entry.file_size)} from {file_size(entry.compress_size)}: no spreadsheet "
                              "packs that tightly. Save it again from your spreadsheet, or as CSV.")


def _unreadable_workbook(exc: Exception) -> FlowFileInvalid:
    return file_error(f"The file is not a readable XLSX workbook ({excerpt(exc)}). Save it again from your "
                       "spreadsheet as Excel workbook (.xlsx), or as CSV.")


def _bounded_lines(text: str) -> Iterator[str]:
    """The CSV's lines, refusing one too long before the csv module splits it (into millions of cells, say)."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise file_error(f"Line {number} is {len(line):,} characters long; a row may have at most "
                              f"{MAX_LINE_CHARS:,}. It starts {excerpt(line)!r}.")
        yield line


def _unreadable_sheet(exc: Exception, after: int) -> FlowFileInvalid:
    """A sheet that breaks while it is read: what broke, in words, and after which line it did."""
    where = f"after line {after}" if after else "from its first line"
    if isinstance(exc, ValueError | TypeError | OverflowError):
        problem = (f"a cell holds a value its type does not allow ({excerpt(exc)}), as when a cell marked as a "
                   "number holds text. Type the value again in your spreadsheet and save the file, or save it as CSV.")
    else:
        problem = (f"its XML is broken ({excerpt(exc)}). Save it again from your spreadsheet as Excel workbook "
                   "(.xlsx), or as CSV.")
    return file_error(f"The sheet cannot be read {where}: {problem}")


def _xlsx_rows(
    data: bytes, limit: int, sheet_name: str | None = None,
) -> tuple[list[str] | None, Iterator[tuple[int, list[Any]]], int]:
    from openpyxl import load_workbook

    _check_archive(data, limit)
    # openpyxl raises whatever its parsers meet in a malformed file (zip, XML, number and date errors, missing
    # parts): each of them is a file that cannot be read, never a server error.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable_workbook(exc) from None
    try:
        # The first sheet holds the flows (the template's second sheet only lists the codes); a workbook of several
        # tables, such as a return's, names the one to read, and a sheet it lacks reads as an empty one.
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            workbook.close()
            return None, iter(()), 0
        sheet = workbook.worksheets[0] if sheet_name is None else workbook[sheet_name]
        # The sheet's own dimension, within bounds: a sheet may claim all of Excel's 16,384 columns and a million
        # rows.
        iterator = sheet.iter_rows(values_only=True, max_col=min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS),
                                   max_row=min(sheet.max_row or XLSX_MAX_ROWS, XLSX_MAX_ROWS))
        total = max(min(sheet.max_row or 1, XLSX_MAX_ROWS) - 1, 0)
    except Exception as exc:
        workbook.close()
        raise _unreadable_workbook(exc) from None
    try:
        header = next(iterator, None)
    except Exception as exc:
        workbook.close()
        raise _unreadable_sheet(exc, 0) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = 1
        try:
            while True:
                try:
                    values = next(iterator)
                except StopIteration:
                    return
                except Exception as exc:
                    raise _unreadable_sheet(exc, line) from None
                line += 1
                if values.count(None) == len(values):
                    continue  # a blank row: a sheet can claim a million of them in a few bytes
                yield line, [_cell_text(value) for value in values]
        finally:
            workbook.close()

    if header is None:
        workbook.close()
    return (None if header is None else [_cell_text(v) for v in header]), rows(), total


def column_positions(header: list[str] | None) -> dict[str, int | None]:
    """Where each expected column is (None for an optional one left out); FlowFileInvalid naming the missing,
    unexpected and repeated ones."""
    names = [str(name).strip().lower() for name in (header or [])]
    while names and names[-1] == "":
        names.pop()  # spreadsheets often carry empty trailing columns
    if not names:
        raise file_error("The file is empty: it has no header row. The first row must name the columns: "
                          + ", ".join(FLOW_COLUMNS) + ".")
    problems = []
    missing = [name for name in FLOW_COLUMNS if name not in names]
    unexpected = [excerpt(name) or "(a column with no name)"
                  for name in dict.fromkeys(names) if name not in ROW_COLUMNS]
    repeated = [name for name in dict.fromkeys(names) if name and names.count(name) > 1]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unexpected:
        shown = ", ".join(unexpected[:10]) + (f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else "")
        problems.append(f"unexpected columns: {shown}")
    if repeated:
        problems.append(f"columns given more than once: {', '.join(repeated)}")
    if problems:
        raise FlowFileInvalid([RowError(1, None, "The header is wrong: " + "; ".join(problems)
                                        + ". The columns must be: " + ", ".join(FLOW_COLUMNS)
                                        + (", and optionally " + ", ".join(OPTIONAL_COLUMNS)) + ".")])
    return {name: names.index(name) if name in names else None for name in ROW_COLUMNS}


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: whole numbers without '.0', blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def read_table(
    *, file: bytes | IO[bytes], filename: str = "", max_bytes: int | None = None, sheet: str | None = None,
) -> tuple[str, list[str] | None, Iterator[tuple[int, list[Any]]], int]:
    """A file's format, header, rows of text (each with its line) and a row count; FlowFileInvalid if unreadable.

    A workbook's first sheet is read, or the one named `sheet` (none if it has no such sheet); a CSV is one table.
    """
    filename = filename or getattr(file, "name", "") or ""
    limit = max_bytes or max_upload_bytes()
    data = _read_bytes(file, limit)
    if not data.strip():
        raise file_error("The file is empty.")
    kind = sniff_format(data, filename)
    header, rows, total = _csv_rows(data) if kind == "csv" else _xlsx_rows(data, limit, sheet)
    return kind, header, rows, total
