from django.core.management.base import BaseCommand

from mobility import totals


class Command(BaseCommand):
    help = "Sum the mobility flows into the kept totals now, in this process, and mark them current."

    def handle(self, *args, **options):
        count = totals.rebuild()
        self.stdout.write(f"{count} mobility flow totals rebuilt.")
