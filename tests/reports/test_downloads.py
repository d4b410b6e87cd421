"""The report as XLSX and CSV: the page's numbers, cached until the data changes, long periods built by a task."""

import csv
import io

import openpyxl
import pytest

from instruments.models import Instrument
from mobility.models import Activity, Partner
from objectives.models import Objective
from reports import exports, services
from reports.tasks import build_stocktaking_export
from tests import factories
from tests.csv_files import without_licence
from tests.reports import expected
from tests.reports.conftest import build_scenario
from tests.reports.html import number, table, tables

SHEETS = ["Summary", "Progress", "Coverage", "Balance", "Mobility", "Partners", "Activities"]
SHORT = "from=2024&to=2025"
LONG = "from=2015&to=2025"


@pytest.fixture
def committed(transactional_db, strategy):
    """Committed data, as in production: inside a test's transaction the caches are rightly bypassed."""
    return build_scenario()


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def sheet_rows(book, name: str) -> list[list]:
    """A sheet's data rows: after its title and header, up to the blank row before its notes."""
    rows = []
    for row in list(book[name].iter_rows(values_only=True))[2:]:
        if all(value is None for value in row):
            break
        rows.append(list(row))
    return rows


def csv_blocks(content: bytes) -> dict[str, list[list[str]]]:
    """The CSV's blocks by title (without the period): each its header and data rows."""
    blocks, title = {}, None
    for row in csv.reader(io.StringIO(without_licence(content.decode("utf-8-sig")))):
        if not row:
            title = None
        elif title is None:
            title = row[0].rsplit(", ", 1)[0]
            blocks[title] = []
        else:
            blocks[title].append(row)
    return blocks


def test_the_xlsx_opens_with_openpyxl_and_holds_the_same_numbers_as_the_page(client, committed):
    page = client.get(f"/reports/stocktaking/?{SHORT}").content.decode()
    response = client.get(f"/reports/stocktaking/xlsx/?{SHORT}")

    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"] == 'attachment; filename="asem-stocktaking-report-2024-2025.xlsx"'
    book = workbook(response.content)
    assert book.sheetnames == SHEETS
    ids = expected.period_ids(2024, 2025)

    matrix = table(page, "coverage-matrix")
    coverage = sheet_rows(book, "Coverage")
    assert [row[1:] for row in coverage] == [[number(cell) for cell in row[1:]] for row in matrix[1:]]
    instruments = list(Instrument.objects.order_by("number"))
    for row, objective in zip(coverage, Objective.objects.order_by("number"), strict=False):
        assert row[1:-1] == [expected.cell(ids, objective.number, i.slug) for i in instruments]
    empty = [(r, c) for r, row in enumerate(coverage[:4]) for c, value in enumerate(row) if value == 0]
    assert empty
    for r, c in empty:  # the empty cells stand out in the workbook too
        assert book["Coverage"].cell(row=r + 3, column=c + 1).fill.fgColor.rgb.endswith("FFE3E3")

    balance = sheet_rows(book, "Balance")
    for row, cells in zip(balance, table(page, "balance-table")[1:], strict=True):
        assert [row[i] for i in (1, 2, 3, 4, 7, 8)] == [number(cells[i]) for i in (1, 2, 3, 4, 6, 7)]

    mobility = sheet_rows(book, "Mobility")
    assert [row[1:5] for row in mobility] == [[number(cell) for cell in row[1:5]]
                                              for row in table(page, "mobility-table")[1:]]
    assert mobility[-1][1:5] == list(expected.mobility(2024, 2025).values())

    on_page = {row[0].removesuffix(" no activity"): [number(cell) for cell in row[1:]]
               for found in tables(page, "partner-table") for row in found[1:]}
    partners = sheet_rows(book, "Partners")
    assert len(partners) == Partner.objects.count()
    assert {row[1]: row[3:6] for row in partners} == on_page

    summary = dict(sheet_rows(book, "Summary"))
    assert summary["Published activities under way in the period"] == expected.activities(ids)
    assert summary["Partners with no activity"] == sum(1 for row in partners if row[6] == "yes")
    assert summary["Cancelled activities left out"] == 1
    listed = sum(len(found) - 1 for found in tables(page, "activity-group"))
    assert len(sheet_rows(book, "Activities")) == listed


