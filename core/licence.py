"""The open-data licence and citation that every page, download and API response states.

The secretariat sets them in the admin (asem_portal.models.OpenDataLicence); that app registers how to read them
here, so the writers at the bottom (CSV and XLSX files, the API's headers) can say them without importing it.
Until a provider is registered, or when it has nothing, the default below holds.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    name: str
    url: str
    citation: str

    def line(self) -> str:
        """One line for the end of a file: the licence, its address and how to cite."""
        return f"Licence: {self.name} ({self.url}). Cite as: {self.citation}"


DEFAULT = Licence(
    name="CC BY 4.0",
    url="https://creativecommons.org/licenses/by/4.0/",
    citation="ASEM Education Portal, ASEM Education Process.",
)

_provider: Callable[[], Licence | None] | None = None


def register(provider: Callable[[], Licence | None]) -> None:
    global _provider
    _provider = provider


def current() -> Licence:
    """The licence in force: the secretariat's if set, else the default."""
    found = _provider() if _provider is not None else None
    return found or DEFAULT
