import pytest
from django.contrib.auth.models import Group

from core.roles import SECRETARIAT_GROUP
from tests import factories
from tests.services import CeleryWorker, need, need_postgres, need_redis

# One Chromium for the whole run, shared by every folder's browser tests: a second
# session-scoped Playwright in the same thread would refuse to start.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture
def secretariat(db):
    """Sam works in the secretariat: staff, in the Secretariat group."""
    user = factories.UserFactory(username="sam", is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    return user


@pytest.fixture
def partner_de(db):
    return factories.partner("DE")


@pytest.fixture
def partner_th(db):
    return factories.partner("TH")


@pytest.fixture
def alice(partner_de):
    """Alice is the focal point for Germany."""
    return factories.focal_point("alice", partner_de)


@pytest.fixture
def bob(partner_th):
    """Bob is the focal point for Thailand: Alice's data is not his."""
    return factories.focal_point("bob", partner_th)


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker against Redis and the test database (PostgreSQL)."""
    need_redis()
    need_postgres()
    need("CELERY_WORKER", True, "")
    worker = CeleryWorker().start()
    previous = (settings.CELERY_TASK_ALWAYS_EAGER,)
    from asem_portal.celery import app

    app.conf.task_always_eager = False
    app.conf.task_default_queue = worker.queue
    yield worker
    app.conf.task_always_eager = previous[0]
    app.conf.task_default_queue = "celery"
    worker.stop()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache and leaves one, so nothing one test cached (progress, whole responses,
    upload jobs, throttle and lockout counts) answers another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
