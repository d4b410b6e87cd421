"""Importing a checked file, all of it or nothing, through the writer the database suits; and recording it."""

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils.translation import ngettext

from mobility.imports.bulk_writer import BulkWriter
from mobility.imports.checking import ValidRow, read_rows
from mobility.imports.copy_writer import CopyWriter, KeyTaken
from mobility.imports.reading import FlowFileInvalid, RowError
from mobility.models import MobilityFlow

logger = logging.getLogger(__name__)

DEFAULT_PROGRESS_EVERY = 10_000

Progress = Callable[[int, int], None]


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
    # Seconds each step took, in order: reading, checking and writing the rows ("write"; "write, merged" when the
    # file's keys were stored already, after "write, straight in" found so), the merge, the host rule, the record,
    # and the commit with its deferred foreign-key checks (a savepoint's release inside a caller's transaction).
    phases: dict[str, float] = field(default_factory=dict, repr=False)

    def __str__(self):
        rows = ngettext("%(count)s row", "%(count)s rows", self.rows) % {"count": f"{self.rows:,}"}
        created = ngettext("%(count)s flow", "%(count)s flows", self.created) % {"count": f"{self.created:,}"}
        return (f"{rows} from {self.filename or 'the file'}: {created} created, {self.updated:,} updated, "
                f"{self.unchanged:,} unchanged")

    def as_dict(self) -> dict:
        return asdict(self)


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
    filename = filename or getattr(file, "name", "") or ""
    result = ImportResult(filename=PurePath(filename).name if filename else "")
    with transaction.atomic():
        _import(result, file=file, user=user, filename=filename, allowed_partner_ids=allowed_partner_ids,
                progress=progress, progress_every=progress_every, batch_size=batch_size, max_bytes=max_bytes)
        ended = time.monotonic()
    result.phases["commit"] = round(time.monotonic() - ended, 3)
    result.seconds = round(time.monotonic() - started, 3)
    if progress:
        progress(result.rows, result.rows)
    return result


def _import(result: ImportResult, *, file, user, filename, allowed_partner_ids, progress, progress_every,
            batch_size, max_bytes) -> None:
    created_by_id = getattr(user, "pk", None)
    phases = result.phases

    def write(writer: CopyWriter | BulkWriter, phase: str) -> set[int]:
        step = time.monotonic()
        try:
            return _write(result, writer, file=file, filename=filename, allowed_partner_ids=allowed_partner_ids,
                          progress=progress, progress_every=progress_every, batch_size=batch_size,
                          max_bytes=max_bytes)
        finally:
            phases[phase] = round(time.monotonic() - step, 3)

    if connection.vendor == "postgresql":
        try:
            # Straight into the flows while every key is new, as in a year's first upload; the first key already
            # stored rolls that back to the savepoint, and the file is written again the merging way.
            writer = CopyWriter(created_by_id, direct=True)
            with transaction.atomic():
                years = write(writer, "write, straight in")
        except KeyTaken:
            writer = CopyWriter(created_by_id)
            years = write(writer, "write, merged")
    else:
        writer = BulkWriter(created_by_id)
        years = write(writer, "write")
    step = time.monotonic()
    result.created, result.updated = writer.finish()
    result.unchanged = result.rows - result.created - result.updated
    result.path = writer.path
    phases["merge"] = round(time.monotonic() - step, 3)
    step = time.monotonic()
    if result.created or result.updated:
        _data_changed(years)
    phases["host rule and data changed"] = round(time.monotonic() - step, 3)
    step = time.monotonic()
    _record(result, user)
    phases["record"] = round(time.monotonic() - step, 3)


def _write(result: ImportResult, writer: CopyWriter | BulkWriter, *, file, filename, allowed_partner_ids, progress,
           progress_every, batch_size, max_bytes) -> set[int]:
    """Check every row of the file and hand the good ones to the writer; the years they are for.

    FlowFileInvalid with every problem when a row is bad: once one is, no more rows are written, but checking goes
    on to the end of the file, so the uploader hears of all of them at once.
    """
    kind, rows, total = read_rows(file=file, filename=filename, allowed_partner_ids=allowed_partner_ids,
                                  max_bytes=max_bytes)
    result.format, result.rows = kind, 0
    errors: list[RowError] = []
    years: set[int] = set()

    def checked() -> Iterator[ValidRow]:
        for done, item in enumerate(rows, start=1):
            if progress and done % progress_every == 0:
                progress(done, max(total, done))
            if isinstance(item, ValidRow):
                result.rows += 1
                years.add(item.year)
                if not errors:
                    yield item  # once a row is bad nothing more is written; checking goes on
            else:
                errors.extend(item)

    writer.write(checked(), batch_size=batch_size)
    if errors:
        raise FlowFileInvalid(errors)
    return years


def _data_changed(years: set[int]) -> None:
    """Settle which rows are public where both ends reported (two UPDATEs over the file's years), and tell the
    progress engine and the flow totals their inputs changed: once per import, as no post_save fires."""
    from django.db.models import Q

    from core.changes import data_changed
    from mobility.services import settle_public
    from mobility.totals import flows_changed

    settle_public(within=Q(year__in=years))
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
