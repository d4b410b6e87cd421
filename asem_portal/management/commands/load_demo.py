from django.core.management.base import BaseCommand, CommandError

from asem_portal.demo import load_demo, remove_demo


class Command(BaseCommand):
    help = "Load synthetic demonstration data (marked as demo everywhere it shows), or remove it with --remove."

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="Remove all demonstration data and load nothing.")

    def handle(self, *args, remove=False, **options):
        if remove:
            self.stdout.write(self.style.SUCCESS(f"Demonstration data removed: {remove_demo()}."))
            return
        try:
            report = load_demo()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Demonstration data loaded: {report}."))
