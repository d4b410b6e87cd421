"""Lists as CSV: one row per result, nested fields as dotted columns, lists joined with semicolons.

Small lists are rendered whole (CSVRenderer); a full export is streamed a chunk of rows at a time (csv_lines).
Either ends with the licence line (core.exports.licence_line).
"""

import csv
import itertools
import json
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from rest_framework import renderers, serializers
from rest_framework.utils.encoders import JSONEncoder

from core.exports import Echo, defused, licence_line


class CSVRenderer(renderers.BaseRenderer):
    """A list as CSV: one row per result, nested fields as dotted columns, lists joined with semicolons."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        view = renderer_context.get("view")
        declared = view.csv_columns() if view is not None and hasattr(view, "csv_columns") else []
        response = renderer_context.get("response")
        if response is not None and view is not None:
            response["Content-Disposition"] = csv_disposition(view)
        return b"".join(csv_lines([data or []], declared, self.charset))


def csv_disposition(view) -> str:
    return f'attachment; filename="{getattr(view, "csv_filename", None) or "export"}.csv"'


def csv_lines(chunks: Iterable[list[dict]], declared: list[str], charset: str = "utf-8", *,
              with_licence: bool = True) -> Iterator[bytes]:
    """Chunks of serialized rows as CSV: the header (from the first chunk's nested fields), then each chunk, then
    the licence line unless told not to."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    columns = None
    for chunk in chunks:
        rows = [_flat_row(row) for row in chunk]
        if columns is None:
            columns = _columns(declared, rows)
            yield writer.writerow(columns).encode(charset)
        yield "".join(writer.writerow([_csv_cell(row.get(column)) for column in columns]) for row in rows) \
            .encode(charset)
    if columns is None:
        yield writer.writerow(_columns(declared, [])).encode(charset)
    if with_licence:
        yield licence_line().encode(charset)


def in_chunks(records, size: int) -> Iterator[list]:
    """A queryset read size rows at a time (its prefetches too), so an export of any length holds one chunk."""
    records = records.iterator(chunk_size=size) if isinstance(records, QuerySet) else iter(records)
    while chunk := list(itertools.islice(records, size)):
        yield chunk


def _columns(declared: list[str], rows: list[dict]) -> list[str]:
    """The declared columns, each object-valued one replaced by the dotted columns the rows give it."""
    found = list(dict.fromkeys(key for row in rows for key in row))
    columns = []
    for column in declared:
        nested = [key for key in found if key.startswith(f"{column}.")]
        columns += nested or [column]
    return columns + [key for key in found if key not in columns]


def _flat_row(row, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(_flat_row(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_csv_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, cls=JSONEncoder, sort_keys=True)
    return defused(value) if isinstance(value, str) else str(value)


def serializer_columns(serializer, prefix: str = "") -> list[str]:
    """The CSV columns of a serializer's fields, nested serializers flattened with dotted names."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += serializer_columns(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns
