"""Writing CSV downloads: a column is a header and a function of one record.

The apps define their columns (mobility/exports.py, the indicator pages);
this module only turns records into safe CSV, streamed or whole, and holds
the one rule that keeps a cell from running as a spreadsheet formula.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from core import licence

# The first character of the line that ends every CSV download: tools that skip comment lines (pandas' comment="#",
# R's comment.char) read the data without it.
LICENCE_MARK = "#"

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def defused(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, quoted so it stays text; any other value as it is.

    The one rule for every file a spreadsheet may open: the API's CSV, the pages' CSV, the report's CSV and XLSX.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A value as a CSV cell: empty for None, text defused if a spreadsheet would run it."""
    return "" if value is None else defused(value)


def rows(records: Iterable, columns: list[Column]) -> Iterator[list]:
    yield [column.header for column in columns]
    for record in records:
        yield [cell(column.value(record)) for column in columns]


def licence_line(line_end: str = "\r\n") -> str:
    """The last line of a CSV file: the licence, its address and how to cite, as a comment on one line.

    Written as it is, not as a CSV row, so that it starts with the mark even where the citation has a comma; the
    mark keeps any cell-reading program from taking it as a formula.
    """
    return f"{LICENCE_MARK} {' '.join(licence.current().line().split())}{line_end}"


def is_licence_line(cells: list) -> bool:
    """Whether a row read back from a CSV file is the licence line this module writes (for files uploaded back)."""
    return bool(cells) and str(cells[0]).startswith(f"{LICENCE_MARK} Licence:")


class Echo:
    """A file csv.writer writes to that keeps nothing: each row comes back as text, to stream."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, records: Iterable, columns: list[Column], *, with_licence: bool = True,
                 whole: bool = False) -> HttpResponse | StreamingHttpResponse:
    """The records as a CSV download, and the licence line last unless told not to (a machine package that
    declares its licence elsewhere keeps its files to the data).

    Streamed one row at a time, unless whole: a table bounded by the partners, indicators and years, not by the
    data's growth (a partner's values, an objective's partners), is sent in one piece, so the whole-response cache
    can keep it as it keeps the page it downloads from. A table that grows with the data (every flow, every
    activity) always streams."""
    writer = csv.writer(Echo())
    lines = _with_licence((writer.writerow(row) for row in rows(records, columns)), with_licence)
    content_type = "text/csv; charset=utf-8"
    response = HttpResponse("".join(lines), content_type=content_type) if whole else StreamingHttpResponse(
        lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_licence(lines: Iterator[str], with_licence: bool) -> Iterator[str]:
    yield from lines
    if with_licence:
        yield licence_line()