def test_the_csv_holds_the_same_numbers_as_the_workbook(client, committed):
    book = workbook(client.get(f"/reports/stocktaking/xlsx/?{SHORT}").content)
    response = client.get(f"/reports/stocktaking/csv/?{SHORT}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="asem-stocktaking-report-2024-2025.csv"'
    blocks = csv_blocks(response.content)
    assert response.content.decode("utf-8-sig").splitlines()[-1] == (
        "# Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
        "Cite as: ASEM Education Portal, ASEM Education Process.")
    assert list(book["Summary"].iter_rows(values_only=True))[-3:] == [
        ("Licence", "CC BY 4.0"), ("Licence address", "https://creativecommons.org/licenses/by/4.0/"),
        ("Cite as", "ASEM Education Portal, ASEM Education Process.")]
    titles = {name: book[name]["A1"].value.rsplit(", ", 1)[0] for name in SHEETS}
    for name in ("Coverage", "Balance", "Mobility", "Partners"):
        rows = blocks[titles[name]]
        assert rows[0] == [cell.value for cell in book[name][2]]
        data = sheet_rows(book, name)
        for csv_row, sheet_row in zip(rows[1:], data, strict=False):
            for text, value in zip(csv_row, sheet_row, strict=False):
                if isinstance(value, int):
                    assert int(text) == value, (name, csv_row)


def test_a_file_is_kept_until_the_data_changes(client, committed, django_assert_num_queries):
    first = client.get(f"/reports/stocktaking/xlsx/?{SHORT}").content

    # Expect 0 queries: the file comes from the cache
    with django_assert_num_queries(0):
        again = client.get(f"/reports/stocktaking/xlsx/?{SHORT}")
    assert again.content == first

    factories.ActivityFactory(slug="news", title="News of 2025", start_year=2025, end_year=2025)

    changed = workbook(client.get(f"/reports/stocktaking/xlsx/?{SHORT}").content)
    before = dict(sheet_rows(workbook(first), "Summary"))
    after = dict(sheet_rows(changed, "Summary"))
    key = "Published activities under way in the period"
    assert after[key] == before[key] + 1
    assert "News of 2025" in [row[2] for row in sheet_rows(changed, "Activities")]


def test_demo_activities_are_marked_in_the_files(client, transactional_db, strategy):
    build_scenario(demo=True)

    book = workbook(client.get(f"/reports/stocktaking/xlsx/?{SHORT}").content)

    activities = sheet_rows(book, "Activities")
    demo = {row[2] for row in activities if row[11] == "yes"}
    assert demo and demo == {a.title for a in Activity.objects.filter(is_demo=True, pk__in=expected.period_ids(
        2024, 2025))}
    assert "demonstration data" in " ".join(str(row[0]) for row in book["Summary"].iter_rows(values_only=True))


class FakeQueue:
    """A broker that takes tasks and runs none until told to, so the page's waiting states can be seen."""

    def __init__(self, accepts=True):
        self.accepts = accepts
        self.queued = []

    def __call__(self, task, *args, **kwargs):
        if self.accepts:
            self.queued.append((task, args))
        return self.accepts

    def run(self):
        for task, args in self.queued:
            task.run(*args)
        self.queued.clear()


@pytest.fixture
def broker(monkeypatch):
    queue = FakeQueue()
    monkeypatch.setattr("core.queue.enqueue", queue)
    return queue


def test_a_long_period_is_queued_once_and_its_page_follows_it_until_the_download(client, committed, broker):
    response = client.get(f"/reports/stocktaking/xlsx/?{LONG}")

    assert response.status_code == 302
    assert response["Location"] == f"/reports/stocktaking/xlsx/progress/?{LONG}"
    page = client.get(response["Location"]).content.decode()
    assert '<div class="export-progress" data-progress-block>' in page
    assert '<progress id="export-progress" max="100" value="0"' in page
    assert '<div class="export-ready" hidden data-ready-block>' in page
    assert "Waiting for a worker to start building the file." in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'src="/static/js/report.js"' in page
    status = client.get(f"/reports/stocktaking/xlsx/status/?{LONG}").json()
    assert (status["state"], status["progress"]) == ("queued", 0)
    assert [(task, args[:3]) for task, args in broker.queued] == [(build_stocktaking_export, ("xlsx", 2015, 2025))]

    broker.run()

    status = client.get(f"/reports/stocktaking/xlsx/status/?{LONG}").json()
    assert status == {"state": "ready", "progress": 100, "message": "",
                      "download_url": f"/reports/stocktaking/xlsx/?{LONG}"}
    page = client.get(f"/reports/stocktaking/xlsx/progress/?{LONG}").content.decode()
    assert '<div class="export-ready" data-ready-block>' in page
    assert '<div class="export-progress" hidden data-progress-block>' in page
    assert "http-equiv=\"refresh\"" not in page
    download = client.get(f"/reports/stocktaking/xlsx/?{LONG}")
    assert download.status_code == 200
    summary = dict(sheet_rows(workbook(download.content), "Summary"))
    assert (summary["From"], summary["To"]) == (2015, 2025)
    assert summary["Published activities under way in the period"] == expected.activities(
        expected.period_ids(2015, 2025))
    assert broker.queued == []  # nothing was queued twice


def test_the_status_tells_how_far_the_build_has_got(client, committed, broker, monkeypatch):
    seen = []
    build = exports.build

    def watched(report, fmt, on_progress=None):
        seen.append(client.get(f"/reports/stocktaking/csv/status/?{LONG}").json())
        return build(report, fmt, on_progress)

    monkeypatch.setattr(exports, "build", watched)
    client.get(f"/reports/stocktaking/csv/?{LONG}")
    broker.run()

    assert seen[0]["state"] == "running"
    assert 40 <= seen[0]["progress"] < 100
    assert client.get(f"/reports/stocktaking/csv/status/?{LONG}").json()["state"] == "ready"


def test_a_build_that_fails_says_so_and_can_be_tried_again(client, committed, broker, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "build", broken)
    client.get(f"/reports/stocktaking/xlsx/?{LONG}")
    broker.run()

    assert client.get(f"/reports/stocktaking/xlsx/status/?{LONG}").json()["state"] == "failed"
    page = client.get(f"/reports/stocktaking/xlsx/progress/?{LONG}").content.decode()
    assert '<div class="form-errors" data-failed-block role="alert">' in page
    assert "The file could not be built" in page
    assert f'href="/reports/stocktaking/xlsx/progress/?{LONG.replace("&", "&amp;")}&amp;retry=1"' in page

    monkeypatch.undo()
    monkeypatch.setattr("core.queue.enqueue", broker)
    client.get(f"/reports/stocktaking/xlsx/progress/?{LONG}&retry=1")
    broker.run()
    assert client.get(f"/reports/stocktaking/xlsx/status/?{LONG}").json()["state"] == "ready"


def test_without_a_broker_configured_a_long_period_is_built_in_place_and_served(client, committed):
    response = client.get(f"/reports/stocktaking/csv/?{LONG}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="asem-stocktaking-report-2015-2025.csv"'


def test_with_the_broker_away_a_long_period_is_still_served(client, committed, monkeypatch):
    monkeypatch.setattr("core.queue.enqueue", FakeQueue(accepts=False))

    assert client.get(f"/reports/stocktaking/xlsx/?{LONG}").status_code == 200


def test_a_short_period_is_never_queued(client, committed, broker):
    assert client.get(f"/reports/stocktaking/csv/?{SHORT}").status_code == 200
    assert broker.queued == []
    assert not services.needs_background(services.Period(2022, 2025))
    assert services.needs_background(services.Period(2021, 2025))


def test_a_bad_period_gets_the_friendly_page_or_a_json_error(client, committed):
    response = client.get("/reports/stocktaking/xlsx/?from=abc")
    assert response.status_code == 400
    assert "That period cannot be shown" in response.content.decode()

    status = client.get("/reports/stocktaking/xlsx/status/?from=2025&to=2024")
    assert status.status_code == 400
    assert list(status.json()["errors"]) == ["to"]
    assert client.get("/reports/stocktaking/docx/").status_code == 404
