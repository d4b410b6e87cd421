"""Data releases: asked for by the secretariat or made by a round's closing, built by a Celery task, kept in chunks.

request_release and release_for_round record a release as building and queue its build after the commit
(core.jobs.queue_or_run: with no broker, it runs here). build writes the package (opendata.package) to a temporary
file, then stores it in the database chunk by chunk with its size and SHA-256 and marks it ready, all in one
transaction: a release is ready whole or not at all. A build that fails is recorded as failed with its reason, and
only a ready release is ever listed or served.

Numbers are never reused: rows are never deleted (the admin cannot), and the next number is one more than the
highest there has ever been, failed builds included, made unique by the database.
"""

import hashlib
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core import changes
from core.jobs import queue_or_run
from core.roles import is_secretariat
from opendata import package
from opendata.models import DataRelease, ReleaseChunk

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
REASON_MAX_LENGTH = DataRelease._meta.get_field("reason").max_length
ABANDONED = "The build stopped without finishing (its worker was stopped or restarted)."


class ReleaseRefused(ValidationError):
    """Why a release cannot be asked for now, keyed by the field it is about."""


def building() -> DataRelease | None:
    """The release being built, if one is; one left building longer than a task may run was abandoned and is
    recorded as failed, so it never blocks the next."""
    release = DataRelease.objects.filter(state=DataRelease.State.BUILDING).order_by("-number").first()
    if release is None:
        return None
    if release.created_at < timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT):
        DataRelease.objects.filter(pk=release.pk, state=DataRelease.State.BUILDING).update(
            state=DataRelease.State.FAILED, failure=ABANDONED, finished_at=timezone.now())
        return None
    return release


def request_release(*, user, reason: str = "") -> DataRelease:
    """The secretariat asks for a release now; refused to anyone else, and while another is being built."""
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat may build a data release.")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ReleaseRefused({"reason": f"Say why in at most {REASON_MAX_LENGTH} characters."})
    if (current := building()) is not None:
        raise ReleaseRefused({"__all__": f"Release {current.number} is being built: wait until it is ready."})
    return _record(requested_by=user, reason=reason)


def release_for_round(*, round_id: int) -> DataRelease:
    """A round has closed: a release of everything public as it stands, whatever else is being built."""
    return _record(round_id=round_id)


def _record(**fields) -> DataRelease:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                number = (DataRelease.objects.aggregate(highest=Max("number"))["highest"] or 0) + 1
                release = DataRelease.objects.create(number=number, **fields)
                transaction.on_commit(lambda pk=release.pk: _queue(pk))
                changes.data_changed(refresh=False)
            return release
        except IntegrityError:  # another took the same number at the same moment: take the next
            continue
    raise ReleaseRefused({"__all__": "Another release was asked for at the same moment: try again."})


def _queue(release_id: int) -> None:
    from opendata import tasks

    queue_or_run(tasks.build_release, release_id, fallback=lambda: build(release_id))


def build(release_id: int) -> DataRelease | None:
    """Write the release's package and keep it; a failure is recorded with its reason. Does nothing to a release
    that is not building (one built already, or taken by another worker)."""
    release = DataRelease.objects.filter(pk=release_id, state=DataRelease.State.BUILDING).first()
    if release is None:
        return None
    try:
        with tempfile.TemporaryFile() as file:
            demo = package.write_package(file, number=release.number, created=release.created_at)
            _keep(release, file, demo=demo)
    except Exception as error:  # whatever went wrong is the reason the release records
        logger.exception("Data release %s failed", release.number)
        DataRelease.objects.filter(pk=release.pk, state=DataRelease.State.BUILDING).update(
            state=DataRelease.State.FAILED, failure=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now())
    changes.data_changed(refresh=False)  # the data page lists it
    release.refresh_from_db()
    return release


@transaction.atomic
def _keep(release: DataRelease, file, *, demo: bool) -> None:
    locked = DataRelease.objects.select_for_update().get(pk=release.pk)
    if locked.state != DataRelease.State.BUILDING:
        return
    digest, size, index = hashlib.sha256(), 0, 0
    file.seek(0)
    while chunk := file.read(CHUNK_BYTES):
        ReleaseChunk.objects.create(release=locked, index=index, data=chunk)
        digest.update(chunk)
        size += len(chunk)
        index += 1
    locked.state = DataRelease.State.READY
    locked.size, locked.sha256, locked.has_demo = size, digest.hexdigest(), demo
    locked.finished_at = timezone.now()
    locked.save()


def chunks(release: DataRelease):
    """A ready release's package, a chunk at a time: one query each, never the whole package in memory."""
    for pk in list(release.chunks.order_by("index").values_list("pk", flat=True)):
        yield bytes(ReleaseChunk.objects.values_list("data", flat=True).get(pk=pk))
