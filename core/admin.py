"""What the apps' admin pages share, importing none of the apps."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connections
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
    checkbox is written directly, as Django's widget template writes it, not rendered through that template.
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

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
