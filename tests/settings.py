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
