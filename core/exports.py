"""Writing CSV downloads: a column is a header and a function of one record.

The apps define their columns (mobility/exports.py, the indicator pages);
this module only turns records into safe, streamed CSV, and holds the one
rule that keeps a cell from running as a spreadsheet formula.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse

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


class Echo:
    """A file csv.writer writes to that keeps nothing: each row comes back as text, to stream."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, records: Iterable, columns: list[Column]) -> StreamingHttpResponse:
    """Stream the records as a CSV download, one row at a time."""
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows(records, columns)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
