"""What a lower app's pages list but do not hold: the activities that serve an objective or use an instrument.

The app that holds the items fills the slot from its AppConfig.ready(), so the app whose pages read it never
imports the app above it, as objectives' metric registry does for computed indicators. Until an app fills it,
nothing is related.
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

# {key: (items, of which demo)}: a key is what the list page names its rows by (a number, a slug).
Counts = Mapping[Hashable, tuple[int, int]]


class RelatedItems:
    def __init__(self) -> None:
        self._counts: Callable[[], Counts] = dict
        self._first: Callable[[Any, int], tuple[Sequence, int]] = lambda owner, limit: ([], 0)

    def register(self, *, counts: Callable[[], Counts], first: Callable[[Any, int], tuple[Sequence, int]]) -> None:
        self._counts, self._first = counts, first

    def counts(self) -> Counts:
        """How many items each key has, and how many of them are demonstration data."""
        return self._counts()

    def first(self, owner, *, limit: int) -> tuple[Sequence, int]:
        """The owner's first items, at most limit of them, and how many it has in all."""
        return self._first(owner, limit)
