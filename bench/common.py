"""What the benchmark's scripts share: the environment of the server under test, its database and its cache."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")

# The accounts the data builder makes and the run signs in as (bench/dataset.py, bench/run.py): synthetic, and only
# in the benchmark's own databases.
BENCH_PASSWORD = "benchmark-only-password-of-a-synthetic-database"  # noqa: S105
BENCH_FOCAL_POINT = "bench-focal-de"
BENCH_SECRETARIAT = "bench-secretariat"
BENCH_FOCAL_PARTNER = "DE"


def database_name(scale: str) -> str:
    return f"asem_bench_{scale}"


def environment(scale: str, *, cache: bool = True, database: str | None = None,
                response_cache: bool = True) -> dict[str, str]:
    """The production settings as the server reads them, pointed at the benchmark's own database and cache keys."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CACHE_", "DEBUG"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else-0123456789",
        "DATABASE_URL": f"{PG}/{database or database_name(scale)}",
        "REDIS_URL": REDIS,
        # The benchmark's keys only, so flushing them never touches anyone else's.
        "CACHE_KEY_PREFIX": f"asem-bench-{scale}",
        "CELERY_TASK_DEFAULT_QUEUE": f"asem-bench-{scale}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # As behind the TLS proxy production has: wrk sends X-Forwarded-Proto: https.
        "SECURE_PROXY_SSL_HEADER": "true",
        # The load generator is one client sending thousands of requests a second; throttling it measures nothing.
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_USER": "100000000/minute",
        "BENCH_CACHE": "on" if cache else "off",
        # The production default; off only to measure what the whole-response cache saves.
        "RESPONSE_CACHE": "true" if response_cache else "false",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def manage(scale: str, *args: str, database: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=environment(scale, database=database), check=check,
    )


def ensure_database(name: str, *, fresh: bool = False) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def query(database: str, sql: str, params=()) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/{database}")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def flush_cache(scale: str) -> int:
    """Delete the benchmark's cache keys (and only those) from the shared Redis."""
    import redis

    client = redis.Redis.from_url(REDIS)
    deleted = 0
    for key in client.scan_iter(match=f"asem-bench-{scale}:*", count=1000):
        deleted += client.delete(key)
    return deleted


def machine() -> dict:
    import platform

    with open("/proc/meminfo") as fh:
        memory_kb = int(fh.readline().split()[1])
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(), "cpu_model": model, "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }
