"""A return as a file: the pre-filled workbook (or the CSV of its values) to download, and the filled one read back.

The workbook has an About sheet (whose return, at which version, how to fill
it in), then Values (one row for each of the round's indicators and years),
Flows (the return's mobility flows, in a flow upload's columns) and Answers
(the round's questions). A CSV holds one table: it is the Values sheet alone.

Reading a filled file checks every cell against the round and the rules a
partner's value and flow must meet, and names each problem by its sheet, row
and column, so the whole file can be fixed in one go. It writes nothing: the
caller saves what it read with reporting.services.save_return, whole or
nothing, and the version the file was made from keeps it from overwriting a
later save.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from core import licence
from core.exports import FORMULA_START, cell, defused, is_licence_line, licence_line
from mobility.imports.checking import RowChecker, ValidRow
from mobility.imports.reading import FLOW_COLUMNS, XLSX_CONTENT_TYPE, FlowFileInvalid, excerpt, read_table
from mobility.models import DeliveryMode, MobilityLevel
from objectives.services import check_partner_value
from reporting.models import Answer, Return, ReturnValue

ABOUT, VALUES, FLOWS, ANSWERS = "About", "Values", "Flows", "Answers"
VALUE_COLUMNS = ["indicator", "indicator name", "unit", "year", "value", "note"]
# A flow upload's columns, in its order: rows copied from a flow file fit the Flows sheet as they are.
FLOW_FILE_COLUMNS = FLOW_COLUMNS
ANSWER_COLUMNS = ["number", "question", "required", "answer"]
# What a sheet must name to be read; the others are there for the reader and may be left out.
REQUIRED_COLUMNS = {
    VALUES: ("indicator", "year", "value"), FLOWS: tuple(FLOW_FILE_COLUMNS), ANSWERS: ("number", "answer"),
}
KNOWN_COLUMNS = {VALUES: VALUE_COLUMNS, FLOWS: FLOW_FILE_COLUMNS, ANSWERS: ANSWER_COLUMNS}
MAX_NOTE = ReturnValue._meta.get_field("note").max_length
MAX_ANSWER = Answer._meta.get_field("text").max_length
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
prohibit_null_characters = ProhibitNullCharactersValidator()


# --- Problems ----------------------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """A 0-based column as a spreadsheet names it: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class CellProblem:
    """One problem, where it is: the sheet (None in a CSV), the row, the column (0-based) and its name, and why."""

    sheet: str | None
    row: int | None
    column: int | None
    name: str | None
    message: str

    def __str__(self):
        where = [f"{self.sheet} sheet"] if self.sheet else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {column_letter(self.column)}" + (f" ({self.name})" if self.name else ""))
        elif self.name:
            where.append(f"column {self.name}")
        if not where:
            return self.message
        text = ", ".join(where)
        return f"{text[0].upper()}{text[1:]}: {self.message}"


class TemplateInvalid(Exception):
    """The file cannot be saved as it is: `problems` holds every problem found, sheet by sheet, in row order."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems; nothing was saved. First: {problems[0]}")

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


# --- Building the file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What a return holds now, in the order its file lists it."""

    report: Return
    value_rows: list[list[Any]]
    flow_rows: list[list[Any]]
    answer_rows: list[list[Any]]


