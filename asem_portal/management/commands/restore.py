"""Put a backup made by `manage.py backup` back: every table, row and sequence as it was."""

import shutil
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from asem_portal.management.commands.backup import postgres_environment


class Command(BaseCommand):
    help = "Restore the database from a file written by `manage.py backup`, replacing what it holds."

    def add_arguments(self, parser):
        parser.add_argument("--input", "-i", required=True, help="The backup file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="Replace the database's contents without asking")

    def handle(self, *args, input, database, yes, **options):
        path = Path(input)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}")
        db = connections[database].settings_dict
        if not yes:
            answer = input_from_user(f"Replace everything in the database {db['NAME']!r} with {path}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing restored.")
        connections[database].close()
        if db["ENGINE"].endswith("postgresql"):
            connection_options, env = postgres_environment(db)
            # One transaction: a restore that fails half-way leaves the database as it was.
            command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                       "--exit-on-error", *connection_options, str(path)]
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        elif db["ENGINE"].endswith("sqlite3"):
            shutil.copyfile(path, db["NAME"])
        else:
            raise CommandError(f"No restore for the {db['ENGINE']} engine")
        self.stdout.write(f"Restored the {database} database from {path}")


def input_from_user(prompt: str) -> str:
    return input(prompt)
