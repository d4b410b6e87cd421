import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import SECRETARIAT_GROUP
from mobility.models import Partner, PartnerMembership

FOCAL_POINT = "focal-de"
REVIEWER = "reviewer"


class Command(BaseCommand):
    help = (
        "Create two accounts to try the partner workspace with: focal-de, Germany's focal point, and reviewer, "
        "in the secretariat; print their new passwords. Run again for new passwords. Only with DEBUG on."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("create_demo_accounts only runs with DEBUG on: it is for a developer's own machine.")
        germany = Partner.objects.filter(code="DE").first()
        if germany is None:
            raise CommandError("Germany is not among the partners yet: run manage.py load_strategy first.")
        User = get_user_model()
        passwords = {}
        for username, staff in ((FOCAL_POINT, False), (REVIEWER, True)):
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
            user.is_staff = staff
            passwords[username] = secrets.token_urlsafe(12)
            user.set_password(passwords[username])
            user.save()
        PartnerMembership.objects.get_or_create(user=User.objects.get(username=FOCAL_POINT), partner=germany)
        User.objects.get(username=REVIEWER).groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        self.stdout.write(self.style.WARNING(
            "Demonstration accounts ready. Sign in at http://127.0.0.1:8000/accounts/sign-in/ as\n"
            f"  {FOCAL_POINT} (Germany's focal point: report activities and mobility), password "
            f"{passwords[FOCAL_POINT]}\n"
            f"  {REVIEWER} (the secretariat: review, publish, revert), password {passwords[REVIEWER]}\n"
            "Emails they trigger are printed on the console."
        ))
