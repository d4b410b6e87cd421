import uuid

import pytest
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from core.roles import SECRETARIAT_GROUP
from tests import caching, factories, snapshots
from tests.licence import prime_licence
from tests.services import CeleryWorker, need, need_postgres, need_redis

# One Chromium for the whole run, shared by every folder's browser tests: a second
# session-scoped Playwright in the same thread would refuse to start.
pytest_plugins = ["tests.browser.fixtures"]

# Property tests assert what the engine answers, not how fast: with three test processes on two cores, an example
# can outlast Hypothesis's 200 ms deadline for reasons of the machine alone. Speed is the benchmark's to measure.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


def pytest_addoption(parser):
    parser.addoption(
        "--fault-tests", choices=["with", "without", "only"], default="with",
        help="run the fault tests (marked reliability) with the others, without them, or alone: `make test` runs "
             "the others in parallel, then these one at a time",
    )


def pytest_collection_modifyitems(config, items):
    choice = config.getoption("--fault-tests")
    if choice == "with":
        return
    wanted = choice == "only"
    kept = [item for item in items if (item.get_closest_marker("reliability") is not None) == wanted]
    dropped = [item for item in items if (item.get_closest_marker("reliability") is not None) != wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
def own_cache_keys(monkeypatch):
    """Each test has cache keys of its own, so nothing one test cached (progress, whole responses, upload jobs,
    throttle and lockout counts) answers another, in this process or in one running beside it.

    A key prefix, never a flush of Redis: the Celery queues share its database. The environment variable carries
    the prefix to a worker the test starts.
    """
    from django.core.cache import cache

    caching.test_prefix = f"tests-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("CACHE_KEY_PREFIX", caching.test_prefix)
    prime_licence()  # none set, as the test's database has none (tests/licence.py)
    yield
    cache.clear()  # this test's keys only
    caching.test_prefix = None


@pytest.fixture(scope="session")
def strategy_snapshot(django_db_setup, django_db_blocker):
    """What load_strategy() writes, loaded once per test process (tests/snapshots.py)."""
    from asem_portal.content import load_strategy

    with django_db_blocker.unblock():
        return snapshots.take(load_strategy)


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """What load_strategy() and then load_demo() write, loaded once per test process."""
    from asem_portal.content import load_strategy
    from asem_portal.demo import load_demo

    with django_db_blocker.unblock():
        return snapshots.take(lambda: (load_strategy(), load_demo()))


@pytest.fixture
def demo_data(db, demo_snapshot):
    """The real strategy and the demo data on it, as `manage.py load_strategy` and `manage.py load_demo` leave them."""
    if demo_snapshot.fits():
        demo_snapshot.restore()
    else:
        from asem_portal.content import load_strategy
        from asem_portal.demo import load_demo

        load_strategy()
        load_demo()


@pytest.fixture
def strategy(db, strategy_snapshot):
    """The real strategy: 4 objectives, 10 priorities, 6 instruments, 53 partners and the AEP's own record."""
    if strategy_snapshot.fits():
        strategy_snapshot.restore()
    else:
        # Partners made before it (alice's Germany): the loader brings them in line, as on a running portal.
        from asem_portal.content import load_strategy

        load_strategy()
