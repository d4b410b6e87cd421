"""
WSGI config for asem_portal project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'asem_portal.settings')

application = get_wsgi_application()

# gunicorn runs none of Django's checks: say here what would otherwise go unnoticed (asem_portal/checks.py).
from asem_portal.checks import warn_at_start  # noqa: E402

warn_at_start()
