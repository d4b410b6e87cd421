"""Building the report's downloads and keeping them until the data changes.

A built file is cached under the data's generation
(core/changes.py), which every write of activities, flows, partners,
indicators and observations replaces once its transaction commits: so a file
is served until the data behind it changes, and never after.

A short period is built in the request. A long one (more than
``BACKGROUND_AFTER_YEARS`` years) is built by a Celery task, queued once per
period, format and generation; its progress is kept in the cache for the
export page to follow. Without a broker (the embedded setup) the task runs in
place; with a broker that cannot be reached, the request builds the file
itself rather than leave the reader waiting for a task that was never queued.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import changes
from core.jobs import TrackedJob, queue_or_run
from reports import exports, pdf
from reports.data import Period, StocktakingReport
from reports.selectors import stocktaking_report

logger = logging.getLogger(__name__)

BACKGROUND_AFTER_YEARS = 4
# Part of every key, so a release that changes the files never serves old ones.
SCHEMA = 1
FILE_TIMEOUT = 7 * 24 * 3600
# A job that has not finished by then is taken as lost (a worker restart): the next request queues it again.
JOB_TIMEOUT = settings.CELERY_TASK_TIME_LIMIT + 60
FAILED_TIMEOUT = 300

# The tables' formats (reports/exports.py) and the page laid out as a PDF (reports/pdf.py).
CONTENT_TYPES = {**exports.CONTENT_TYPES, "pdf": pdf.CONTENT_TYPE}
FORMATS = tuple(CONTENT_TYPES)

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
# The cache keeps nothing just now (Redis away): the file can only be built in the request.
UNTRACKED = "untracked"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class ExportStatus:
    state: str  # queued, running, ready, failed or untracked
    progress: int  # percent
    message: str = ""

    def as_dict(self) -> dict:
        return {"state": self.state, "progress": self.progress, "message": self.message}


def needs_background(period: Period) -> bool:
    return period.years > BACKGROUND_AFTER_YEARS


def _key(kind: str, fmt: str, period: Period, generation: str | None = None) -> str:
    generation = generation or changes.generation()
    return ":".join(["reports:stocktaking", str(SCHEMA), generation, kind, fmt, str(period.start), str(period.end)])


def _cache_usable() -> bool:
    # Inside a transaction that changed data, a file may show what a rollback would take back.
    return not changes.change_pending()


def cached_export(fmt: str, period: Period) -> ExportFile | None:
    if not _cache_usable():
        return None
    return cache.get(_key("file", fmt, period))


def build_export(fmt: str, period: Period, on_progress=None) -> ExportFile:
    """Build the file from the data as it is now and cache it until that data changes."""
    # The generation is read before the data: a change committed meanwhile gets a new one, so this file,
    # kept under the old one, is never served for the new data.
    generation = changes.generation()
    report = stocktaking_report(period)
    if on_progress:
        on_progress(40)
    content = _write(report, fmt, (lambda percent: on_progress(40 + percent * 55 // 100)) if on_progress else None)
    built = ExportFile(content, exports.filename(report, fmt), CONTENT_TYPES[fmt])
    if _cache_usable():
        cache.set(_key("file", fmt, period, generation), built, timeout=FILE_TIMEOUT)
    return built


def _write(report: StocktakingReport, fmt: str, on_progress) -> bytes:
    if fmt == "pdf":
        return pdf.build(report, on_progress)
    return exports.build(report, fmt, on_progress)


def export_status(fmt: str, period: Period) -> ExportStatus | None:
    """Where the file stands: ready, being built, failed; None when nobody has asked for it yet."""
    if cached_export(fmt, period) is not None:
        return ExportStatus(READY, 100)
    job = _job(fmt, period).state()
    return ExportStatus(**job) if job else None


def request_export(fmt: str, period: Period, *, retry: bool = False) -> ExportStatus:
    """Make sure the file is built or being built, queueing the task at most once; its status."""
    generation = changes.generation()
    job = _job(fmt, period, generation)
    if retry:
        status = export_status(fmt, period)
        if status is not None and status.state == FAILED:
            job.forget()
    status = export_status(fmt, period)
    if status is not None:
        return status
    queued = ExportStatus(QUEUED, 0, "Waiting for a worker to start building the file.")
    if job.start(queued.as_dict()):
        transaction.on_commit(lambda: _queue(fmt, period, generation), robust=True)
    status = export_status(fmt, period)
    if status is None:
        # Neither the job nor the file could be read back: nothing would ever tell the reader it is ready.
        return ExportStatus(UNTRACKED, 0, "The file is built when you download it.")
    return status


def _job(fmt: str, period: Period, generation: str | None = None) -> TrackedJob:
    return TrackedJob(_key("job", fmt, period, generation), timeout=JOB_TIMEOUT)


def _queue(fmt: str, period: Period, generation: str) -> None:
    from reports.tasks import build_stocktaking_export

    queue_or_run(build_stocktaking_export, fmt, period.start, period.end, generation,
                 fallback=lambda: run_export_job(fmt, period, generation))


def run_export_job(fmt: str, period: Period, generation: str) -> dict:
    """The task's work: build the file, telling the export page how far it has got. Never raises."""
    job = _job(fmt, period, generation)

    def on_progress(percent: int) -> None:
        job.update(ExportStatus(RUNNING, min(percent, 99), "Building the file.").as_dict())

    on_progress(5)
    try:
        built = build_export(fmt, period, on_progress)
    except Exception:
        logger.exception("Could not build the stocktaking report %s for %s", fmt, period.label)
        job.update(ExportStatus(FAILED, 0, "The file could not be built.").as_dict(), timeout=FAILED_TIMEOUT)
        return {"state": FAILED}
    job.forget()
    return {"state": READY, "bytes": len(built.content)}
