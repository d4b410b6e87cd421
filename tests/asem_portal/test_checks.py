"""With DEBUG off, a SITE_URL left at its default is said at start-up: emails would link to this machine's own
address, which none of their readers can open."""

import subprocess
import sys

from django.core import checks

from tests.asem_portal.test_security import PRODUCTION_ENV, ROOT

UNSET = {key: value for key, value in PRODUCTION_ENV.items() if key != "SITE_URL"}


def site_url_warnings():
    return [message for message in checks.run_checks() if message.id == "asem_portal.W001"]


def test_with_debug_off_and_no_site_url_the_checks_warn_that_emails_link_to_this_machine(settings):
    settings.DEBUG, settings.SITE_URL = False, "http://127.0.0.1:8000"

    [warning] = site_url_warnings()

    assert warning.level == checks.WARNING
    assert "emails link to http://127.0.0.1:8000" in warning.msg
    assert "Set SITE_URL" in warning.hint


def test_a_site_url_that_readers_can_open_is_not_warned_about(settings):
    settings.DEBUG, settings.SITE_URL = False, "https://education.example.org"

    assert site_url_warnings() == []


def test_with_debug_on_the_default_is_the_local_server_and_nothing_is_said(settings):
    settings.DEBUG, settings.SITE_URL = True, "http://127.0.0.1:8000"

    assert site_url_warnings() == []


def test_check_deploy_says_so_when_site_url_is_missing():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=UNSET,
                            capture_output=True, text=True, timeout=120)

    assert "asem_portal.W001" in result.stdout + result.stderr
    assert "SITE_URL" in result.stdout + result.stderr


def test_gunicorn_says_so_when_it_loads_the_portal_without_site_url():
    result = subprocess.run([sys.executable, "-c", "import asem_portal.wsgi"], cwd=ROOT, env=UNSET,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "SITE_URL is not set" in result.stderr
