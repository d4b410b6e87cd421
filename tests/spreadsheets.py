"""Workbooks for the upload tests, good and crafted: built in memory, so no test carries a file of megabytes."""

import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook

from mobility.imports import FLOW_COLUMNS

SHEET = "xl/worksheets/sheet1.xml"


def xlsx_of(rows, header=FLOW_COLUMNS) -> bytes:
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append([None if value == "" else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewritten(xlsx: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one of its parts changed, the others as they were."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, change(content) if name == part else content)
    return out.getvalue()


def with_huge_header_cell(megabytes: int = 20) -> bytes:
    """A workbook of a few kilobytes whose first header cell unpacks to `megabytes` of text: a zip bomb."""
    huge = b"A" * (megabytes * 1024 * 1024)
    return rewritten(xlsx_of([]), SHEET, lambda xml: xml.replace(b"<t>year</t>", b"<t>" + huge + b"</t>", 1))
