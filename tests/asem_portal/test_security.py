"""Production settings pass Django's deployment checks, and every response carries the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    # Nothing of the test run's own environment: the browser tests' async-safety switch included.
    **{k: v for k, v in os.environ.items()
       if not k.startswith(("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_", "DJANGO_ALLOW_ASYNC_UNSAFE"))},
    "DJANGO_SETTINGS_MODULE": "asem_portal.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "example.org",
    "SITE_URL": "https://example.org",
}


def production_setting(expression: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c",
         f"import django; django.setup(); from django.conf import settings; print(({expression},))"],
        cwd=ROOT, env={**PRODUCTION_ENV, **env}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=PRODUCTION_ENV, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_redirects_to_https_sends_hsts_and_marks_cookies_secure():
    values = production_setting(
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS >= 31536000, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_PROXY_SSL_HEADER"
    )
    assert values == "(True, True, True, True, None)"


def test_behind_a_tls_proxy_the_redirect_can_be_left_to_it_and_the_forwarded_scheme_trusted():
    values = production_setting(
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER",
        SECURE_SSL_REDIRECT="false", SECURE_PROXY_SSL_HEADER="true",
    )
    assert values == "(False, ('HTTP_X_FORWARDED_PROTO', 'https'))"


def test_the_upload_limit_comes_from_the_environment_and_must_be_positive():
    assert production_setting("settings.MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES="1048576") == "(1048576,)"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env={**PRODUCTION_ENV, "MAX_UPLOAD_BYTES": "0"}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "MAX_UPLOAD_BYTES must be a positive number" in result.stderr


@pytest.mark.parametrize("path", ["/", "/healthz", "/admin/login/", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, db, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_the_policy_allows_no_inline_script_and_no_style_element_anywhere_but_the_api_docs(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert "unsafe" not in directives["script-src"]
    assert directives["style-src"] == "'self'"
    # The charts' bars are coloured with style attributes, which is all the inline style allowed.
    assert directives["style-src-attr"] == "'unsafe-inline'"

    docs_policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in docs_policy
    assert "unsafe" not in dict(d.strip().split(" ", 1) for d in docs_policy.split(";"))["script-src"]


def test_hsts_is_sent_over_https_only(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    assert "Strict-Transport-Security" not in client.get("/healthz")
    secure = client.get("/healthz", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_plain_http_is_redirected_to_https_except_the_health_checks(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/about/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/about/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in {200, 503}


def test_session_and_csrf_cookies_are_secure_and_http_only(db, settings, secretariat):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client(enforce_csrf_checks=True)
    page = client.get("/admin/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"

    token = page.context["csrf_token"]
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "sam", "password": "correct horse battery staple", "csrfmiddlewaretoken": token},
        secure=True, headers={"referer": "https://testserver/admin/login/"},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True


def test_a_form_post_without_the_csrf_token_is_refused(db, secretariat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    response = client.post("/admin/mobility/activity/add/", {"title": "No token"})
    assert response.status_code == 403


def test_a_request_body_over_the_limit_is_refused(rf, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    request = rf.post("/", data="x" * 2048, content_type="application/json")
    with pytest.raises(RequestDataTooBig):
        request.body  # noqa: B018


def test_a_form_over_the_limit_gets_400_not_500(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = Client().post("/admin/login/", {"username": "x" * 4096, "password": "y"})
    assert response.status_code == 400
