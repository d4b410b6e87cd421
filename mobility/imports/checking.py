"""Checking a flow file's rows against the model's rules, and saying what is wrong with each in words.

Rows come from reading.py as text in ROW_COLUMNS order. Each becomes a
ValidRow, ready to write, or the list of its problems with the line they are
on, so the uploader can fix the whole file in one go.
"""

from collections.abc import Iterable, Iterator
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from mobility.imports.reading import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    ROW_COLUMNS,
    RowError,
    column_positions,
    excerpt,
    last_year,
    read_table,
)
from mobility.models import MAX_COUNT, DeliveryMode, MobilityFlow, MobilityLevel, Partner
from objectives.models import FIRST_YEAR

REQUIRED_VALUES = ("year", "origin", "destination", "mode", "level", "participants")
# Both ends may report a route: each one's row is its own, so the reporter is part of what makes a row unique.
UNIQUE_KEY = ("year", "origin", "destination", "mode", "level", "programme", "reported_by")
MAX_PROGRAMME = MobilityFlow._meta.get_field("programme").max_length
MAX_SOURCE = MobilityFlow._meta.get_field("source").max_length

# The one rule for text, which every form and the API apply to theirs too (Django's and DRF's CharField):
# PostgreSQL cannot store a NUL character.
prohibit_null_characters = ProhibitNullCharactersValidator()


class ValidRow(NamedTuple):
    """A checked row, ready to write: partner ids instead of codes, blanks as None or ''.

    The unique key comes first, so that `row[:7]` is the key.
    """

    year: int
    origin_id: int
    destination_id: int
    mode: str
    level: str
    programme: str
    reported_by_id: int
    participants: int
    female: int | None
    fewer_opportunities: int | None
    source: str
    line: int

    @property
    def key(self) -> tuple:
        return self[:7]


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

    Rows come as lists of strings in FLOW_COLUMNS order, with reported_by after them or not (a row without it is the
    destination's). A quick path takes
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
                year, origin, destination, mode, level, participants, female, fewer, programme, source, *reporter \
                    = values
            except ValueError:
                pass  # the caller pads and trims rows to the header's width; a tuple of another width is a bug
            else:
                reporter = reporter[0] if reporter else ""
                # Short enough to be a year and a count: int() of thousands of digits raises, and takes time.
                # _digits' test, written out: a call for each cell of a million rows is time too.
                if (len(year) == 4 and year.isdigit() and year.isascii() and len(participants) < 10
                        and participants.isdigit() and participants.isascii()):
                    origin, destination = partners.get(origin), partners.get(destination)
                    mode, level = modes.get(mode), levels.get(level)
                    year, participants = int(year), int(participants)
                    female = (None if female == "" else int(female)
                              if len(female) < 10 and female.isdigit() and female.isascii() else -1)
                    fewer = (None if fewer == "" else int(fewer)
                             if len(fewer) < 10 and fewer.isdigit() and fewer.isascii() else -1)
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
                        and (reporter == "" or reporter == origin[1] or reporter == destination[1])
                    ):
                        reporter = origin[0] if reporter and reporter == origin[1] else destination[0]
                        row = new(ValidRow, (year, origin[0], destination[0], mode, level, programme, reporter,
                                             participants, female, fewer, source, line))
            if row is None:
                if not any(value.strip() for value in values):
                    continue  # a row of blanks: spreadsheets keep some at the end
                row = thorough(line, values)
                if not isinstance(row, ValidRow):
                    yield row
                    continue
            first = seen.setdefault(row[:7], line)
            if first != line:
                yield [RowError(line, None, f"this row repeats line {first}: the same year, origin, destination, "
                                            "mode, level, programme and reporter may appear once in a file.")]
                continue
            yield row

    def _thorough(self, line: int, values: list[str]) -> ValidRow | list[RowError]:
        errors: list[RowError] = []

        def bad(column: str | None, message: str) -> None:
            errors.append(RowError(line, column, message))

        named = dict(zip(ROW_COLUMNS, [*values, *[""] * (len(ROW_COLUMNS) - len(values))], strict=True))
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
        reporter = self._partner(named["reported_by"], "reported_by", bad) if named["reported_by"].strip() else None
        if reporter and origin and destination and reporter not in (origin, destination):
            bad("reported_by", f"{reporter[1]} is neither the origin ({origin[1]}) nor the destination "
                               f"({destination[1]}): a flow is reported by one of its ends.")
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
        return ValidRow(year, origin[0], destination[0], mode, level, programme, (reporter or destination)[0],
                        participants, female, fewer, source, line)

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


def _digits(text: str) -> bool:
    """ASCII digits only: "²" and other scripts' digits pass str.isdigit() and make int() raise."""
    return text.isascii() and text.isdigit()


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


def read_rows(
    *, file: bytes | IO[bytes], filename: str = "", allowed_partner_ids: set[int] | None = None,
    max_bytes: int | None = None,
) -> tuple[str, Iterator[ValidRow | list[RowError]], int]:
    """Open and check a file: its format, an iterator of checked rows (or each bad row's errors) and a row count.

    File-level problems (size, format, an empty file, the header) raise
    FlowFileInvalid at once; row problems come out of the iterator.
    """
    kind, header, raw_rows, total = read_table(file=file, filename=filename, max_bytes=max_bytes)
    positions = column_positions(header)
    # Where each of ROW_COLUMNS is in the file's rows; an optional column the file leaves out reads as "".
    width = sum(position is not None for position in positions.values())
    order = [width if position is None else position for position in positions.values()]
    in_order = order == list(range(len(ROW_COLUMNS)))
    checker = RowChecker(allowed_partner_ids=allowed_partner_ids)
    overflow: list[int] = []

    def fitted() -> Iterator[tuple[int, list[str]]]:
        """Rows cut or padded to the header's width, in ROW_COLUMNS order; a row that runs over is refused."""
        for line, values in raw_rows:
            if len(values) != width:
                if len(values) > MAX_COLUMNS or (len(values) > width and any(v.strip() for v in values[width:])):
                    overflow.append(line)
                    continue
                values = values[:width] + [""] * (width - len(values))
            if not in_order:
                values = [*values, ""]  # where a column the file leaves out is read from
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