def _as_number(value: float | None) -> float | int | None:
    """A value as a cell holds it: 12 rather than 12.0, so a count reads as one."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def content(report: Return) -> Content:
    round_ = report.round
    values = {(value.indicator_id, value.year): value for value in report.values.all()}
    value_rows = [
        [indicator.code, indicator.name, indicator.unit, year,
         _as_number(values[indicator.pk, year].value) if (indicator.pk, year) in values else None,
         values[indicator.pk, year].note if (indicator.pk, year) in values else ""]
        for indicator in round_.indicators.order_by("code") for year in round_.years
    ]
    flow_rows = [
        [flow.year, flow.origin.code, flow.destination.code, flow.mode, flow.level, flow.participants, flow.female,
         flow.fewer_opportunities, flow.programme, flow.source]
        for flow in report.flows.select_related("origin", "destination")
    ] if round_.includes_flows else []
    answers = {answer.question_id: answer.text for answer in report.answers.all()}
    answer_rows = [[question.number, question.text, "yes" if question.required else "no", answers.get(question.pk, "")]
                   for question in round_.questions.all()]
    return Content(report, value_rows, flow_rows, answer_rows)


def file_name(report: Return, fmt: str) -> str:
    return f"return-{report.partner.code}-{report.round.slug}-v{report.version}.{fmt}"


def _about_rows(report: Return) -> list[list[Any]]:
    round_, partner = report.round, report.partner
    years = f"{round_.first_year} to {round_.last_year}"
    rows = [
        [f"{partner.name}'s return to {round_.name}"],
        ["partner", partner.code, partner.name],
        ["round", round_.slug, round_.name],
        ["years", years],
        ["deadline", round_.deadline.isoformat()],
        ["version", report.version, "The version of the return this file was made from: leave it as it is."],
        [],
        ["How to fill it in"],
        ["Values", f"One row for each indicator and year from {years}: type the value in column E. Leave a "
                   "value empty to report none. Percentages go from 0 to 100; counts are whole numbers, 0 or more. "
                   "Column F shows a value's note, if it has one, for reading: a note typed there is not saved."],
    ]
    if round_.includes_flows:
        rows += [
            ["Flows", f"One mobility flow a row, for a year from {years}, from or to {partner.name} "
                      f"({partner.code}). These rows become the return's flows: a row you delete is no longer "
                      "reported."],
            ["mode", ", ".join(DeliveryMode.values)],
            ["level", ", ".join(MobilityLevel.values)],
            ["origin, destination", "Partner codes: ISO 3166 alpha-2 (DE, TH, ...), EU or ASEAN."],
        ]
    rows += [
        ["Answers", "Write each answer in column D, next to its question."],
        ["Upload", "Upload the whole workbook on the return's page. Every cell is checked: if any is wrong, nothing "
                   "is saved and you get the list of what to fix, by sheet, row and column. If the return was saved "
                   "since this file was made, the upload is refused and you are shown what changed."],
    ]
    current = licence.current()
    return [*rows, [], ["licence", current.name, current.url], ["cite as", current.citation]]


def build_xlsx(report: Return) -> bytes:
    """The return's workbook: About, Values, Flows (when the round asks for them) and Answers, pre-filled."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    filled = content(report)
    bold = Font(bold=True)
    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT
    for row in _about_rows(report):
        about.append([defused(value) for value in row])
    about["A1"].font = Font(bold=True, size=13)
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 60
    for (cell_,) in about.iter_rows(min_row=2, max_col=1):
        cell_.font = bold
    for row in about.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell_ in row:
            cell_.alignment = Alignment(wrap_text=True, vertical="top")
    tables = [(VALUES, VALUE_COLUMNS, filled.value_rows, {"B": 50, "F": 40})]
    if report.round.includes_flows:
        tables.append((FLOWS, FLOW_FILE_COLUMNS, filled.flow_rows, {"I": 40, "J": 40}))
    tables.append((ANSWERS, ANSWER_COLUMNS, filled.answer_rows, {"B": 50, "D": 80}))
    for title, columns, rows, widths in tables:
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for cell_ in sheet[1]:
            cell_.font = bold
        for row in rows:
            sheet.append([defused(value) for value in row])
        sheet.freeze_panes = "A2"
        for column, width in widths.items():
            sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_csv(report: Return) -> bytes:
    """The return's values as a CSV: the Values sheet alone, since a CSV holds one table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(VALUE_COLUMNS)
    writer.writerows([cell(value) for value in row] for row in content(report).value_rows)
    out.write(licence_line())
    return out.getvalue().encode("utf-8")


CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE}
BUILDERS = {"xlsx": build_xlsx, "csv": build_csv}


# --- Reading a filled file ---------------------------------------------------------------------------------------


@dataclass
class FilledReturn:
    """What a filled file says, ready for save_return, with the row each part came from to place later problems.

    values: {(indicator code, year): value or None to clear}; answers: {question number: text} (None without an
    Answers sheet); flows: the return's flows as rows (None without a Flows sheet); version: the one it was made
    from (None if neither the file nor the form said).
    """

    format: str
    values: dict[tuple[str, int], float | None] = field(default_factory=dict)
    notes: dict[tuple[str, int], str] = field(default_factory=dict)
    # A return keeps notes its values came with, but saves no new ones: a changed note is said to be left out.
    notes_left_out: int = 0
    answers: dict[int, str] | None = None
    flows: list[dict] | None = None
    version: int | None = None
    value_rows: dict[tuple[str, int], int] = field(default_factory=dict)
    answer_rows: dict[int, int] = field(default_factory=dict)
    flow_rows: list[int] = field(default_factory=list)
    version_cell: tuple[str, int, int] | None = None

    @property
    def sheet(self) -> str | None:
        """The Values table's sheet name, as a problem names it: a CSV has none."""
        return VALUES if self.format == "xlsx" else None

    def counts(self) -> tuple[int, int, int]:
        """How many values, flows and answers the file gives (blanks not counted)."""
        return (sum(value is not None for value in self.values.values()), len(self.flows or ()),
                sum(bool(text) for text in (self.answers or {}).values()))

    def locate(self, errors: dict[str, list[str]]) -> list[CellProblem]:
        """A ReturnInvalid's errors ("<code>/<year>", "answer/<n>", "flow/<i>/<field>", ...) placed in the file."""
        problems = []
        for key, messages in errors.items():
            where = self._where(key)
            problems += [CellProblem(*where, message) for message in messages]
        return problems

    def _where(self, key: str) -> tuple[str | None, int | None, int | None, str | None]:
        parts = key.split("/")
        if parts[0] == "answer" and len(parts) == 2 and parts[1].isdigit():
            row = self.answer_rows.get(int(parts[1]))
            return (ANSWERS, row, ANSWER_COLUMNS.index("answer"), "answer") if row else (None, None, None, None)
        if parts[0] == "flow" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(self.flow_rows):
            name = parts[2] if len(parts) > 2 and parts[2] in FLOW_FILE_COLUMNS else None
            return (FLOWS, self.flow_rows[int(parts[1])],
                    FLOW_FILE_COLUMNS.index(name) if name else None, name)
        if parts[0] == "version" and self.version_cell:
            sheet, row, column = self.version_cell
            return sheet, row, column, "version"
        if len(parts) in (2, 3) and parts[1].isdigit() and (parts[0], int(parts[1])) in self.value_rows:
            column = parts[2] if len(parts) == 3 and parts[2] in VALUE_COLUMNS else "value"
            return self.sheet, self.value_rows[parts[0], int(parts[1])], VALUE_COLUMNS.index(column), column
        return None, None, None, None


