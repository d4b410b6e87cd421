"""A status as the pages draw it (templates/includes/status.html), written directly for the tables that draw
hundreds of statuses, a partner's profile and the partners side by side, where the template engine spent more time
on the include than the rest of the page took."""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from objectives import progress

_spans: dict[tuple[str | None, str], SafeString] = {}


def _span(status: str) -> SafeString:
    """The status's span and the include's closing new line in the active language: one translation for each of
    its six statuses, not one a cell."""
    key = (get_language(), status)
    if key not in _spans:
        _spans[key] = format_html('<span class="status status-{}">{}</span>\n', status, progress.status_label(status))
    return _spans[key]


def status_html(result: progress.IndicatorResult | progress.RollupResult) -> SafeString:
    """templates/includes/status.html for the result, character for character, its closing new line included."""
    if getattr(result, "indicator_count", None) == 0:
        html = format_html('<span class="status status-{}">{}</span>', result.status, gettext("Not assessed yet"))
    elif not result.is_override:
        return _span(result.status)
    else:
        html = format_html('<span class="status status-{}">{}</span>', result.status, result.status_label)
    override = (format_html(' <span class="override">{} {}</span>', gettext("Set by hand:"), result.override_reason)
                if result.is_override else "")
    return format_html("{}{}\n", html, override)


def explained_status_html(result: progress.IndicatorResult) -> SafeString:
    """The status in a span whose title explains it, as the tables of partners' statuses draw each cell."""
    return format_html('<span title="{}">{}</span>', result.explanation, status_html(result))
