"""The indexes the public lists of activities are read through exist, on the columns their queries use: a page of the
newest, the latest published, a count of a filtered list, and the activities of a partner, objective, priority or
instrument."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: details["columns"] for name, details in constraints.items() if details["index"]}


def test_a_filtered_lists_count_has_its_index_of_published_activities():
    assert indexes("mobility_activity")["activity_published_filters"][0] == "id"


@pytest.mark.parametrize("table, column", [
    ("partners", "partner"), ("objectives", "objective"), ("priorities", "priority"), ("instruments", "instrument"),
])
def test_each_link_table_is_indexed_from_its_other_end_with_the_activity_beside_it(table, column):
    found = indexes(f"mobility_activity_{table}")

    assert found[f"activity_{table}_by_{column}"] == [f"{column}_id", "activity_id"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ordered and covering indexes are PostgreSQL's")
def test_on_postgresql_the_lists_are_read_in_order_and_counted_from_indexes_of_published_activities_only():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mobility_activity'")
        definitions = dict(cursor.fetchall())

    newest = definitions["activity_published_newest"]
    assert "start_year DESC NULLS LAST, start_date DESC NULLS LAST, title, id" in newest
    assert "WHERE ((state)::text = 'published'::text)" in newest
    assert "published_at DESC NULLS LAST, title" in definitions["activity_published_latest"]
    assert ("INCLUDE (lead_partner_id, activity_type, status, delivery_mode, start_year, end_year, is_demo)"
            in definitions["activity_published_filters"])
