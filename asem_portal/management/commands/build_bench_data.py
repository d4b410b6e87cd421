from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.dataset import SCALES, build


class Command(BaseCommand):
    help = (
        "Fill a benchmark database with synthetic flows, activities and indicators at a chosen scale "
        "(large: 1,000,000 flows over 2016-2025, 50,000 activities, 100 indicators). Only for a database "
        "whose name says bench: it replaces the flows there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--any-database", action="store_true",
            help="Build even where the database's name does not contain 'bench' (the tests' throwaway ones).",
        )

    def handle(self, *args, scale, any_database=False, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name and not any_database:
            raise CommandError(
                f"The database {name!r} does not look like a benchmark database: this command deletes every "
                "mobility flow in it. Point DATABASE_URL at one named asem_bench (make bench does), or pass "
                "--any-database."
            )
        self.stdout.write(f"Building the {scale} benchmark dataset in {name} ...")
        report = build(SCALES[scale], log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Benchmark data built: {report}."))
