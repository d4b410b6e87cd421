"""Many addresses of one page, each for another code, slug or number, reversed once.

A table of thousands of rows linking the same page (the sitemap's activities, the board's reviews) would otherwise
reverse its URL once a row.
"""

from collections.abc import Callable

from django.urls import reverse

# Digits: every converter a last argument may have (int, slug, str) takes it.
MARKER = "9090909090"


def reversed_once(url_name: str, *args) -> Callable[[object], str]:
    """A function giving reverse(url_name, args=[*args, value]) for a value that an address holds as it is (a code,
    a slug or a number), the URL reversed once here."""
    before, _marker, after = reverse(url_name, args=[*args, MARKER]).partition(MARKER)
    return lambda value: f"{before}{value}{after}"
