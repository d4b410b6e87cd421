import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from core.roles import SECRETARIAT_GROUP


class Command(BaseCommand):
    help = "Create a local secretariat account named admin, once, and print its password. Only with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("create_local_admin only runs with DEBUG on: it is for a developer's own machine.")
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists already; its password is not shown again.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser("admin", "admin@localhost", password)
        user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        self.stdout.write(self.style.WARNING(
            f"Local admin account created. Sign in at http://127.0.0.1:8000/admin/ as admin with the password "
            f"{password}\nIt is shown this once only."
        ))
