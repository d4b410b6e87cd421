"""The links of a table's sortable columns: ascending first, the other way when it is the order already."""

from collections.abc import Iterable


def sort_links(order: str, keys: Iterable[str]) -> dict[str, dict]:
    """Each key's link (the order its column's heading asks for) and aria-sort, for the table sorted by ``order``
    (a key, "-" first when descending)."""
    links = {}
    for key in keys:
        if order == key:
            links[key] = {"order": f"-{key}", "aria_sort": "ascending"}
        elif order == f"-{key}":
            links[key] = {"order": key, "aria_sort": "descending"}
        else:
            links[key] = {"order": key, "aria_sort": ""}
    return links
