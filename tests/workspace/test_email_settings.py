"""Mail settings come from one EMAIL_URL: the console by default, a server when it names one, a clear error else."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import email_config


def test_without_a_url_mail_is_printed_on_the_console():
    assert email_config(None) == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert email_config("") == email_config("console://")


def test_an_smtp_url_with_starttls_gives_every_setting():
    assert email_config("smtp://portal%40example.org:s%3Acret@mail.example.org:587/?tls=1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "portal@example.org",
        "EMAIL_HOST_PASSWORD": "s:cret", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 10,
    }


def test_smtps_means_tls_from_the_start_on_port_465():
    config = email_config("smtps://mail.example.org")

    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (465, True, False)


@pytest.mark.parametrize("url, message", [
    ("imap://mail.example.org", "EMAIL_URL must start with one of"),
    ("smtp://", "EMAIL_URL names no mail server"),
    ("smtp://mail.example.org/?tls=maybe", "EMAIL_URL's tls must be 1 or 0"),
    ("smtp://mail.example.org/?tls=1&ssl=1", "asks for both tls and ssl"),
    ("smtp://mail.example.org/?tsl=1", "unknown option 'tsl'"),
    ("smtp://mail.example.org:port/", "malformed port"),
])
def test_a_malformed_url_stops_start_up_with_a_message(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        email_config(url)
