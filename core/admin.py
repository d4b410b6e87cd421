"""What the apps' admin pages share, importing none of the apps."""

import datetime
import functools

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections, models
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Below this many rows an exact count is cheap, and the planner's estimate of a small table can be far off.
ESTIMATE_FROM_ROWS = 10_000


def table_count(queryset) -> tuple[int, bool] | None:
    """(rows, estimated) for the queryset's whole table, in one query on PostgreSQL: the planner's estimate
    (pg_class.reltuples, which ANALYZE and autovacuum keep) when it is at least ESTIMATE_FROM_ROWS, else an exact
    count. None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint ELSE (SELECT count(*) FROM {table}) END, "  # noqa: S608 (the table's name)
            "reltuples >= %s FROM pg_class WHERE oid = %s::regclass",
            [ESTIMATE_FROM_ROWS, ESTIMATE_FROM_ROWS, table])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _whole_table(queryset) -> bool:
    query = queryset.query
    return not (query.where or query.distinct or query.combinator or query.low_mark or query.high_mark is not None)


def _quoted(model, field_name: str, using: str):
    """The connection, and the model's table and the field's column quoted for it."""
    connection = connections[using]
    quote = connection.ops.quote_name
    return connection, quote(model._meta.db_table), quote(model._meta.get_field(field_name).column)


def indexed_values(model, field_name: str, *, using: str = "default") -> tuple[list, bool]:
    """(the column's distinct values in order, whether it holds NULL): one index probe a value (a loose index scan,
    which SQLite and PostgreSQL both run), where SELECT DISTINCT reads every row. Only for a column with an index of
    its own, or leading one."""
    connection, table, column = _quoted(model, field_name, using)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE found(value) AS (SELECT MIN({column}) FROM {table} UNION ALL "  # noqa: S608 (names)
            f"SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value) FROM found "
            f"WHERE found.value IS NOT NULL) "
            f"SELECT value, 0 FROM found WHERE value IS NOT NULL "
            f"UNION ALL SELECT NULL, 1 WHERE EXISTS (SELECT 1 FROM {table} WHERE {column} IS NULL)")
        rows = cursor.fetchall()
    field = model._meta.get_field(field_name)
    values = [field.to_python(value) for value, null in rows if not null]
    return sorted(values), any(null for _value, null in rows)


def indexed_years(model, field_name: str, *, using: str = "default") -> list[int] | None:
    """The years a date column holds, in order: one index probe a year, where the date hierarchy's DISTINCT
    date_trunc reads every row. None on a database other than PostgreSQL."""
    connection, table, column = _quoted(model, field_name, using)
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE found(day) AS (SELECT MIN({column}) FROM {table} UNION ALL "  # noqa: S608 (names)
            f"SELECT (SELECT MIN({column}) FROM {table} "
            f"WHERE {column} >= make_date(extract(year FROM found.day)::int + 1, 1, 1)) FROM found "
            f"WHERE found.day IS NOT NULL) SELECT extract(year FROM day)::int FROM found WHERE day IS NOT NULL")
        return [year for (year,) in cursor.fetchall()]


class IndexedValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """The admin's filter by a column's values, its choices read from the column's index (indexed_values) when the
    list is the whole table, as it is unless the admin narrows its queryset."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        queryset = model_admin.get_queryset(request)
        if field_path == field.name and _whole_table(queryset):
            values, has_null = indexed_values(model, field.name, using=queryset.db)
            self.lookup_choices = [*values, None] if has_null else values


class _YearsFromIndex:
    """A whole table's date hierarchy: its years read by indexed_years, not by DISTINCT over every row."""

    def dates(self, field_name, kind, order="ASC"):
        if kind == "year" and order == "ASC" and _whole_table(self) and "__" not in field_name:
            years = indexed_years(self.model, field_name, using=self.db)
            if years is not None:
                return [datetime.date(year, 1, 1) for year in years]
        return super().dates(field_name, kind, order)


@functools.cache
def _years_from_index(queryset_class):
    return type(f"YearsFromIndex{queryset_class.__name__}", (_YearsFromIndex, queryset_class), {})


class IndexedYearsChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        field = self.date_hierarchy and self.model._meta.get_field(self.date_hierarchy)
        if field and type(field) is models.DateField and not isinstance(queryset, _YearsFromIndex):
            queryset.__class__ = _years_from_index(type(queryset))
        return queryset


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered list of a large table by the planner's estimate, not count(*) over every row: a million
    flows take PostgreSQL most of a second to count. A filtered or searched list, and any small table, is counted
    exactly; `estimated` says which, so the page can say "about"."""

    estimated = False

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query") and _whole_table(self.object_list):
            counted = table_count(self.object_list)
            if counted is not None:
                rows, self.estimated = counted
                return rows
        return super().count


class EstimatedCountAdminMixin:
    """A change list of a large table, made cheaper where the admin's defaults cost most with many rows.

    Its unfiltered length is PostgreSQL's estimate, shown as "about" (the admin's pagination, search bar and "select
    all" templates in templates/admin/); a filtered one is counted once, not also counted whole for the "N total"
    beside the search bar. A page holds 50 rows, not 100: drawing the rows is most of the page's time. Each row's
    checkbox is written directly, as Django's widget template writes it, not rendered through that template. A
    date hierarchy over a date column with an index reads its years from the index (IndexedYearsChangeList).
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return IndexedYearsChangeList

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, str(obj.pk),
                           format_html(_("Select this object for an action - {}"), str(obj)))


class ReadOnlyAdminMixin:
    """A record the admin shows and never writes: added, changed and deleted elsewhere, if at all."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UndeliveredEmailAdminMixin:
    """The kept emails (core.models.AbstractUndeliveredEmail) as they were: never added or changed here; the
    secretariat sends them again once the mail server is back, or deletes them once the people concerned were told
    another way. The admin names how one is sent again, in send_email_again."""

    list_filter = ["event"]
    actions = ["send_again"]

    def send_email_again(self, undelivered) -> None:
        raise NotImplementedError

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Sending one again takes it off the list, as deleting would: the same right.
    @admin.action(description=_("Send the selected emails again"), permissions=["delete"])
    def send_again(self, request, queryset):
        count = 0
        for undelivered in queryset:
            self.send_email_again(undelivered)
            count += 1
        self.message_user(request, ngettext(
            "Sending %(n)d email again; if it fails once more, it comes back to this list.",
            "Sending %(n)d emails again; one that fails once more comes back to this list.", count) % {"n": count},
            messages.SUCCESS)
