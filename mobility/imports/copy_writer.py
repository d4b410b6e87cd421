"""The PostgreSQL writer: the rows streamed with COPY into a temporary table, then merged in one statement."""

import io
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from mobility.imports.checking import MAX_PROGRAMME, MAX_SOURCE, UNIQUE_KEY, ValidRow
from mobility.models import MobilityFlow

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
        # What reading the file raised: psycopg2 turns it into a cancelled COPY, which says nothing of the file.
        self.failure: Exception | None = None

    def _escaped(self, value: str) -> str:
        text = self.texts.get(value)
        if text is None:
            text = self.texts[value] = _copy_text(value)
        return text

    def _fill(self) -> bool:
        lines = []
        for row in self.rows:
            lines.append(
                f"{row.year}\t{row.origin_id}\t{row.destination_id}\t{row.mode}\t{row.level}\t{row.reported_by_id}\t"
                f"{row.participants}\t"
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
    """PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE into the flows."""

    path = "copy"
    STAGE = "flow_import_stage"

    def __init__(self, created_by_id: int | None):
        self.created_by_id = created_by_id
        self.table = MobilityFlow._meta.db_table
        self.column = {name: MobilityFlow._meta.get_field(name).column for name in
                       ["year", "origin", "destination", "mode", "level", "reported_by", "participants", "female",
                        "fewer_opportunities", "programme", "source", "is_public", "is_demo", "created_by",
                        "updated_at"]}
        self.constraint = next(c.name for c in MobilityFlow._meta.constraints if getattr(c, "fields", None)
                               and tuple(c.fields) == UNIQUE_KEY)

    def write(self, rows: Iterable[ValidRow], *, batch_size: int | None) -> None:
        with connection.cursor() as cursor:
            # Dropped at commit; dropped first too, in case an earlier import ran in this same transaction.
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.STAGE} (year smallint, origin_id bigint, destination_id bigint, "
                f"mode varchar(10), level varchar(20), reported_by_id bigint, participants integer, female integer, "
                f"fewer_opportunities integer, programme varchar({MAX_PROGRAMME}), source varchar({MAX_SOURCE})) "
                "ON COMMIT DROP"
            )
            stream = _RowStream(rows, batch_size or 2000)
            try:
                cursor.copy_expert(f"COPY {self.STAGE} FROM STDIN WITH (FORMAT text)", stream, 256 * 1024)
            except Exception:
                # A file found bad while it streamed is the uploader's mistake, not a database that failed.
                if stream.failure is not None:
                    raise stream.failure from None
                raise

    def finish(self) -> tuple[int, int]:
        c = self.column
        inserted = ", ".join(c[name] for name in [
            "year", "origin", "destination", "mode", "level", "reported_by", "participants", "female",
            "fewer_opportunities",
            "programme", "source", "is_public", "is_demo", "created_by", "updated_at"])
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
            cursor.execute(merge, [self.created_by_id, timezone.now()])
            created, updated = cursor.fetchone()
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}")
        return created, updated
