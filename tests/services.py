"""Tests that need a real service skip without it, unless CI says it is required.

CI sets REQUIRE_POSTGRES, REQUIRE_REDIS, REQUIRE_CELERY_WORKER,
REQUIRE_BROWSER and REQUIRE_GUNICORN to 1, so a missing service there fails
the run instead of being skipped in silence.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2, what: str = "the condition"):
    """Ask until the predicate answers something true, and return that; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} did not happen within {timeout:.0f}s")


def required(name: str) -> bool:
    return os.environ.get(f"REQUIRE_{name}", "").lower() in {"1", "true", "yes"}


def need(name: str, ok: bool, reason: str) -> None:
    """Skip with the reason, or fail when CI has made the service required."""
    if ok:
        return
    if required(name):
        pytest.fail(f"REQUIRE_{name} is set but {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def redis_available() -> bool:
    url = settings.REDIS_URL
    if not url:
        return False
    parts = urlparse(url)
    return port_open(parts.hostname or "127.0.0.1", parts.port or 6379)


def need_redis() -> None:
    need("REDIS", redis_available(), "Redis is not configured (set REDIS_URL) or not answering")


def need_postgres() -> None:
    need("POSTGRES", connection.vendor == "postgresql", "the tests are not running on PostgreSQL (set DATABASE_URL)")


def need_browser() -> None:
    try:
        import playwright  # noqa: F401

        has_playwright = True
    except ImportError:
        has_playwright = False
    need(
        "BROWSER",
        has_playwright and shutil.which(CHROMIUM) is not None,
        f"Playwright or Chromium at {CHROMIUM} is missing (apt-get install chromium)",
    )


def test_database_url() -> str:
    """The URL of the database the tests are using, for processes started beside them."""
    db = connection.settings_dict
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class CeleryWorker:
    """A real `celery worker` process on its own queue, against the test database and Redis.

    The queue is the test's alone, and the database the test process's own (each pytest-xdist worker has one), so
    workers started by tests running side by side never take each other's tasks.
    """

    def __init__(self):
        self.queue = f"tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen | None = None
        self.log = ROOT / ".pytest_cache" / f"celery-{self.queue}.log"

    def start(self) -> "CeleryWorker":
        self.log.parent.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "asem_portal", "worker", "--pool=solo", "--concurrency=1",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", self.queue, "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the Celery worker did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
