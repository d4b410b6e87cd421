from django.core.management.base import BaseCommand

from asem_portal.content import load_strategy


class Command(BaseCommand):
    help = ("Load the ASEM Education Strategy 2030, the 53 partners, the stakeholders, the AEP's own record and the "
            "official statistics shipped with the portal.")

    def handle(self, *args, **options):
        report = load_strategy()
        self.stdout.write(self.style.SUCCESS(f"Strategy content loaded: {report}."))
