"""The tests' view of the open-data licence that every page and API response states (asem_portal/models.py).

It is read from the cache, and from the database only when the cache has lost it: once after a deploy or a flush,
then never until it expires. A test's database has no licence set, so its cache is told so from the start
(tests/conftest.py); a test that empties the cache to measure a page cold empties it with cold_cache(), which keeps
the licence's entry, so its pinned queries are the page's own and not the one read a whole cache flush costs.
"""

from django.core.cache import cache


def prime_licence() -> None:
    from asem_portal.models import CACHE_KEY, UNSET

    cache.set(CACHE_KEY, UNSET)


def cold_cache() -> None:
    """Everything the portal cached gone, as after a change, but for the licence (which a change keeps)."""
    cache.clear()
    prime_licence()
