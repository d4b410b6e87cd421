"""Importing mobility flows from a CSV or XLSX file: the one path that uploads, the API and commands share.

A file is a table with the columns in FLOW_COLUMNS, one flow a row. It is
checked row by row and every problem is collected, with its line number, so
the uploader can fix the whole file in one go. Nothing is written unless the
whole file is valid: it is imported in one transaction.

A row whose unique key (year, origin, destination, mode, level, programme)
already exists replaces that flow's figures: an upload is the partner's
latest word on that year, route, mode, level and programme. A row identical
to the flow already stored is left alone, so uploading the same file twice
changes nothing the second time. Imported flows are real data (is_demo=False)
and carry the uploader in created_by (on an update too: the figures are now
theirs).

Writing does not go through save(): on PostgreSQL the rows are streamed with
COPY into a temporary table and merged with one INSERT ... ON CONFLICT DO
UPDATE; elsewhere they are written with batched bulk_create(update_conflicts).
So no per-flow simple-history records and no post_save signals: the import
itself is recorded instead (an admin LogEntry for the uploader, and a log
line), and core.changes.data_changed() is called once.
"""

import csv
import datetime
import io
import logging
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from mobility.models import MAX_COUNT, DeliveryMode, MobilityFlow, MobilityLevel, Partner
from objectives.models import FIRST_YEAR

logger = logging.getLogger(__name__)

FLOW_COLUMNS = [
    "year", "origin", "destination", "mode", "level",
    "participants", "female", "fewer_opportunities", "programme", "source",
]
REQUIRED_VALUES = ("year", "origin", "destination", "mode", "level", "participants")
UNIQUE_KEY = ("year", "origin", "destination", "mode", "level", "programme")
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DEFAULT_PROGRESS_EVERY = 10_000
MAX_PROGRAMME = MobilityFlow._meta.get_field("programme").max_length
MAX_SOURCE = MobilityFlow._meta.get_field("source").max_length
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

Progress = Callable[[int, int], None]

# The one rule for text, which every form and the API apply to theirs too (Django's and DRF's CharField):
# PostgreSQL cannot store a NUL character.
prohibit_null_characters = ProhibitNullCharactersValidator()


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


# --- The result --------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    format: str = ""
    filename: str = ""
    seconds: float = 0.0
    path: str = field(default="", repr=False)  # which write path ran: "copy" or "bulk_create"

    def __str__(self):
        rows = ngettext("%(count)s row", "%(count)s rows", self.rows) % {"count": f"{self.rows:,}"}
        created = ngettext("%(count)s flow", "%(count)s flows", self.created) % {"count": f"{self.created:,}"}
        return (f"{rows} from {self.filename or 'the file'}: {created} created, {self.updated:,} updated, "
                f"{self.unchanged:,} unchanged")

    def as_dict(self) -> dict:
        return asdict(self)


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


# --- Reading a file into rows ------------------------------------------------------------------------------------


def last_year() -> int:
    """Flows count people who moved: the latest year one can report is this year."""
    return timezone.localdate().year


