"""manage.py import_sdmx CODE FILE --user NAME: load an SDMX data message into an indicator's observations."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from objectives.models import Indicator
from opendata import sdmx


class Command(BaseCommand):
    help = ("Import an SDMX-CSV 2.0.0 or SDMX-ML 2.1 data message of DF_ASEM_INDICATORS into an indicator's "
            "observations, as a secretariat account; --dry-run lists what would change and writes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("indicator", help="The indicator's code, such as 1.1.a.")
        parser.add_argument("file", type=Path, help="The message: a .csv or .xml file.")
        parser.add_argument("--user", required=True, help="The secretariat account the history names.")
        parser.add_argument("--source", default="", help="Where the values come from (else the message's own).")
        parser.add_argument("--dry-run", action="store_true", help="Check and list the changes; write nothing.")

    def handle(self, *args, indicator, file, user, source, dry_run, **options):
        found = Indicator.objects.filter(code=indicator).first()
        if found is None:
            raise CommandError(f"No indicator has the code {indicator}.")
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"No active account is named {user}.")
        if not file.is_file():
            raise CommandError(f"There is no file {file}.")
        if file.stat().st_size > sdmx.max_upload_bytes():
            raise CommandError(f"{file} is larger than {sdmx.max_upload_bytes():,} bytes, the most an import takes.")
        try:
            result = sdmx.import_observations(user=account, indicator=found, content=file.read_bytes(),
                                              source=source, dry_run=dry_run)
        except PermissionDenied as exc:
            raise CommandError(f"{user}: {exc}") from None
        except sdmx.SdmxFileInvalid as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(exc.messages)) from None
        for change in result.changes:
            if change.action == sdmx.UNCHANGED:
                continue
            before = "" if change.old_value is None else f"{change.old_value:g} -> "
            self.stdout.write(f"{change.action}: {change.ref_area} {change.breakdown_code} {change.year}: "
                              f"{before}{change.value:g} ({change.source})")
        for reason in result.skipped:
            self.stdout.write(f"skipped: {reason}")
        self.stdout.write(self.style.SUCCESS(str(result)))
