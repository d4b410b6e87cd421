import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SECRET_KEY_FILE"}}


def start(**env) -> subprocess.CompletedProcess:
    """Start Django with the production settings module and the given environment."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "asem_portal.settings", **env},
        capture_output=True, text=True, timeout=60,
    )


def test_a_missing_secret_key_with_debug_off_stops_start_up_and_names_it():
    result = start(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_starts_without_a_secret_key():
    result = start(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_a_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.SECRET_KEY)"],
        cwd=ROOT, env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "asem_portal.settings", "DEBUG": "false",
                       "SECRET_KEY_FILE": str(secret)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "from-a-file", result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DEBUG": "true", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"DEBUG": "true", "REDIS_URL": "localhost:6379"}, "REDIS_URL must start with redis://"),
        ({"DEBUG": "true", "CACHE_TIMEOUT": "soon"}, "CACHE_TIMEOUT must be a whole number"),
    ],
    ids=["debug", "database-url", "redis-url", "cache-timeout"],
)
def test_a_malformed_value_stops_start_up_with_a_clear_message(env, message):
    result = start(SECRET_KEY="x", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_without_redis_tasks_run_in_process_and_the_cache_is_local():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
                               "print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])"],
        cwd=ROOT, env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "asem_portal.settings", "DEBUG": "true"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["True", "django.core.cache.backends.locmem.LocMemCache"], result.stderr


def test_with_redis_it_is_the_cache_and_the_broker():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
                               "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
                               "s.CACHES['default']['BACKEND'])"],
        cwd=ROOT, env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "asem_portal.settings", "DEBUG": "true",
                       "REDIS_URL": "redis://127.0.0.1:6399/2"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6399/2",
                                     "core.cache.DegradingRedisCache"], result.stderr
