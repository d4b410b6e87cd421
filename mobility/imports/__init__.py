"""Importing mobility flows from a CSV or XLSX file: the one path that uploads, the API and commands share.

A file is a table with the columns in FLOW_COLUMNS, and optionally
reported_by (the end of the route that reported the row: the origin or the
destination, which it is when left out), one flow a row. It is
checked row by row and every problem is collected, with its line number, so
the uploader can fix the whole file in one go. Nothing is written unless the
whole file is valid: it is imported in one transaction.

A row whose unique key (year, origin, destination, mode, level, programme,
reported_by) already exists replaces that flow's figures: an upload is the
reporter's latest word on that year, route, mode, level and programme; the
other end's report of it is a row of its own, left alone. A row identical
to the flow already stored is left alone, so uploading the same file twice
changes nothing the second time. Imported flows are real data (is_demo=False)
and carry the uploader in created_by (on an update too: the figures are now
theirs).

Writing does not go through save(): on PostgreSQL the rows are streamed with
COPY straight into the flows table while Python checks the next ones, as
long as every key is new (a year's first upload); PostgreSQL checks each row
once there, by its keys, checks and foreign keys, as it would any COPY. The
first key already stored rolls that back to a savepoint, and the file is
streamed again into a temporary table and merged with one INSERT ... ON
CONFLICT DO UPDATE. Either way only a ROW EXCLUSIVE lock is taken on the
flows, so readers never wait. Elsewhere rows are written with batched
bulk_create(update_conflicts).
So no per-flow simple-history records and no post_save signals: the import
itself is recorded instead (an admin LogEntry for the uploader, and a log
line), and core.changes.data_changed() is called once. Which of two ends'
rows is public is settled once too, for the file's years, by two UPDATEs.

The seams are the modules: reading.py (the file as a file: size, format,
header, its rows as text), checking.py (each row against the rules, every
problem in words), writing.py (all or nothing, and the record of it) with
its two writers, copy_writer.py for PostgreSQL and bulk_writer.py for any
database. Callers import from the package, which names what they use.
"""

from mobility.imports.checking import ValidRow, read_rows
from mobility.imports.reading import (
    FLOW_COLUMNS,
    OPTIONAL_COLUMNS,
    XLSX_CONTENT_TYPE,
    FlowFileInvalid,
    RowError,
    excerpt,
    file_size,
    flows_as_csv,
    max_upload_bytes,
    template_csv,
    template_xlsx,
)
from mobility.imports.writing import DEFAULT_PROGRESS_EVERY, ImportResult, import_flows

__all__ = [
    "DEFAULT_PROGRESS_EVERY", "FLOW_COLUMNS", "OPTIONAL_COLUMNS", "XLSX_CONTENT_TYPE", "FlowFileInvalid",
    "ImportResult", "RowError", "ValidRow", "excerpt", "file_size", "flows_as_csv", "import_flows",
    "max_upload_bytes", "read_rows", "template_csv", "template_xlsx",
]
