"""Reading the report page's tables as a reader sees them: rows of cell texts."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append((attrs.get("class") or "", []))
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and self._cell is not None and (attrs.get("aria-hidden") == "true" or self._hidden):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def tables(page: str, css_class: str) -> list[list[list[str]]]:
    """Every table with this class: each a list of rows, each a list of cell texts (aria-hidden text left out)."""
    parser = _Tables()
    parser.feed(page)
    return [rows for classes, rows in parser.tables if css_class in classes.split()]


def table(page: str, css_class: str) -> list[list[str]]:
    found = tables(page, css_class)
    assert len(found) == 1, f"{len(found)} tables of class {css_class}"
    return found[0]


def number(text: str) -> int:
    """The leading whole number of a cell: "1,234", "3 1 demo"; an empty coverage cell reads "none"."""
    first = text.split()[0]
    return 0 if first == "none" else int(first.replace(",", ""))
