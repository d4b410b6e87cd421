"""The import's two ways into the flows, on PostgreSQL: straight in while every key is new, merged once one is stored.

Whichever way a file goes, the outcome is the same: every row checked, the same row-numbered errors for a bad file and
nothing written then, a stored flow's figures replaced, and readers never waiting on the import. The tests that do
not name PostgreSQL run on SQLite too, where the one way is batched bulk_create.
"""

import csv
import io

import psycopg2
import pytest
from django.db import connection

from mobility.imports import FLOW_COLUMNS, FlowFileInvalid, import_flows
from mobility.models import MobilityFlow
from tests import factories
from tests.services import need_postgres

CODES = ["DE", "FR", "TH", "JP", "EU", "ASEAN"]


@pytest.fixture
def partners(db):
    return {code: factories.partner(code) for code in CODES}


def csv_of(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def flows(count: int, *, year: int = 2023, participants: int = 10) -> list[list]:
    """`count` rows, every one its own key: Thailand to Germany, told apart by their programme."""
    return [[year, "TH", "DE", "physical", "tvet", participants, "", "", f"Programme {n}", "Agency"]
            for n in range(1, count + 1)]


def figures() -> dict[tuple, int]:
    return {(year, programme): participants
            for year, programme, participants in MobilityFlow.objects.values_list("year", "programme", "participants")}


def test_a_first_upload_goes_straight_into_the_flows(partners):
    need_postgres()
    result = import_flows(file=csv_of(flows(50)))

    assert (result.created, result.updated, result.unchanged) == (50, 0, 0)
    assert "write, straight in" in result.phases and "write, merged" not in result.phases
    assert MobilityFlow.objects.filter(is_public=True, is_demo=False).count() == 50


def test_a_file_whose_keys_are_stored_is_merged_and_replaces_only_what_changed(partners):
    import_flows(file=csv_of(flows(3)))
    # New rows first, a stored one changed at the end: the straight way meets the stored key last.
    later = [*flows(2, year=2024), [2023, "TH", "DE", "physical", "tvet", 99, "", "", "Programme 3", "Agency"],
             *flows(2)]

    result = import_flows(file=csv_of(later))

    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 2, 1, 2)
    assert figures() == {(2023, "Programme 1"): 10, (2023, "Programme 2"): 10, (2023, "Programme 3"): 99,
                         (2024, "Programme 1"): 10, (2024, "Programme 2"): 10}
    if connection.vendor == "postgresql":
        assert list(result.phases)[:2] == ["write, straight in", "write, merged"]


def test_a_file_with_an_unknown_partner_code_late_in_it_names_the_row_and_writes_nothing(partners):
    rows = [*flows(300), [2023, "TH", "XX", "physical", "tvet", 5, "", "", "", ""]]

    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=csv_of(rows), batch_size=50)

    assert caught.value.messages == ["Line 302, destination: 'XX' is not an ASEM partner code: use the ISO 3166 "
                                     "alpha-2 code (DE, TH, ...), EU or ASEAN."]
    assert not MobilityFlow.objects.exists()


def test_a_row_given_twice_late_in_a_new_file_is_refused_and_nothing_is_written(partners):
    rows = [*flows(300), flows(1)[0]]

    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=csv_of(rows), batch_size=50)

    assert caught.value.messages == ["Line 302: this row repeats line 2: the same year, origin, destination, mode, "
                                     "level, programme and reporter may appear once in a file."]
    assert not MobilityFlow.objects.exists()


def test_a_bad_row_in_a_file_that_is_merged_writes_nothing_either(partners):
    import_flows(file=csv_of(flows(2)))
    before = figures()
    rows = [*flows(2, participants=50), [2023, "TH", "DE", "physical", "tvet", "many", "", "", "Other", ""]]

    with pytest.raises(FlowFileInvalid) as caught:
        import_flows(file=csv_of(rows))

    assert caught.value.messages == ["Line 4, participants: 'many' is not a whole number."]
    assert figures() == before


def test_both_ways_say_where_the_time_went(partners):
    first = import_flows(file=csv_of(flows(5)))
    again = import_flows(file=csv_of(flows(5, participants=7)))

    for result in (first, again):
        assert {"merge", "host rule and data changed", "record", "commit"} <= set(result.phases)
        assert all(seconds >= 0 for seconds in result.phases.values())
        assert result.seconds >= sum(result.phases.values()) - 0.01
    assert again.updated == 5


def _other_connection():
    settings = connection.settings_dict
    return psycopg2.connect(dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
                            host=settings["HOST"], port=settings["PORT"] or None)


def _held_on_flows(reader, pid: int) -> set[str]:
    with reader.cursor() as cursor:
        cursor.execute("SELECT mode FROM pg_locks WHERE pid = %s AND relation = %s::regclass",
                       [pid, MobilityFlow._meta.db_table])
        return {mode for (mode,) in cursor.fetchall()}


@pytest.mark.parametrize("stored_first", [False, True], ids=["straight in", "merged"])
def test_a_reader_is_not_blocked_while_an_import_writes(partners, stored_first):
    need_postgres()
    if stored_first:
        import_flows(file=csv_of(flows(1)))
    import_pid = connection.connection.info.backend_pid
    reader = _other_connection()
    reader.autocommit = True
    seen: list[tuple[int, set[str]]] = []

    def progress(done, total):
        # While the import streams its rows, in the middle of its COPY: another connection reads the flows.
        with reader.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            cursor.execute(f"SELECT count(*) FROM {MobilityFlow._meta.db_table}")  # noqa: S608
            seen.append((cursor.fetchone()[0], _held_on_flows(reader, import_pid)))

    try:
        import_flows(file=csv_of(flows(2000)), progress=progress, progress_every=500, batch_size=100)
        after = _held_on_flows(reader, import_pid)  # the import done, its transaction (the test's) still open
    finally:
        reader.close()

    assert len(seen) >= 4
    weak = {"AccessShareLock", "RowShareLock", "RowExclusiveLock"}
    assert all(held <= weak for _, held in seen) and after <= weak
    assert "RowExclusiveLock" in after


def test_a_stored_key_stops_the_straight_way_within_a_segment_not_at_the_end_of_the_file(partners, monkeypatch):
    need_postgres()
    from django.test.utils import CaptureQueriesContext

    from mobility.imports.copy_writer import CopyWriter

    monkeypatch.setattr(CopyWriter, "SEGMENT_ROWS", 100)
    import_flows(file=csv_of(flows(1)))
    rows = [*flows(250, year=2024), [2023, "TH", "DE", "physical", "tvet", 99, "", "", "Programme 1", "Agency"],
            *flows(300, year=2025)]

    with CaptureQueriesContext(connection) as queries:
        result = import_flows(file=csv_of(rows))

    straight = [q for q in queries.captured_queries if q["sql"].startswith(f"COPY {MobilityFlow._meta.db_table} ")]
    assert len(straight) == 3  # rows 1-100 and 101-200 went in; 201-300 met the stored key at row 251
    assert (result.created, result.updated) == (550, 1)
    assert MobilityFlow.objects.count() == 551
