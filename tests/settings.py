"""Settings for the test suite: the real ones, with a throwaway secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")

from asem_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process unless a test starts a real worker (the celery_worker fixture).
CELERY_TASK_ALWAYS_EAGER = True
# A large upload too, so a test reads its result at once (tests/workspace/test_uploads_in_thread.py runs it in a
# thread, as the embedded setup does).
UPLOAD_IN_THREAD = False

# The test client and the live server speak plain HTTP; production's redirect to HTTPS would answer every request 301.
SECURE_SSL_REDIRECT = False

# Static files from their source folders, as with DEBUG on: a test needs no collectstatic and no manifest of hashed
# names (production's, checked under gunicorn in tests/asem_portal/test_production_shape.py).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The suite runs in several processes at once (pytest-xdist), each on a test database of its own (pytest-django names
# it) and with cache keys of its own; each test has keys of its own again (tests/caching.py, tests/conftest.py), and a
# Celery worker a test starts is handed that test's prefix. With Redis, clear() empties only those keys: the broker
# shares the database. A copy, not an edit: asem_portal.settings.CACHES stays what production reads.
_CACHE = {
    **CACHES["default"],  # noqa: F405
    "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX") or f"tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
    "KEY_FUNCTION": "tests.caching.make_key",
}
if REDIS_URL:  # noqa: F405
    _CACHE["BACKEND"] = "tests.caching.OwnKeysRedisCache"
CACHES = {**CACHES, "default": _CACHE}  # noqa: F405
