"""`manage.py backup` then `manage.py restore` into an empty database gives back every row of every table."""

import uuid

import pytest

from tests.reliability.servers import manage, portal_environment, query

pytestmark = pytest.mark.reliability

NASTY = "<script>alert(1)</script> '; DROP TABLE mobility_activity; -- \u202eעברית 😀𝔘 " + "x" * 10_000
SETUP = f"""
from mobility.models import Activity, Partner
Activity.objects.create(slug="backup-nasty", title="Backed up", description={NASTY!r}, outcomes={NASTY!r},
                        lead_partner=Partner.objects.get(code="TH"))
"""


def fingerprint(url: str) -> dict[str, tuple]:
    """Every table's row count and a digest of all its rows, and every sequence's position."""
    tables = [name for (name,) in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    found = {}
    for table in tables:
        # Table names come from the catalogue, not from input.
        digest = f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608
        found[table] = query(url, digest)[0]
    for (sequence,) in query(url, "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"):
        found[f"sequence {sequence}"] = query(url, f'SELECT last_value, is_called FROM "{sequence}"')[0]  # noqa: S608
    return found


def test_a_backup_restored_into_an_empty_database_leaves_every_row_identical(
    reliability_postgres, portal_database, tmp_path
):
    env = portal_environment(portal_database, None)
    manage(env, "load_demo")
    manage(env, "shell", "-c", SETUP)
    before = fingerprint(portal_database)
    assert before["mobility_activity"][0] > 10
    assert before["mobility_mobilityflow"][0] > 10

    dump = tmp_path / "asem.dump"
    assert "Backed up" in manage(env, "backup", "--output", str(dump))

    empty = f"asem_restored_{uuid.uuid4().hex[:8]}"
    reliability_postgres.psql(f"CREATE DATABASE {empty}")
    try:
        restored_url = reliability_postgres.url(empty)
        assert "Restored" in manage(portal_environment(restored_url, None), "restore", "--input", str(dump), "--yes")
        after = fingerprint(restored_url)
    finally:
        reliability_postgres.psql(f"DROP DATABASE IF EXISTS {empty} WITH (FORCE)")

    assert after == before
    assert query(portal_database, "SELECT length(description) FROM mobility_activity WHERE slug = 'backup-nasty'") == [
        (len(NASTY),)
    ]


def test_restoring_over_a_database_in_use_replaces_its_contents(portal_database, tmp_path):
    env = portal_environment(portal_database, None)
    dump = tmp_path / "asem.dump"
    manage(env, "backup", "-o", str(dump))
    before = fingerprint(portal_database)
    manage(env, "shell", "-c", SETUP)
    assert fingerprint(portal_database) != before

    manage(env, "restore", "-i", str(dump), "--yes")

    assert fingerprint(portal_database) == before
