"""The embedded SQLite database takes concurrent writes in turn instead of refusing some with "database is locked".

The test database is in memory, where no two threads share anything; so the writers run in a process of their own,
on a database file opened by the portal's own settings, as `make run` opens it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

THREADS, WRITES = 8, 15

WRITERS = """
import json, sys, threading
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
connection.close()
threads_count, writes = map(int, sys.argv[1:])
errors, start = [], threading.Barrier(threads_count)

def write():
    try:
        start.wait()
        for _ in range(writes):
            # Read, then write, as a form's save does: the transaction that read must not lose its turn to write.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                [n] = cursor.fetchone()
                cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=write) for _ in range(threads_count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter WHERE id = 1")
    print(json.dumps({"journal_mode": journal_mode, "errors": errors, "n": cursor.fetchone()[0]}))
"""


def run_writers(tmp_path: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="asem_portal.settings", DEBUG="true",
               DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    done = subprocess.run([sys.executable, "-c", WRITERS, str(THREADS), str(WRITES)], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_concurrent_writes_on_the_embedded_database_all_succeed_and_none_is_lost(tmp_path):
    outcome = run_writers(tmp_path)

    assert outcome["errors"] == []
    assert outcome["n"] == THREADS * WRITES
    # Written ahead to a log: readers do not wait for a writer, nor a writer for readers.
    assert outcome["journal_mode"] == "wal"
