"""The whole reporting round in a real browser, as its people click through it.

Sam of the secretariat prepares a round in the admin and opens it. Alice, Germany's focal point, fills part of
her return on its page and saves it, downloads it as a workbook, uploads it back with one bad cell, sees which cell,
fixes it and submits. Sam returns it with a note; she fixes a value and submits again; he approves it. Then the
public indicator page shows Germany's values and the ASEM value made afresh from them and Thailand's, with how many
partners it rests on, and the round's board and public page show Germany approved.

Each page is checked with look_at (console errors, axe-core) and photographed into test-artifacts/screenshots/;
the return's form and the board are also read at a phone's 390 pixels.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from objectives.models import Indicator, Observation, Priority
from reporting import services as reporting
from reporting.models import Return, Round
from tests.browser.fixtures import DESKTOP, PHONE, look_at, sign_in

pytestmark = pytest.mark.browser

ROUND = "Stocktaking 2026"
NOTE = "Please check 2024: the national survey says 68 %."


@pytest.fixture
def digital_skills(strategy):
    """An indicator the partners report, whose ASEM value is the mean of theirs."""
    return Indicator.objects.create(
        priority=Priority.objects.get(code="3.3"), code="3.3.p", name="Adults with basic digital skills", unit="%",
        kind=Indicator.Kind.PERCENTAGE, aggregation=Indicator.Aggregation.MEAN, baseline_year=2020,
        baseline_value=54, target_value=80,
    )


@pytest.fixture
def thailand_reported(digital_skills, bob, secretariat):
    """Thailand reported 60 % for 2024 in last year's round, which the secretariat approved and closed."""
    earlier = Round.objects.create(name="Stocktaking 2025", slug="stocktaking-2025", first_year=2023, last_year=2024,
                                   deadline=datetime.date(2025, 3, 31))
    earlier.indicators.set([digital_skills])
    reporting.open_round(round=earlier, user=secretariat)
    report = Return.objects.get(round=earlier, partner__code="TH")
    report = reporting.save_return(report=report, user=bob, version=report.version,
                                   values={("3.3.p", 2024): 60})
    report = reporting.submit_return(report=report, user=bob, version=report.version)
    reporting.approve_return(report=report, user=secretariat)
    reporting.close_round(round=earlier, user=secretariat)


def answered_400(tab) -> None:
    """A form or file with problems answers 400 on purpose, which Chromium logs as a console error: that one is
    expected."""
    assert tab.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    tab.console_errors.clear()


