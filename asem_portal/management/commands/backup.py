"""Write the whole database to one file: pg_dump's custom format for PostgreSQL, a copy for SQLite."""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def postgres_environment(db: dict) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL client programs; the password travels in the environment only."""
    options = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432),
               "--username", db.get("USER") or "postgres", "--dbname", db["NAME"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return options, env


class Command(BaseCommand):
    help = "Back up the whole database to a file (restore it with `manage.py restore`)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True,
                            help="The file to write, e.g. backups/asem-2026-01-31.dump")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, database, **options):
        db = connections[database].settings_dict
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        if db["ENGINE"].endswith("postgresql"):
            connection_options, env = postgres_environment(db)
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path),
                       *connection_options]
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        elif db["ENGINE"].endswith("sqlite3"):
            source = sqlite3.connect(db["NAME"])
            target = sqlite3.connect(path)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            raise CommandError(f"No backup for the {db['ENGINE']} engine")
        self.stdout.write(f"Backed up the {database} database to {path} ({path.stat().st_size} bytes)")
