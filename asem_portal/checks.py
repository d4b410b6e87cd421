"""The portal's own start-up checks: run by `check` (and `check --deploy`), by runserver, and when gunicorn loads
the portal (asem_portal/wsgi.py), since gunicorn runs no check of its own."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

logger = logging.getLogger("asem_portal")

TAG = "asem_portal"
THIS_MACHINE = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 (compared with, never bound to)


@checks.register(TAG)
def site_url(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Emails are sent with no request to take the address from: a SITE_URL left at this machine's own address
    gives links nobody can open, and nothing else would say so."""
    if settings.DEBUG or urlsplit(settings.SITE_URL).hostname not in THIS_MACHINE:
        return []
    return [checks.Warning(
        f"SITE_URL is not set to the portal's public address, so emails link to {settings.SITE_URL}, which none of "
        "their readers can open.",
        hint="Set SITE_URL to the address people open the portal at, such as https://education.example.org.",
        id="asem_portal.W001",
    )]


def warn_at_start() -> None:
    """Log what the portal's own checks find, where a server that runs no check starts it."""
    for message in checks.run_checks(tags=[TAG]):
        logger.warning("%s: %s %s", message.id, message.msg, message.hint or "")