def read_filled(*, report: Return, file: bytes | IO[bytes], filename: str = "",
                version: int | str | None = None) -> FilledReturn:
    """The return's values, flows, answers and version as the file gives them; TemplateInvalid listing every problem.

    `version` is the form's: a workbook's About sheet says which version it was made from, and that one counts.
    """
    try:
        return _Reader(report, file, filename).read(form_version=version)
    except FlowFileInvalid as exc:
        raise TemplateInvalid([CellProblem(None, error.line, None, error.column, error.message)
                               for error in exc.errors]) from None


def _undefused(text: str) -> str:
    """A text cell as it was before the template quoted it to keep a spreadsheet from running it."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _whole(text: str) -> int | None:
    """A year, count or number as digits, or as a spreadsheet writes a whole number ('2024.0'); None otherwise."""
    text = text.strip()
    if len(text) > 20:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def _number(text: str) -> float | None:
    """A value as a partner types it: '12', '12.5', or '12,5' as much of Europe writes it; None if not a number."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if len(text) > 50:
        return None
    if DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


class _Reader:
    def __init__(self, report: Return, file, filename: str):
        self.report, self.round, self.file, self.filename = report, report.round, file, filename
        self.problems: list[CellProblem] = []

    def read(self, *, form_version) -> FilledReturn:
        kind, header, rows, _total = read_table(file=self.file, filename=self.filename, sheet=VALUES)
        filled = FilledReturn(format=kind)
        sheets_read = 0
        if header is not None or kind == "csv":
            sheets_read += 1
            self._values(filled, header, rows)
        if kind == "xlsx":
            sheets_read += self._about(filled)
            sheets_read += self._flows(filled)
            sheets_read += self._answers(filled)
            if not sheets_read:
                self.problems.append(CellProblem(None, None, None, None, (
                    "The workbook has none of a return's sheets (Values, Flows, Answers). Download the return's "
                    "template, fill it in and upload that.")))
        if filled.version is None and filled.version_cell is None:
            filled.version = self._form_version(form_version)
        if self.problems and filled.version is not None and filled.version != self.report.version:
            self._stale(filled)
        if self.problems:
            raise TemplateInvalid(self.problems)
        return filled

    # The sheets' headers and cells

    def _positions(self, sheet: str, header: list[str] | None, place: str | None) -> dict[str, int] | None:
        """Where each known column is, or None after saying what is wrong with the header."""
        names = [str(name).strip().lower() for name in header or []]
        while names and names[-1] == "":
            names.pop()
        where = f"the {sheet} sheet" if place else "the file"
        if not names:
            self.problems.append(CellProblem(place, None, None, None, (
                f"{where[0].upper()}{where[1:]} is empty: its first row must name the columns: "
                + ", ".join(KNOWN_COLUMNS[sheet]) + ".")))
            return None
        ok = True
        for index, name in enumerate(names):
            if name not in KNOWN_COLUMNS[sheet]:
                ok = False
                message = (f"{excerpt(name)!r} is not a column of {where}: its columns are "
                           + ", ".join(KNOWN_COLUMNS[sheet]) + ".") if name else (
                    "a column with no name: name it, or delete it if it is empty.")
                self.problems.append(CellProblem(place, 1, index, None, message))
            elif names.index(name) != index:
                ok = False
                self.problems.append(CellProblem(place, 1, index, name, f"the column {name} is given twice."))
        missing = [name for name in REQUIRED_COLUMNS[sheet] if name not in names]
        if missing:
            ok = False
            self.problems.append(CellProblem(place, 1, None, None, (
                f"{where} lacks the columns {', '.join(missing)}. Its first row must name "
                "the columns: " + ", ".join(KNOWN_COLUMNS[sheet]) + ".")))
        return {name: names.index(name) for name in KNOWN_COLUMNS[sheet] if name in names} if ok else None

    @staticmethod
    def _cells(values: list[Any], positions: dict[str, int]) -> dict[str, str]:
        return {name: (str(values[index]) if index < len(values) else "") for name, index in positions.items()}

    def _text(self, place, line, positions, name, text: str, limit: int) -> str:
        """A free text cell, stripped and unquoted; a problem if it is too long or holds a NUL."""
        text = _undefused(text.strip())
        bad = False
        if len(text) > limit:
            self._bad(place, line, positions, name, f"the text is {len(text):,} characters long; at most {limit:,}.")
            bad = True
        try:
            prohibit_null_characters(text)
        except ValidationError as exc:
            self._bad(place, line, positions, name, " ".join(exc.messages))
            bad = True
        return "" if bad else text

    def _bad(self, place, line, positions, name, message) -> None:
        self.problems.append(CellProblem(place, line, positions.get(name), name, message))

    # The Values sheet, or the CSV

    def _values(self, filled: FilledReturn, header, rows: Iterator[tuple[int, list[Any]]]) -> None:
        place = filled.sheet
        positions = self._positions(VALUES, header, place)
        if positions is None:
            return
        indicators = {indicator.code: indicator for indicator in self.round.indicators.all()}
        notes = {(code, year): note for code, year, note in
                 self.report.values.exclude(note="").values_list("indicator__code", "year", "note")}
        by_lower = {code.lower(): indicator for code, indicator in indicators.items()}
        years = self.round.years
        for line, values in rows:
            cells = self._cells(values, positions)
            # The licence line a downloaded CSV ends with is the file's, not a value.
            if not any(text.strip() for text in cells.values()) or is_licence_line(values):
                continue
            code = cells["indicator"].strip()
            indicator = indicators.get(code) or by_lower.get(code.lower())
            if not code:
                self._bad(place, line, positions, "indicator", "the indicator's code is missing.")
            elif indicator is None:
                self._bad(place, line, positions, "indicator", (
                    f"{excerpt(code)!r} is not an indicator of {self.round.name}: use one of "
                    + ", ".join(sorted(indicators)) + "."))
            year = _whole(cells["year"])
            if not cells["year"].strip():
                self._bad(place, line, positions, "year", "the year is missing.")
                year = None
            elif year is None:
                self._bad(place, line, positions, "year", f"{excerpt(cells['year'].strip())!r} is not a year.")
            elif year not in years:
                self._bad(place, line, positions, "year", (
                    f"{year} is outside {self.round.name}'s years: use a year from {years.start} to "
                    f"{years.stop - 1}."))
                year = None
            value = None
            if cells["value"].strip():
                value = _number(cells["value"])
                if value is None:
                    self._bad(place, line, positions, "value", (
                        f"{excerpt(cells['value'].strip())!r} is not a number: type the value in digits, such as "
                        "1250 or 42.5."))
                elif indicator is not None and year is not None:
                    for message in check_partner_value(indicator=indicator, year=year, value=value):
                        self._bad(place, line, positions, "value", _sentence(message))
            note = self._text(place, line, positions, "note", cells.get("note", ""), MAX_NOTE)
            if indicator is None or year is None:
                continue
            key = (indicator.code, year)
            if key in filled.value_rows:
                self._bad(place, line, positions, "indicator", (
                    f"this row repeats row {filled.value_rows[key]}: {indicator.code} has one value for {year}."))
                continue
            filled.value_rows[key] = line
            filled.values[key] = value
            filled.notes[key] = note
            if note != notes.get(key, ""):
                filled.notes_left_out += 1

    # The workbook's other sheets

    def _sheet(self, name: str):
        _kind, header, rows, _total = read_table(file=self.file, filename=self.filename, sheet=name)
        return header, rows

    def _about(self, filled: FilledReturn) -> int:
        header, rows = self._sheet(ABOUT)
        if header is None:
            return 0
        partner, round_ = self.report.partner, self.round
        for line, values in [(1, header), *rows]:
            key = str(values[0]).strip().lower() if values else ""
            given = str(values[1]).strip() if len(values) > 1 else ""
            if key == "partner" and given.upper() != partner.code:
                self.problems.append(CellProblem(ABOUT, line, 1, "partner", (
                    f"this file is the return of {excerpt(given)!r}, not of {partner.name} ({partner.code}): "
                    f"download {partner.name}'s own template from its return's page.")))
            elif key == "round" and given != round_.slug:
                self.problems.append(CellProblem(ABOUT, line, 1, "round", (
                    f"this file is for the round {excerpt(given)!r}, not {round_.name} ({round_.slug}): download "
                    "this round's template from the return's page.")))
            elif key == "version":
                filled.version_cell = (ABOUT, line, 1)
                filled.version = _whole(given)
                if filled.version is None:
                    self.problems.append(CellProblem(ABOUT, line, 1, "version", (
                        f"{excerpt(given)!r} is not a version: put back the number the file was downloaded with, "
                        "or download the template again.")))
        return 1

    def _flows(self, filled: FilledReturn) -> int:
        header, rows = self._sheet(FLOWS)
        if header is None:
            return 0
        positions = self._positions(FLOWS, header, FLOWS)
        if positions is None:
            return 1
        partner, years = self.report.partner, self.round.years
        checker = RowChecker(allowed_partner_ids={partner.pk})
        codes = {pk: code for pk, code in checker.partners.values()}
        flows: list[dict] = []

        def in_order() -> Iterator[tuple[int, list[str]]]:
            for line, values in rows:
                cells = self._cells(values, positions)
                for name in ("programme", "source"):
                    cells[name] = _undefused(cells[name].strip())
                yield line, [cells[name] for name in FLOW_COLUMNS]

        for row in checker.check_all(in_order()):
            if not isinstance(row, ValidRow):
                self.problems += [CellProblem(FLOWS, error.line, positions.get(error.column), error.column,
                                              error.message) for error in row]
                continue
            if not self.round.includes_flows:
                self.problems.append(CellProblem(FLOWS, row.line, None, None, (
                    f"{self.round.name} does not ask for mobility flows: leave the Flows sheet empty.")))
                continue
            if row.year not in years:
                self._bad(FLOWS, row.line, positions, "year", (
                    f"{row.year} is outside {self.round.name}'s years: a flow in this return is for a year from "
                    f"{years.start} to {years.stop - 1}."))
                continue
            filled.flow_rows.append(row.line)
            flows.append({
                "year": row.year, "origin": codes[row.origin_id], "destination": codes[row.destination_id],
                "mode": row.mode, "level": row.level, "programme": row.programme,
                "participants": row.participants, "female": row.female,
                "fewer_opportunities": row.fewer_opportunities, "source": row.source,
            })
        filled.flows = flows
        return 1

    def _answers(self, filled: FilledReturn) -> int:
        header, rows = self._sheet(ANSWERS)
        if header is None:
            return 0
        positions = self._positions(ANSWERS, header, ANSWERS)
        if positions is None:
            return 1
        numbers = set(self.round.questions.values_list("number", flat=True))
        answers: dict[int, str] = {}
        for line, values in rows:
            cells = self._cells(values, positions)
            if not any(text.strip() for text in cells.values()):
                continue
            text = self._text(ANSWERS, line, positions, "answer", cells["answer"], MAX_ANSWER)
            number = _whole(cells["number"])
            if number is None or number not in numbers:
                given = excerpt(cells["number"].strip()) or "(empty)"
                self._bad(ANSWERS, line, positions, "number", (
                    f"{given!r} is not the number of one of {self.round.name}'s questions: use "
                    + (", ".join(str(n) for n in sorted(numbers)) or "none: the round asks no questions") + "."))
                continue
            if number in filled.answer_rows:
                self._bad(ANSWERS, line, positions, "number", (
                    f"this row repeats row {filled.answer_rows[number]}: question {number} has one answer."))
                continue
            filled.answer_rows[number] = line
            answers[number] = text
        filled.answers = answers
        return 1

    # The version

    def _form_version(self, given) -> int | None:
        if given is None or str(given).strip() == "":
            self.problems.append(CellProblem(None, None, None, None, (
                "The form did not say which version of the return the file was made from: reload the return's "
                "page and upload the file again.")))
            return None
        version = _whole(str(given))
        if version is None:
            self.problems.append(CellProblem(None, None, None, None, (
                f"{excerpt(given)!r} is not a version of the return: reload the return's page and upload the file "
                "again.")))
        return version

    def _stale(self, filled: FilledReturn) -> None:
        sheet, row, column = filled.version_cell or (None, None, None)
        self.problems.append(CellProblem(sheet, row, column, "version" if column is not None else None, (
            f"the file was made from version {filled.version} of the return, which has been saved since (it is at "
            f"version {self.report.version}): download the template again and copy your changes into it.")))


def _sentence(message: str) -> str:
    """A service's message as the second half of a problem's line: 'Row 7, column E (value): the count ...'."""
    message = str(message)
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message


