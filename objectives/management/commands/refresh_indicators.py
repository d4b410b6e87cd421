from django.core.management.base import BaseCommand

from objectives.services import refresh_computed_indicators


class Command(BaseCommand):
    help = "Write computed indicators' observations from the portal's live data, now, in this process."

    def handle(self, *args, **options):
        report = refresh_computed_indicators()
        self.stdout.write(str(report))
        for key in report.unknown_metrics + report.failed_metrics:
            self.stderr.write(f"The metric {key} could not be computed; its indicators were left as they were.")
