"""Tiny helpers that read settings from the environment and fail loudly.

A malformed value stops start-up with a message that names the variable,
instead of silently falling back to a default nobody asked for.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS - {''})}, got {value!r}"
    )


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE names {path!r}, which cannot be read: {exc}") from None
    return os.environ.get(name) or None


def database_config(url: str) -> dict:
    import dj_database_url

    try:
        config = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", "60"))
    except Exception as exc:  # dj_database_url raises several kinds for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is malformed ({exc}): {url!r}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL names an unknown database scheme: {url!r}")
    return config


def redis_url(name: str) -> str | None:
    url = os.environ.get(name, "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must start with redis://, rediss:// or unix://, got {url!r}")
    return url or None


def email_config(url: str | None) -> dict:
    """Django's EMAIL_* settings from a URL such as smtp://user:password@host:587/?tls=1.

    Empty or console:// prints messages on the console (the default, so a new
    portal needs no mail server); smtp:// sends them (add ?tls=1 for STARTTLS,
    ?ssl=1 for SMTP over TLS, smtps:// says the same); locmem:// keeps them in
    memory and dummy:// drops them. User and password may be percent-encoded.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    url = (url or "").strip() or "console://"
    parts = urlsplit(url)
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with one of {', '.join(f'{s}://' for s in backends)}, got {parts.scheme or url!r}"
        )
    config = {"EMAIL_BACKEND": backends[parts.scheme]}
    if not parts.scheme.startswith("smtp"):
        return config
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no mail server: use smtp://user:password@host:587/?tls=1")
    query = {key: values[-1].strip().lower() for key, values in parse_qs(parts.query).items()}
    for key in query:
        if key not in {"tls", "ssl", "timeout"}:
            raise ImproperlyConfigured(f"EMAIL_URL has an unknown option {key!r}: use tls, ssl or timeout")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL has a malformed port: {url!r}") from None

    def flag(key: str) -> bool:
        value = query.get(key, "0")
        if value not in TRUE_WORDS | FALSE_WORDS:
            raise ImproperlyConfigured(f"EMAIL_URL's {key} must be 1 or 0, got {value!r}")
        return value in TRUE_WORDS

    use_ssl = parts.scheme == "smtps" or flag("ssl")
    use_tls = flag("tls")
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL asks for both tls and ssl: choose one")
    timeout = query.get("timeout", "10")
    if not timeout.isdigit():
        raise ImproperlyConfigured(f"EMAIL_URL's timeout must be a whole number of seconds, got {timeout!r}")
    config.update({
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": int(timeout),
    })
    return config
