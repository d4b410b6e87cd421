"""The PostgreSQL writer: the rows streamed with COPY, straight into the flows when none of their keys is stored yet,
else into a temporary table and merged in one statement."""

import io
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from mobility.imports.checking import MAX_PROGRAMME, MAX_SOURCE, UNIQUE_KEY, ValidRow
from mobility.models import MobilityFlow

NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
UNIQUE_VIOLATION = "23505"
# What a row of the file holds, in the order the stream writes it.
ROW_FIELDS = ["year", "origin", "destination", "mode", "level", "reported_by", "participants", "female",
              "fewer_opportunities", "programme", "source"]
# What the import sets on every row it writes, after the file's own columns.
STAMP_FIELDS = ["is_public", "is_demo", "created_by", "updated_at"]


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


class _Escaped(dict):
    """Text as COPY reads it, each once: most rows repeat a programme and a source seen before."""

    def __missing__(self, value: str) -> str:
        text = self[value] = _copy_text(value)
        return text


class KeyTaken(Exception):
    """A row's key is already stored: the file cannot go straight into the flows, and is merged instead."""


class _RowStream(io.TextIOBase):
    """A file-like view of checked rows in COPY's text format, read by psycopg2 as PostgreSQL takes them in.

    Streaming lets Python check the next rows while the server stores the
    previous ones, and keeps memory flat however long the file. `tail` ends
    every line: the columns the import sets alike on every row, if any.
    """

    def __init__(self, rows: Iterable[ValidRow], chunk_rows: int, tail: str = "\n", limit: int | None = None):
        self.rows = iter(rows)
        self.chunk_rows = chunk_rows
        self.limit = limit  # rows at most, after which the stream ends; the rest stay in `rows` for the next
        self.tail = tail
        self.buffer = ""
        self.count = 0
        self.texts = _Escaped()
        # What reading the file raised: psycopg2 turns it into a cancelled COPY, which says nothing of the file.
        self.failure: Exception | None = None

    def _fill(self) -> bool:
        lines = []
        append, texts, tail = lines.append, self.texts, self.tail
        chunk_rows = self.chunk_rows if self.limit is None else min(self.chunk_rows, self.limit - self.count)
        if chunk_rows <= 0:
            return False
        for year, origin, destination, mode, level, programme, reporter, participants, female, fewer, source, _ \
                in self.rows:
            append(f"{year}\t{origin}\t{destination}\t{mode}\t{level}\t{reporter}\t{participants}\t"
                   f"{NULL if female is None else female}\t{NULL if fewer is None else fewer}\t"
                   f"{texts[programme]}\t{texts[source]}{tail}")
            if len(lines) >= chunk_rows:
                break
        self.count += len(lines)
        self.buffer += "".join(lines)
        return bool(lines)

    def readable(self):
        return True

    def read(self, size: int = -1) -> str:
        try:
            while (size < 0 or len(self.buffer) < size) and self._fill():
                pass
        except Exception as exc:
            self.failure = exc
            raise
        if size < 0:
            out, self.buffer = self.buffer, ""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