def max_upload_bytes() -> int:
    return getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _file_error(message: str) -> FlowFileInvalid:
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
    return _file_error(f"The file is {file_size(size)}, more than the {file_size(limit)} an upload may be. "
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
    not_a_table = _file_error(
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
    raise _file_error("The file is not readable text: save it as CSV (UTF-8).")


def _csv_rows(data: bytes) -> tuple[list[str] | None, Iterator[tuple[int, list[Any]]], int]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in much of Europe save "CSV" with semicolons; a header tells which it is.
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _file_error(f"The file is not valid CSV: {exc}.") from None
    # One line a row in all but odd files; only the progress bar relies on this.
    total = max(text.count("\n") + (0 if text.endswith("\n") else 1) - 1, 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = reader.line_num
        try:
            for values in reader:
                yield line + 1, values
                line = reader.line_num
        except csv.Error as exc:
            raise _file_error(f"The file is not valid CSV after line {reader.line_num}: {exc}.") from None

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
        raise _file_error(f"The workbook unpacks to {file_size(unpacked)}, more than the "
                          f"{file_size(XLSX_MAX_UNPACKED_PER_BYTE * limit)} an upload may. Split it into smaller "
                          "files (by year, say), or save it as CSV.")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > XLSX_MAX_RATIO * max(entry.compress_size, 1):
            raise _file_error(f"The workbook's part {excerpt(entry.filename)!r} unpacks to "
                              f"{file_size(entry.file_size)} from {file_size(entry.compress_size)}: no spreadsheet "
                              "packs that tightly. Save it again from your spreadsheet, or as CSV.")


def _unreadable_workbook(exc: Exception) -> FlowFileInvalid:
    return _file_error(f"The file is not a readable XLSX workbook ({excerpt(exc)}). Save it again from your "
                       "spreadsheet as Excel workbook (.xlsx), or as CSV.")


def _bounded_lines(text: str) -> Iterator[str]:
    """The CSV's lines, refusing one too long before the csv module splits it (into millions of cells, say)."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise _file_error(f"Line {number} is {len(line):,} characters long; a row may have at most "
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
    return _file_error(f"The sheet cannot be read {where}: {problem}")


def _xlsx_rows(data: bytes, limit: int) -> tuple[list[str] | None, Iterator[tuple[int, list[Any]]], int]:
    from openpyxl import load_workbook

    _check_archive(data, limit)
    # openpyxl raises whatever its parsers meet in a malformed file (zip, XML, number and date errors, missing
    # parts): each of them is a file that cannot be read, never a server error.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable_workbook(exc) from None
    try:
        # The first sheet holds the flows (the template's second sheet only lists the codes).
        sheet = workbook.worksheets[0]
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


def _check_header(header: list[str] | None) -> dict[str, int]:
    """Where each expected column is; FlowFileInvalid naming the missing, unexpected and repeated ones."""
    names = [str(name).strip().lower() for name in (header or [])]
    while names and names[-1] == "":
        names.pop()  # spreadsheets often carry empty trailing columns
    if not names:
        raise _file_error("The file is empty: it has no header row. The first row must name the columns: "
                          + ", ".join(FLOW_COLUMNS) + ".")
    problems = []
    missing = [name for name in FLOW_COLUMNS if name not in names]
    unexpected = [excerpt(name) or "(a column with no name)"
                  for name in dict.fromkeys(names) if name not in FLOW_COLUMNS]
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
                                        + ". The columns must be: " + ", ".join(FLOW_COLUMNS) + ".")])
    return {name: names.index(name) for name in FLOW_COLUMNS}


# --- Checking rows -----------------------------------------------------------------------------------------------


class ValidRow(NamedTuple):
    """A checked row, ready to write: partner ids instead of codes, blanks as None or ''.

    The unique key comes first, so that `row[:6]` is the key.
    """

    year: int
    origin_id: int
    destination_id: int
    mode: str
    level: str
    programme: str
    participants: int
    female: int | None
    fewer_opportunities: int | None
    source: str
    line: int

    @property
    def key(self) -> tuple:
        return self[:6]


def _choice_lookup(choices) -> dict[str, str]:
    """Accepts the stored value or the label, in any case: 'higher_education' or 'Higher education'."""
    lookup = {}
    for value, label in choices:
        lookup[value] = value
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    return lookup


class RowChecker:
    """Checks rows one at a time, remembering keys to catch a row given twice.

    Rows come as lists of strings in FLOW_COLUMNS order. A quick path takes
    the common, clean row; anything it is unsure of goes to the thorough
    check, which is the one that decides and explains.
    """

    def __init__(self, *, allowed_partner_ids: set[int] | None):
        self.partners = {code: (pk, code) for pk, code in Partner.objects.values_list("pk", "code")}
        self.allowed = None if allowed_partner_ids is None else set(allowed_partner_ids)
        self.allowed_codes = (
            None if self.allowed is None
            else sorted(code for pk, code in self.partners.values() if pk in self.allowed)
        )
        self.modes = _choice_lookup(DeliveryMode.choices)
        self.levels = _choice_lookup(MobilityLevel.choices)
        self.mode_values = ", ".join(DeliveryMode.values)
        self.level_values = ", ".join(MobilityLevel.values)
        self.first_year, self.last_year = FIRST_YEAR, last_year()
        self.seen: dict[tuple, int] = {}

    def check(self, line: int, values: list[str]) -> ValidRow | list[RowError] | None:
        """One row: a ValidRow, its problems, or None for a row of blanks."""
        return next(self.check_all([(line, values)]), None)

    def check_all(self, rows: Iterable[tuple[int, list[str]]]) -> Iterator[ValidRow | list[RowError]]:
        """Each row's ValidRow or problems, skipping rows of blanks.

        This is the loop a million-row upload spends its time in, so the
        quick path is written out here with everything it uses at hand; a
        row it has any doubt about goes to _thorough, which decides.
        """
        partners, modes, levels, allowed = self.partners, self.modes, self.levels, self.allowed
        first_year, last_year, seen, thorough = self.first_year, self.last_year, self.seen, self._thorough
        new = tuple.__new__
        for line, values in rows:
            row = None
            try:
                year, origin, destination, mode, level, participants, female, fewer, programme, source = values
            except ValueError:
                pass  # the caller pads and trims rows to the header's width; a tuple of another width is a bug
            else:
                # Short enough to be a year and a count: int() of thousands of digits raises, and takes time.
                if len(year) == 4 and year.isdigit() and len(participants) < 10 and participants.isdigit():
                    origin, destination = partners.get(origin), partners.get(destination)
                    mode, level = modes.get(mode), levels.get(level)
                    year, participants = int(year), int(participants)
                    female = int(female) if len(female) < 10 and female.isdigit() else (None if female == "" else -1)
                    fewer = int(fewer) if len(fewer) < 10 and fewer.isdigit() else (None if fewer == "" else -1)
                    if (
                        origin is not None and destination is not None and mode is not None and level is not None
                        and first_year <= year <= last_year
                        and origin is not destination
                        and participants <= MAX_COUNT
                        and (female is None or 0 <= female <= participants)
                        and (fewer is None or 0 <= fewer <= participants)
                        and len(programme) <= MAX_PROGRAMME and len(source) <= MAX_SOURCE
                        and programme == programme.strip() and source == source.strip()
                        # prohibit_null_characters' own test, at hand; _thorough asks the validator, and explains
                        and "\x00" not in programme and "\x00" not in source
                        and (allowed is None or origin[0] in allowed or destination[0] in allowed)
                    ):
                        row = new(ValidRow, (year, origin[0], destination[0], mode, level, programme, participants,
                                             female, fewer, source, line))
            if row is None:
                if not any(value.strip() for value in values):
                    continue  # a row of blanks: spreadsheets keep some at the end
                row = thorough(line, values)
                if not isinstance(row, ValidRow):
                    yield row
                    continue
            first = seen.setdefault(row[:6], line)
            if first != line:
                yield [RowError(line, None, f"this row repeats line {first}: the same year, origin, destination, "
                                            "mode, level and programme may appear once in a file.")]
                continue
            yield row

    def _thorough(self, line: int, values: list[str]) -> ValidRow | list[RowError]:
        errors: list[RowError] = []

        def bad(column: str | None, message: str) -> None:
            errors.append(RowError(line, column, message))

        named = dict(zip(FLOW_COLUMNS, values, strict=True))
        for name, value in named.items():
            if len(value) > MAX_CELL_CHARS:
                bad(name, f"the value is {len(value):,} characters long; a cell may hold at most {MAX_CELL_CHARS:,}. "
                          f"It starts {excerpt(value)!r}.")
                named[name] = ""  # said once; checked no further
                continue
            try:
                prohibit_null_characters(value)
            except ValidationError as exc:
                bad(name, " ".join(exc.messages))
                named[name] = ""
        for name in REQUIRED_VALUES:
            if not named[name].strip() and not any(error.column == name for error in errors):
                bad(name, f"{name} is required.")
        year = _whole_number(named["year"], "year", bad)
        if year is not None and not self.first_year <= year <= self.last_year:
            bad("year", f"the year {excerpt(year)} is out of range: use a year from {self.first_year} to "
                        f"{self.last_year}.")
        origin = self._partner(named["origin"], "origin", bad)
        destination = self._partner(named["destination"], "destination", bad)
        if origin and destination:
            if origin[0] == destination[0]:
                bad("destination", f"the origin and the destination are both {origin[1]}: a flow goes from one "
                                   "partner to another.")
            elif self.allowed is not None and origin[0] not in self.allowed and destination[0] not in self.allowed:
                bad(None, f"you may not report the flow {origin[1]} to {destination[1]}: you report for "
                          f"{', '.join(self.allowed_codes) or 'no partner'}, and a flow you upload must start or "
                          "end there.")
        mode = self._choice(named["mode"], "mode", self.modes, self.mode_values, bad)
        level = self._choice(named["level"], "level", self.levels, self.level_values, bad)
        participants = _whole_number(named["participants"], "participants", bad)
        female = _whole_number(named["female"], "female", bad)
        fewer = _whole_number(named["fewer_opportunities"], "fewer_opportunities", bad)
        if participants is not None:
            if female is not None and female > participants:
                bad("female", f"{female} female participants are more than the {participants} participants.")
            if fewer is not None and fewer > participants:
                bad("fewer_opportunities", f"{fewer} participants with fewer opportunities are more than the "
                                           f"{participants} participants.")
        programme, source = named["programme"].strip(), named["source"].strip()
        if len(programme) > MAX_PROGRAMME:
            bad("programme", f"the programme is {len(programme)} characters long; at most {MAX_PROGRAMME}.")
        if len(source) > MAX_SOURCE:
            bad("source", f"the source is {len(source)} characters long; at most {MAX_SOURCE}.")
        if errors:
            return errors
        return ValidRow(year, origin[0], destination[0], mode, level, programme, participants, female, fewer,
                        source, line)

    def _partner(self, value: str, column: str, bad) -> tuple[int, str] | None:
        code = value.strip().upper()
        if not code:
            return None
        partner = self.partners.get(code)
        if partner is None:
            bad(column, f"{excerpt(value.strip())!r} is not an ASEM partner code: use the ISO 3166 alpha-2 code "
                        "(DE, TH, ...), EU or ASEAN.")
        return partner

    @staticmethod
    def _choice(value: str, column: str, lookup: dict[str, str], accepted: str, bad) -> str | None:
        text = value.strip()
        if not text:
            return None
        choice = lookup.get(text) or lookup.get(text.lower())
        if choice is None:
            bad(column, f"{excerpt(text)!r} is not a {column}: use one of {accepted}.")
        return choice




def _whole_number(value: str, column: str, bad) -> int | None:
    """A count or a year: digits, or a number with nothing after the point ('12.0', as spreadsheets write)."""
    text = value.strip()
    if not text:
        return None
    try:
        if text.lstrip("+-").isdigit():
            number = int(text)  # exactly, however long: float() would make hundreds of digits infinite
        else:
            number = float(text)
            if not number.is_integer():
                raise ValueError
            number = int(number)
    except (ValueError, OverflowError):
        bad(column, f"{excerpt(text)!r} is not a whole number.")
        return None
    if number < 0:
        bad(column, f"{excerpt(number)} is negative: counts are 0 or more.")
        return None
    if number > MAX_COUNT and column != "year":  # a year has its own range
        bad(column, f"{excerpt(f'{number:,}')} is too large: a count may be at most {MAX_COUNT:,}.")
        return None
    return number


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: whole numbers without '.0', blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def read_rows(
    *, file: bytes | IO[bytes], filename: str = "", allowed_partner_ids: set[int] | None = None,
    max_bytes: int | None = None,
) -> tuple[str, Iterator[ValidRow | list[RowError]], int]:
    """Open and check a file: its format, an iterator of checked rows (or each bad row's errors) and a row count.

    File-level problems (size, format, an empty file, the header) raise
    FlowFileInvalid at once; row problems come out of the iterator.
    """
    filename = filename or getattr(file, "name", "") or ""
    limit = max_bytes or max_upload_bytes()
    data = _read_bytes(file, limit)
    if not data.strip():
        raise _file_error("The file is empty.")
    kind = sniff_format(data, filename)
    header, raw_rows, total = _csv_rows(data) if kind == "csv" else _xlsx_rows(data, limit)
    positions = _check_header(header)
    order = [positions[name] for name in FLOW_COLUMNS]
    in_order = order == list(range(len(FLOW_COLUMNS)))
    checker = RowChecker(allowed_partner_ids=allowed_partner_ids)
    width = len(FLOW_COLUMNS)
    overflow: list[int] = []

    def fitted() -> Iterator[tuple[int, list[str]]]:
        """Rows cut or padded to the header's width, in FLOW_COLUMNS order; a row that runs over is refused."""
        for line, values in raw_rows:
            if len(values) != width:
                if len(values) > MAX_COLUMNS or (len(values) > width and any(v.strip() for v in values[width:])):
                    overflow.append(line)
                    continue
                values = values[:width] + [""] * (width - len(values))
            if not in_order:
                values = [values[index] for index in order]
            yield line, values

    def rows() -> Iterator[ValidRow | list[RowError]]:
        seen_any = False
        for item in checker.check_all(fitted()):
            while overflow:
                seen_any = True
                yield [RowError(overflow.pop(0), None,
                                f"the row has more values than the {width} columns of the header.")]
            seen_any = True
            yield item
        if overflow:
            seen_any = True
            yield [RowError(line, None, f"the row has more values than the {width} columns of the header.")
                   for line in overflow]
        if not seen_any:
            yield [RowError(None, None, "The file has a header but no rows of flows.")]

    return kind, rows(), total


def check_flows(
    *, file: bytes | IO[bytes], filename: str = "", allowed_partner_ids: set[int] | None = None,
    max_bytes: int | None = None,
) -> list[ValidRow]:
    """Check a whole file without writing anything: the rows, or FlowFileInvalid with every problem."""
    _, rows, _ = read_rows(file=file, filename=filename, allowed_partner_ids=allowed_partner_ids,
                           max_bytes=max_bytes)
    valid, errors = [], []
    for item in rows:
        if isinstance(item, ValidRow):
            valid.append(item)
        else:
            errors.extend(item)
    if errors:
        raise FlowFileInvalid(errors)
    return valid


# --- Writing -----------------------------------------------------------------------------------------------------


@transaction.atomic
def import_flows(
    *,
    file: bytes | IO[bytes],
    user: AbstractBaseUser | None = None,
    filename: str = "",
    allowed_partner_ids: set[int] | None = None,
    progress: Progress | None = None,
    progress_every: int = DEFAULT_PROGRESS_EVERY,
    batch_size: int | None = None,
    max_bytes: int | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of flows, all of it or nothing.

    allowed_partner_ids: the partners the uploader reports for (a row is
    allowed when its origin or destination is one of them); None for the
    secretariat, who may report any flow. progress(done, total) is called
    every progress_every rows and once at the end. max_bytes overrides the
    MAX_UPLOAD_BYTES setting (for the secretariat's own bulk loads). Raises
    FlowFileInvalid, listing every problem with its line, when any row is
    bad; nothing is written then.
    """
    started = time.monotonic()
    kind, rows, total = read_rows(file=file, filename=filename, allowed_partner_ids=allowed_partner_ids,
                                  max_bytes=max_bytes)
    filename = filename or getattr(file, "name", "") or ""
    result = ImportResult(format=kind, filename=PurePath(filename).name if filename else "")
    created_by_id = getattr(user, "pk", None)
    errors: list[RowError] = []

    def checked() -> Iterator[ValidRow]:
        for done, item in enumerate(rows, start=1):
            if progress and done % progress_every == 0:
                progress(done, max(total, done))
            if isinstance(item, ValidRow):
                result.rows += 1
                if not errors:
                    yield item  # once a row is bad nothing more is written; checking goes on
            else:
                errors.extend(item)

    writer = _CopyWriter(created_by_id) if connection.vendor == "postgresql" else _BulkWriter(created_by_id)
    writer.write(checked(), batch_size=batch_size)
    if errors:
        raise FlowFileInvalid(errors)
    result.created, result.updated = writer.finish()
    result.unchanged = result.rows - result.created - result.updated
    result.path = writer.path
    if result.created or result.updated:
        _data_changed()
    _record(result, user)
    result.seconds = round(time.monotonic() - started, 3)
    if progress:
        progress(result.rows, result.rows)
    return result


def _data_changed() -> None:
    """Tell the progress engine and the flow totals their inputs changed: once per import, as no post_save fires."""
    from core.changes import data_changed
    from mobility.totals import flows_changed

    flows_changed()
    data_changed()


def _record(result: ImportResult, user: AbstractBaseUser | None) -> None:
    """Bulk writes bypass the per-flow history, so the import itself is what is recorded: who, when, how many."""
    logger.info("Imported mobility flows by %s: %s", getattr(user, "username", None) or "the system", result)
    if user is None or not getattr(user, "pk", None):
        return
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(MobilityFlow),
        object_id=None,
        object_repr=f"Import of {result.filename or 'a file'}"[:200],
        action_flag=ADDITION,
        change_message=f"Imported {result}.",
    )


_VALUES = ["participants", "female", "fewer_opportunities", "source"]


class _BulkWriter:
    """Any database: existing flows are read per batch, then new and changed rows go through bulk_create."""

    path = "bulk_create"

    def __init__(self, created_by_id: int | None):
        self.created_by_id = created_by_id
        self.created = self.updated = 0

    def write(self, rows: Iterable[ValidRow], *, batch_size: int | None) -> None:
        batch: list[ValidRow] = []
        size = batch_size or 500
        for row in rows:
            batch.append(row)
            if len(batch) >= size:
                self._flush(batch)
                batch = []
        if batch:
            self._flush(batch)

    def _flush(self, batch: list[ValidRow]) -> None:
        existing = {
            (year, origin, destination, mode, level, programme): (participants, female, fewer, source, is_demo)
            for year, origin, destination, mode, level, programme, participants, female, fewer, source, is_demo in (
                MobilityFlow.objects.filter(
                    year__in={r.year for r in batch}, origin_id__in={r.origin_id for r in batch},
                    destination_id__in={r.destination_id for r in batch},
                ).order_by().values_list(
                    "year", "origin_id", "destination_id", "mode", "level", "programme",
                    "participants", "female", "fewer_opportunities", "source", "is_demo",
                )
            )
        }
        flows = []
        for row in batch:
            stored = existing.get(row.key)
            if stored == (row.participants, row.female, row.fewer_opportunities, row.source, False):
                continue
            if stored is None:
                self.created += 1
            else:
                self.updated += 1
            flows.append(MobilityFlow(
                year=row.year, origin_id=row.origin_id, destination_id=row.destination_id, mode=row.mode,
                level=row.level, participants=row.participants, female=row.female,
                fewer_opportunities=row.fewer_opportunities, programme=row.programme, source=row.source,
                is_demo=False, created_by_id=self.created_by_id,
            ))
        if flows:
            MobilityFlow.objects.bulk_create(
                flows, update_conflicts=True, unique_fields=list(UNIQUE_KEY),
                update_fields=[*_VALUES, "is_demo", "created_by", "updated_at"],
            )

    def finish(self) -> tuple[int, int]:
        return self.created, self.updated


NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


class _RowStream(io.TextIOBase):
    """A file-like view of checked rows in COPY's text format, read by psycopg2 as PostgreSQL takes them in.

    Streaming lets Python check the next rows while the server stores the
    previous ones, and keeps memory flat however long the file.
    """

    def __init__(self, rows: Iterable[ValidRow], chunk_rows: int):
        self.rows = iter(rows)
        self.chunk_rows = chunk_rows
        self.buffer = ""
        self.count = 0
        self.texts: dict[str, str] = {}

    def _escaped(self, value: str) -> str:
        text = self.texts.get(value)
        if text is None:
            text = self.texts[value] = _copy_text(value)
        return text

    def _fill(self) -> bool:
        lines = []
        for row in self.rows:
            lines.append(
                f"{row.year}\t{row.origin_id}\t{row.destination_id}\t{row.mode}\t{row.level}\t{row.participants}\t"
                f"{NULL if row.female is None else row.female}\t"
                f"{NULL if row.fewer_opportunities is None else row.fewer_opportunities}\t"
                f"{self._escaped(row.programme)}\t{self._escaped(row.source)}\n"
            )
            if len(lines) >= self.chunk_rows:
                break
        self.count += len(lines)
        self.buffer += "".join(lines)
        return bool(lines)

    def readable(self):
        return True

    def read(self, size: int = -1) -> str:
        while (size < 0 or len(self.buffer) < size) and self._fill():
            pass
        if size < 0:
            out, self.buffer = self.buffer, ""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


class _CopyWriter:
    """PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE into the flows."""

    path = "copy"
    STAGE = "flow_import_stage"

    def __init__(self, created_by_id: int | None):
        self.created_by_id = created_by_id
        self.table = MobilityFlow._meta.db_table
        self.column = {name: MobilityFlow._meta.get_field(name).column for name in
                       ["year", "origin", "destination", "mode", "level", "participants", "female",
                        "fewer_opportunities", "programme", "source", "is_demo", "created_by", "updated_at"]}
        self.constraint = next(c.name for c in MobilityFlow._meta.constraints if getattr(c, "fields", None)
                               and tuple(c.fields) == UNIQUE_KEY)

    def write(self, rows: Iterable[ValidRow], *, batch_size: int | None) -> None:
        with connection.cursor() as cursor:
            # Dropped at commit; dropped first too, in case an earlier import ran in this same transaction.
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.STAGE} (year smallint, origin_id bigint, destination_id bigint, "
                f"mode varchar(10), level varchar(20), participants integer, female integer, "
                f"fewer_opportunities integer, programme varchar({MAX_PROGRAMME}), source varchar({MAX_SOURCE})) "
                "ON COMMIT DROP"
            )
            stream = _RowStream(rows, batch_size or 2000)
            cursor.copy_expert(f"COPY {self.STAGE} FROM STDIN WITH (FORMAT text)", stream, 256 * 1024)

    def finish(self) -> tuple[int, int]:
        c = self.column
        inserted = ", ".join(c[name] for name in [
            "year", "origin", "destination", "mode", "level", "participants", "female", "fewer_opportunities",
            "programme", "source", "is_demo", "created_by", "updated_at"])
        values = [c[name] for name in ["participants", "female", "fewer_opportunities", "source", "is_demo"]]
        updates = ", ".join(f"{col} = EXCLUDED.{col}" for col in [*values, c["created_by"], c["updated_at"]])
        stored = ", ".join(f"flow.{col}" for col in values)
        incoming = ", ".join(f"EXCLUDED.{col}" for col in values)
        # Rows go in key order, so the unique index is walked once instead of at random.
        # Only names from the model's own meta are spliced in; the values are parameters.
        merge = (
            f"WITH written AS ("  # noqa: S608
            f" INSERT INTO {self.table} AS flow ({inserted})"
            f" SELECT year, origin_id, destination_id, mode, level, participants, female, fewer_opportunities,"
            f" programme, source, false, %s, %s FROM {self.STAGE}"
            f" ORDER BY year, origin_id, destination_id, mode, level, programme"
            f" ON CONFLICT ON CONSTRAINT {self.constraint} DO UPDATE SET {updates}"
            f" WHERE ({stored}) IS DISTINCT FROM ({incoming})"
            f" RETURNING (xmax = 0) AS created"
            f") SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written"
        )
        with connection.cursor() as cursor:
            cursor.execute(merge, [self.created_by_id, timezone.now()])
            created, updated = cursor.fetchone()
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}")
        return created, updated


def flows_as_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows in FLOW_COLUMNS order as a CSV file's bytes, with the header: for tests, fixtures and the benchmark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


__all__ = [
    "FLOW_COLUMNS", "FlowFileInvalid", "ImportResult", "RowError", "ValidRow", "check_flows", "flows_as_csv",
    "import_flows", "read_rows", "template_csv", "template_xlsx",
]