def fits_a_phone(tab, name: str) -> None:
    """The page read 390 pixels wide scrolls down only, never sideways; then the tab is a desktop's again."""
    page = tab.page
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide on a 390 px phone"
    look_at(tab, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def asem_cells(page, year: int):
    """The cells of the ASEM series' row for a year on an indicator's page: value, what it rests on, note."""
    rows = page.locator("#data-heading ~ .table-scroll tbody tr")
    return rows.filter(has=page.get_by_role("rowheader", name=str(year), exact=True)).locator("td")


def value_cell(page, year: int):
    """The return form's input of 3.3.p for one year, found by its label as a screen reader finds it."""
    return page.get_by_label(f"3.3.p, {year}", exact=True)


def test_the_whole_round_in_a_browser(new_tab, thailand_reported, digital_skills, alice, secretariat, tmp_path):
    sam, focal, public = new_tab(), new_tab(), new_tab()
    indicator_page = reverse("objectives:indicator", args=["3.3.p"])

    # Before the round, the public sees Thailand's value alone making the ASEM value, and nothing of Germany's.
    public.page.goto(indicator_page)
    expect(asem_cells(public.page, 2024)).to_have_text(["60", "1 of 53 partners", re.compile(".*")])
    expect(asem_cells(public.page, 2025)).to_have_count(0)
    expect(public.page.locator("#partner-DE")).to_have_count(0)

    # Sam prepares the round in the admin: name, years, deadline, the indicator, and the four questions offered.
    page = sam.page
    sign_in(page, secretariat)
    page.goto(reverse("admin:reporting_round_changelist"))
    page.get_by_role("link", name="Add round").click()
    page.locator("#id_name").press_sequentially(ROUND)  # typed: the slug follows each key
    expect(page.locator("#id_slug")).to_have_value("stocktaking-2026")
    page.get_by_label("First year").fill("2024")
    page.get_by_label("Last year").fill("2025")
    deadline = timezone.localdate() + datetime.timedelta(days=21)
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.get_by_label(str(digital_skills)).check()
    expect(page.locator("#id_questions-0-text")).to_have_value("What were the highlights of the years this round "
                                                                "covers?")
    look_at(sam, "round-admin-add")
    # axe-core, checking the admin's form, sets a style attribute the site's CSP blocks: its own, not the page's.
    assert all("inline style" in error for error in sam.console_errors)
    sam.console_errors.clear()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(ROUND)

    # He opens it with the list's action: every partner gets its return.
    page.get_by_role("checkbox", name=f"Select this object for an action - {ROUND}").check()
    page.get_by_role("combobox", name=re.compile(r"^Action")).select_option(label="Open the round")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"{ROUND} is open: every partner has its return, prefilled with its approved figures.")
    look_at(sam, "round-admin-opened")
    round_ = Round.objects.get(name=ROUND)
    assert round_.state == Round.State.OPEN
    assert round_.returns.count() == 53
    assert list(round_.questions.order_by("number").values_list("number", "required")) == [
        (1, True), (2, False), (3, False), (4, False)]

    # Alice finds Germany's return in her workspace and fills in 2024 alone, as a draft.
    page = focal.page
    sign_in(page, alice)
    page.get_by_role("link", name=f"Germany: {ROUND}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Germany's return: {ROUND}")
    look_at(focal, "round-return-form")
    value_cell(page, 2024).fill("70")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved the return as a draft (version 1); it is not yet sent for review.")).to_be_visible()
    expect(value_cell(page, 2024)).to_have_value("70")
    expect(value_cell(page, 2025)).to_have_value("")
    fits_a_phone(focal, "round-return-form")

    # She downloads the workbook, fills in 2025 with a word by mistake and the first answer, and uploads it.
    with page.expect_download() as download:
        page.get_by_role("link", name="Workbook (XLSX): values, flows and answers").click()
    workbook_path = tmp_path / download.value.suggested_filename
    assert workbook_path.name == "return-DE-stocktaking-2026-v1.xlsx"
    download.value.save_as(workbook_path)
    workbook = load_workbook(workbook_path)
    values = workbook["Values"]
    assert [[cell.value for cell in row] for row in values.iter_rows(min_row=2, max_col=5)] == [
        ["3.3.p", "Adults with basic digital skills", "%", 2024, 70],
        ["3.3.p", "Adults with basic digital skills", "%", 2025, None],
    ]
    values["E3"] = "about 72"
    workbook["Answers"]["D2"] = "Digital skills courses reached every Land."
    workbook.save(workbook_path)
    page.get_by_label("The filled file (XLSX or CSV)").set_input_files(str(workbook_path))
    page.get_by_role("button", name="Upload and save").click()
    problems = page.locator("#upload-problems")
    expect(problems).to_contain_text("Nothing was saved")
    expect(problems.get_by_role("listitem")).to_have_count(1)
    expect(problems.get_by_role("listitem")).to_have_text(
        "Values sheet, row 3, column E (value): 'about 72' is not a number: type the value in digits, such as 1250 "
        "or 42.5.")
    answered_400(focal)
    look_at(focal, "round-upload-problems")
    assert Return.objects.get(round=round_, partner__code="DE").version == 1

    # She fixes the cell, uploads the file again and submits the return.
    values["E3"] = 72
    workbook.save(workbook_path)
    page.get_by_label("The filled file (XLSX or CSV)").set_input_files(str(workbook_path))
    page.get_by_role("button", name="Upload and save").click()
    expect(page.get_by_text(re.compile(r"saved from return-DE-stocktaking-2026-v1\.xlsx\."))).to_be_visible()
    expect(value_cell(page, 2025)).to_have_value("72")
    expect(page.get_by_label(re.compile(r"^1\. What were the highlights"))).to_have_value(
        "Digital skills courses reached every Land.")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("Sent Germany's return to the secretariat for review.")).to_be_visible()
    expect(page.locator(".kicker .state")).to_have_text("Submitted")
    look_at(focal, "round-return-submitted")

    # Sam finds it in the review queue and returns it with a note.
    page = sam.page
    page.goto(reverse("workspace:home"))
    page.get_by_role("link", name=re.compile(r"^Returns to review: 1 waits")).click()
    look_at(sam, "round-review-queue")
    page.get_by_role("link", name="Germany").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review Germany's return: {ROUND}")
    look_at(sam, "round-review")
    page.get_by_label("What should the focal points change?").fill(NOTE)
    page.get_by_role("button", name="Return with this note").click()
    expect(page.get_by_text("Returned Germany's return to its focal points with your note.")).to_be_visible()

    # Alice sees the note, changes 2024 and submits again.
    page = focal.page
    page.reload()
    expect(page.locator(".kicker .state")).to_have_text("Returned")
    expect(page.get_by_role("note")).to_contain_text(NOTE)
    look_at(focal, "round-return-returned")
    value_cell(page, 2024).fill("68")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("Sent Germany's return to the secretariat for review.")).to_be_visible()

    # Sam sees what approving it changes, and approves.
    page = sam.page
    page.goto(reverse("workspace:review-returns"))
    page.get_by_role("link", name="Germany").click()
    expect(page.locator("#changes-title")).to_contain_text("3 differences from what is public now")
    changes = page.locator("table.changes tbody tr")
    expect(changes.nth(0)).to_contain_text("3.3.p Adults with basic digital skills, 2024")
    expect(changes.nth(0).locator("ins")).to_have_text("68")
    expect(changes.nth(1)).to_contain_text("3.3.p Adults with basic digital skills, 2025")
    expect(changes.nth(1).locator("ins")).to_have_text("72")
    expect(changes.nth(2)).to_contain_text("Digital skills courses reached every Land.")
    look_at(sam, "round-review-resubmitted")
    page.get_by_role("button", name="Approve: make its figures public").click()
    expect(page.get_by_text("Approved Germany's return: its values and flows are now the public figures.")
           ).to_be_visible()
    expect(page.get_by_text("Nothing to review: every submitted return has been handled.")).to_be_visible()

    # The public indicator page: Germany's values, and the ASEM value made afresh, the mean of the partners' values
    # each year, with how many partners it rests on: 2024 is Thailand's 60 and Germany's 68, 2025 Germany's 72.
    page = public.page
    page.goto(indicator_page)
    expect(asem_cells(page, 2024)).to_have_text(["64", "2 of 53 partners", re.compile(".*")])
    expect(asem_cells(page, 2025)).to_have_text(["72", "1 of 53 partners", re.compile(".*")])
    expect(page.get_by_text("2 partners of 53 have reported 3.3.p.")).to_be_visible()
    germany = page.locator("#partner-DE")
    expect(germany.get_by_role("rowheader")).to_have_text("Germany")
    expect(germany.locator("td").nth(0)).to_have_text("72")
    expect(germany.locator("td").nth(1)).to_have_text("2025")
    expect(page.locator("#partner-TH td").nth(0)).to_have_text("60")
    look_at(public, "round-indicator-after")
    asem = {o.year: (o.value, o.coverage) for o in Observation.objects.filter(indicator=digital_skills, partner=None)}
    assert asem == {2024: (64, 2), 2025: (72, 1)}

    # The board shows Germany approved, on a desktop and on a phone.
    page = sam.page
    page.goto(reverse("reporting:board", args=[round_.slug]))
    expect(page.locator("#partner-DE .state")).to_have_text("Approved")
    expect(page.locator("#partner-TH .state")).to_have_text("Draft")
    look_at(sam, "round-board")
    fits_a_phone(sam, "round-board")

    # So does the round's public page.
    page = public.page
    page.goto(reverse("reporting:round", args=[round_.slug]))
    expect(page.get_by_role("row", name=re.compile(r"^Germany"))).to_contain_text("Approved")
    expect(page.get_by_role("row", name=re.compile(r"^Thailand"))).to_contain_text("Not yet")
    look_at(public, "round-public")
