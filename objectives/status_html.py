"""A status as the pages draw it (templates/includes/status.html), written directly for the tables that draw
hundreds of statuses (an objective's and an indicator's rows, a partner's profile, the partners side by side), where
the template engine spent more time on the include than the rest of the page took."""

import functools

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from objectives import progress


@functools.cache
def _plain(status: str, language: str | None) -> SafeString:
    """A status without an override in a language: one translation for each of the six statuses, not one a cell."""
    return format_html('<span class="status status-{}">{}</span>', status, progress.status_label(status))


def status_span(result: progress.IndicatorResult | progress.RollupResult) -> SafeString:
    """templates/includes/status.html for the result, character for character, without the include's closing new
    line: its span, and the reason when it was set by hand."""
    if getattr(result, "indicator_count", None) == 0:
        html = format_html('<span class="status status-{}">{}</span>', result.status, gettext("Not assessed yet"))
    elif not result.is_override:
        return _plain(result.status, get_language())
    else:
        html = format_html('<span class="status status-{}">{}</span>', result.status, result.status_label)
    override = (format_html(' <span class="override">{} {}</span>', gettext("Set by hand:"), result.override_reason)
                if result.is_override else "")
    return format_html("{}{}", html, override)


def status_html(result: progress.IndicatorResult | progress.RollupResult) -> SafeString:
    """templates/includes/status.html for the result, character for character, its closing new line included."""
    return mark_safe(status_span(result) + "\n")  # noqa: S308 - the span is escaped


def explained_status_html(result: progress.IndicatorResult) -> SafeString:
    """The status in a span whose title explains it, as the tables of partners' statuses draw each cell."""
    return format_html('<span title="{}">{}</span>', result.explanation, status_html(result))
