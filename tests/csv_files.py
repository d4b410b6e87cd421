"""Reading a CSV download as its data: the licence line every download ends with is checked where it is the point
(tests/core/test_csv_licence.py), and left out where the rows are."""

from core.exports import LICENCE_MARK


def download_text(response) -> str:
    """A CSV download's text, whether it was streamed (a table that grows with the data) or sent whole."""
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def without_licence(text: str) -> str:
    """The file's text less its last line when that is the licence line (core.exports.licence_line)."""
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].startswith(f"{LICENCE_MARK} Licence:"):
        lines = lines[:-1]
    return "".join(lines)


def licence_line_of(text: str) -> str:
    """The file's last line, which states the licence."""
    return text.splitlines()[-1]