class CopyWriter:
    """PostgreSQL: COPY into the flows themselves (direct), or into a temporary table then one INSERT ... ON CONFLICT
    DO UPDATE into the flows (merge).

    The direct way is what PostgreSQL's own floor is: one COPY into the table, each row checked once by its keys,
    checks and foreign keys, while Python checks the next rows. It holds only for rows whose keys are all new; the
    first stored key it meets raises KeyTaken (the unique key says so, in the COPY), and the caller, having rolled
    back to its savepoint, writes the file again the merging way.
    """

    path = "copy"
    STAGE = "flow_import_stage"
    SEGMENT_ROWS = 50_000

    def __init__(self, created_by_id: int | None, *, direct: bool = False):
        self.created_by_id = created_by_id
        self.direct = direct
        self.created = 0
        self.now = timezone.now()
        self.table = MobilityFlow._meta.db_table
        self.column = {name: MobilityFlow._meta.get_field(name).column for name in [*ROW_FIELDS, *STAMP_FIELDS]}
        self.constraint = next(c.name for c in MobilityFlow._meta.constraints if getattr(c, "fields", None)
                               and tuple(c.fields) == UNIQUE_KEY)

    def write(self, rows: Iterable[ValidRow], *, batch_size: int | None) -> None:
        with connection.cursor() as cursor:
            if self.direct:
                columns = ", ".join(self.column[name] for name in [*ROW_FIELDS, *STAMP_FIELDS])
                created_by = NULL if self.created_by_id is None else self.created_by_id
                tail = f"\tt\tf\t{created_by}\t{self.now.isoformat()}\n"
                rows = iter(rows)
                # A COPY says what went wrong only once it ends: in segments, a stored key stops the file within
                # SEGMENT_ROWS of it, not after the whole file was checked and sent for nothing.
                while True:
                    stream = _RowStream(rows, batch_size or 2000, tail, limit=self.SEGMENT_ROWS)
                    self._copy(cursor, f"COPY {self.table} ({columns}) FROM STDIN WITH (FORMAT text)", stream)
                    self.created += stream.count
                    if stream.count < self.SEGMENT_ROWS:
                        return
            # Dropped at commit; dropped first too, in case an earlier import ran in this same transaction.
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.STAGE} (year smallint, origin_id bigint, destination_id bigint, "
                f"mode varchar(10), level varchar(20), reported_by_id bigint, participants integer, female integer, "
                f"fewer_opportunities integer, programme varchar({MAX_PROGRAMME}), source varchar({MAX_SOURCE})) "
                "ON COMMIT DROP"
            )
            self._copy(cursor, f"COPY {self.STAGE} FROM STDIN WITH (FORMAT text)", _RowStream(rows, batch_size or 2000))

    def _copy(self, cursor, sql: str, stream: _RowStream) -> None:
        try:
            cursor.copy_expert(sql, stream, 256 * 1024)
        except Exception as exc:
            # A file found bad while it streamed is the uploader's mistake, not a database that failed.
            if stream.failure is not None:
                raise stream.failure from None
            # psycopg2's own error, or Django's IntegrityError around it.
            error = exc if hasattr(exc, "pgcode") else exc.__cause__
            if (self.direct and getattr(error, "pgcode", None) == UNIQUE_VIOLATION
                    and getattr(getattr(error, "diag", None), "constraint_name", None) == self.constraint):
                raise KeyTaken from exc
            raise

    def finish(self) -> tuple[int, int]:
        if self.direct:
            return self.created, 0
        c = self.column
        inserted = ", ".join(c[name] for name in [*ROW_FIELDS, *STAMP_FIELDS])
        values = [c[name] for name in ["participants", "female", "fewer_opportunities", "source", "is_demo"]]
        updates = ", ".join(f"{col} = EXCLUDED.{col}" for col in [*values, c["created_by"], c["updated_at"]])
        stored = ", ".join(f"flow.{col}" for col in values)
        incoming = ", ".join(f"EXCLUDED.{col}" for col in values)
        # Rows go in key order, so the unique index is walked once instead of at random.
        # Only names from the model's own meta are spliced in; the values are parameters.
        merge = (
            f"WITH written AS ("  # noqa: S608
            f" INSERT INTO {self.table} AS flow ({inserted})"
            f" SELECT year, origin_id, destination_id, mode, level, reported_by_id, participants, female,"
            f" fewer_opportunities, programme, source, true, false, %s, %s FROM {self.STAGE}"
            f" ORDER BY year, origin_id, destination_id, mode, level, programme, reported_by_id"
            f" ON CONFLICT ON CONSTRAINT {self.constraint} DO UPDATE SET {updates}"
            f" WHERE ({stored}) IS DISTINCT FROM ({incoming})"
            f" RETURNING (xmax = 0) AS created"
            f") SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written"
        )
        with connection.cursor() as cursor:
            cursor.execute(merge, [self.created_by_id, self.now])
            created, updated = cursor.fetchone()
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}")
        return created, updated
