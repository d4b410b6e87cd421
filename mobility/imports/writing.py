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
from mobility.imports.copy_writer import CopyWriter
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

    def __str__(self):
        rows = ngettext("%(count)s row", "%(count)s rows", self.rows) % {"count": f"{self.rows:,}"}
        created = ngettext("%(count)s flow", "%(count)s flows", self.created) % {"count": f"{self.created:,}"}
        return (f"{rows} from {self.filename or 'the file'}: {created} created, {self.updated:,} updated, "
                f"{self.unchanged:,} unchanged")

    def as_dict(self) -> dict:
        return asdict(self)


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

    writer = CopyWriter(created_by_id) if connection.vendor == "postgresql" else BulkWriter(created_by_id)
    writer.write(checked(), batch_size=batch_size)
    if errors:
        raise FlowFileInvalid(errors)
    result.created, result.updated = writer.finish()
    result.unchanged = result.rows - result.created - result.updated
    result.path = writer.path
    if result.created or result.updated:
        _data_changed(years)
    _record(result, user)
    result.seconds = round(time.monotonic() - started, 3)
    if progress:
        progress(result.rows, result.rows)
    return result


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
