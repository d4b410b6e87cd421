import uuid

import pytest

from tests.reliability.servers import PostgresInstance, RedisInstance, manage, portal_environment, postgres_bindir
from tests.reliability.workload import create_secretariat
from tests.services import need

TEMPLATE = "asem_template"


@pytest.fixture(scope="session")
def reliability_postgres():
    """A PostgreSQL of the fault tests' own, with a migrated template database holding the strategy."""
    need("POSTGRES", postgres_bindir() is not None, "PostgreSQL's initdb and pg_ctl are not installed")
    instance = PostgresInstance().init().start()
    try:
        instance.psql(f"CREATE DATABASE {TEMPLATE}")
        env = portal_environment(instance.url(TEMPLATE), None)
        manage(env, "migrate", "--no-input")
        manage(env, "load_strategy")
        create_secretariat(env)
        yield instance
    finally:
        instance.destroy()


@pytest.fixture
def portal_database(reliability_postgres):
    """A fresh copy of the template database: its URL."""
    name = f"asem_{uuid.uuid4().hex[:10]}"
    # FILE_COPY checkpoints around the copy: with the default WAL_LOG, crash recovery replays the copy of
    # the template, and after an immediate stop PostgreSQL 15 came back with rows missing from new writes.
    reliability_postgres.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
    yield reliability_postgres.url(name)
    reliability_postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def redis_server():
    """A redis-server of the test's own that keeps its data across a kill, as a restarted one would."""
    need("REDIS", __import__("shutil").which("redis-server") is not None, "redis-server is not installed")
    instance = RedisInstance(persist=True).start()
    yield instance
    instance.destroy()
