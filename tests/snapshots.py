"""Content built once per test session and put back into each test that asks for it.

Loading the real strategy runs hundreds of validated saves with their history
and signals, and the demo portal thousands more: seconds a test, in about a
hundred and fifty tests. A snapshot runs the loader once, keeps every row it
wrote, with the primary keys it had, and puts them back in one bulk insert a
table, inside the test's own database, so a test may change them freely: a
test's transaction rolls them back, a transactional test's flush empties them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model


def _tables() -> list[type[Model]]:
    return [model for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy]


def _rows(model: type[Model]) -> dict:
    return {row[model._meta.pk.attname]: row for row in model._base_manager.order_by("pk").values()}


@dataclass
class Snapshot:
    rows: dict[type[Model], list[dict]]
    # What the loader's writes left for their transaction's commit (a refresh, a cache generation): queued again,
    # so a test's transaction holds them pending, and a committing one runs them, as after the loader itself.
    on_commit: list[tuple[Callable, bool]] = field(default_factory=list)

    def fits(self) -> bool:
        """Its rows go in as they are only while none of its tables holds a row: nothing to clash or merge with."""
        return not any(model._base_manager.exists() for model in self.rows)

    def restore(self) -> None:
        with transaction.atomic():
            for model, rows in self.rows.items():
                model._base_manager.bulk_create([model(**row) for row in rows])
            # The rows came with their keys: the next row a test creates must not be given one of them.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.rows)):
                    cursor.execute(sql)
            for callback, robust in self.on_commit:
                transaction.on_commit(callback, robust=robust)


def take(build: Callable[[], object], *, commit: bool = False) -> Snapshot:
    """Run build() on the test database and keep what it wrote; the database is left as it was.

    commit=False runs it in a transaction that is rolled back, as a test's is; commit=True lets it commit, so what
    its commits start (refreshes and rebuilds run by tasks) is part of the snapshot, and then empties the database
    as a transactional test's flush does. Call it with database access unblocked and no test transaction open.
    """
    tables = _tables()
    before = {model: _rows(model) for model in tables}
    if commit:
        try:
            build()
            return _compare(tables, before)
        finally:
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=False)
    with transaction.atomic():
        queued = len(connection.run_on_commit)
        build()
        snapshot = _compare(tables, before)
        snapshot.on_commit = [(callback, robust) for _, callback, robust in connection.run_on_commit[queued:]]
        transaction.set_rollback(True)
    return snapshot


def _compare(tables: list[type[Model]], before: dict) -> Snapshot:
    written = {}
    for model in tables:
        now = _rows(model)
        if any(now.get(key) != row for key, row in before[model].items()):
            raise ValueError(f"the loader changed rows of {model._meta.label} that were there before it")
        new = [row for key, row in now.items() if key not in before[model]]
        if new:
            written[model] = new
    for model, rows in written.items():
        for fk in (f for f in model._meta.concrete_fields if f.is_relation):
            kept = {row[fk.target_field.attname] for row in written.get(fk.related_model, [])}
            outside = {row[fk.attname] for row in rows} - kept - {None}
            if outside:
                # Such a row (a user, a group) need not have the same key in a later test's database.
                raise ValueError(f"{model._meta.label}.{fk.name} points at rows the loader did not write")
    return Snapshot(written)
