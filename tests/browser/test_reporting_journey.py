"""The whole reporting journey in a real browser: Alice, Germany's new focal point, reports an activity (with a
mistake she fixes), Sam of the secretariat returns it with a note, she fixes it, he publishes it, and its history
shows every step. Then she reports a year of mobility flows in Germany's return (no longer as a file straight to the
public figures), and they become Germany's reported rows once the return is approved. Each page is checked with
look_at (console errors, axe-core) and photographed into test-artifacts/screenshots/."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mobility.models import Activity, MobilityFlow, Partner
from reporting import services as reporting
from reporting.models import Return, Round
from tests import factories
from tests.browser.fixtures import PASSWORD, look_at

pytestmark = pytest.mark.browser

TITLE = "Asia-Europe seminar on micro-credentials"


def sign_in(page, user) -> None:
    """Sign in as a person would: from the header's link, on the portal's own form."""
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your workspace")).to_be_visible()


def answered_400(tab) -> None:
    """A form with problems answers 400 on purpose, which Chromium logs as a console error: that one is expected."""
    assert tab.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    tab.console_errors.clear()


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    expect(page.get_by_role("heading", name="Signed out")).to_be_visible()


@pytest.fixture
def alice(portal_data):
    """Alice is the focal point for Germany, new to the portal."""
    return factories.focal_point("alice", Partner.objects.get(code="DE"))


def test_a_focal_point_reports_an_activity_and_the_secretariat_publishes_it_with_every_version_kept(
        tab, alice, secretariat):
    page = tab.page

    # Alice signs in and starts a new activity, with the end before the start by mistake.
    sign_in(page, alice)
    look_at(tab, "workspace-home")
    page.get_by_role("link", name="Report a new activity").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Two days on recognising short courses across both regions.")
    page.get_by_label("Type").select_option(label="Conference or seminar")
    page.get_by_label("Start date").fill("2026-03-10")
    page.get_by_label("End date").fill("2026-03-09")
    page.get_by_label("Place").fill("Berlin, Germany")
    page.get_by_label("Thailand").check()
    page.get_by_label(re.compile(r"4\. Creating more Transparency")).check()
    page.get_by_role("button", name="Save draft").click()

    # The error is next to the end date, and listed at the top with a link to it.
    expect(page.locator("#id_end_date_error")).to_have_text("The end date cannot be before the start date.")
    expect(page.get_by_role("alert")).to_contain_text("End date: The end date cannot be before the start date.")
    expect(page.get_by_label("End date")).to_have_attribute("aria-invalid", "true")
    answered_400(tab)
    look_at(tab, "activity-form-error")
    assert Activity.objects.filter(title=TITLE).count() == 0

    # She fixes it and submits.
    page.get_by_label("End date").fill("2026-03-11")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator(".state")).to_have_text("Submitted")
    look_at(tab, "activity-submitted")
    slug = Activity.objects.get(title=TITLE).slug
    sign_out(page)

    # Sam returns it with a note.
    sign_in(page, secretariat)
    page.get_by_role("link", name=re.compile(r"^Review queue")).first.click()
    submission = page.locator(f"#activity-{slug}")
    expect(submission).to_contain_text("Never published: all of it is new")
    look_at(tab, "review-queue")
    submission.get_by_label("What should the focal points change?").fill(
        "Please add how many participants come from Asia.")
    submission.get_by_role("button", name="Return with this note").click()
    expect(page.get_by_text(f"Returned “{TITLE}” to its focal points with your note.")).to_be_visible()
    sign_out(page)

    # Alice sees the note, fixes the activity and submits it again.
    sign_in(page, alice)
    expect(page.locator(f"#activity-{slug}")).to_contain_text("Please add how many participants come from Asia.")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("note")).to_contain_text("Please add how many participants come from Asia.")
    page.get_by_role("link", name="Change it").click()
    page.get_by_label("Participants from Asia").fill("40")
    page.get_by_label("Participants from Europe").fill("60")
    look_at(tab, "activity-form-returned")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".state")).to_have_text("Submitted")
    sign_out(page)

    # Sam sees what changed since he returned it, and approves.
    sign_in(page, secretariat)
    page.goto("/workspace/review/")
    submission = page.locator(f"#activity-{slug}")
    expect(submission).to_contain_text("Changed since it was returned on")
    expect(submission.locator("table").first).to_contain_text("Participants from Asia")
    look_at(tab, "review-queue-resubmitted")
    submission.get_by_role("link", name="Approve and publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish “{TITLE}”?")
    look_at(tab, "review-confirm")
    page.get_by_role("button", name="Publish it now").click()
    expect(page.get_by_text(f"Published “{TITLE}”: it is now on the public pages and in the API.")).to_be_visible()

    # Its history shows every step, who took it and what it changed.
    page.goto(f"/workspace/activities/{slug}/history/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"History of “{TITLE}”")
    versions = page.locator("li.version")
    expect(versions).to_have_count(6)
    states = [versions.nth(i).locator(".meta .state").inner_text() for i in range(6)]
    assert states == ["Published", "Submitted", "Returned", "Returned", "Submitted", "Draft"]
    authors = [versions.nth(i).locator(".meta strong").inner_text() for i in range(6)]
    assert authors == ["sam", "alice", "alice", "sam", "alice", "alice"]
    expect(versions.nth(3)).to_contain_text("Please add how many participants come from Asia.")
    look_at(tab, "activity-history")
    sign_out(page)

    # The public sees it.
    page.goto("/activities/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("100 in all: 40 from Asia, 60 from Europe")).to_be_visible()


@pytest.fixture
def mobility_round(strategy, secretariat):
    """A round open for 2025's mobility flows, with a return for every partner."""
    round_ = Round.objects.create(name="Mobility 2025", slug="mobility-2025", first_year=2025, last_year=2025,
                                  deadline=timezone.localdate() + datetime.timedelta(days=21), includes_flows=True)
    reporting.open_round(round=round_, user=secretariat)
    return round_


def fill_flow(page, row: int, *, origin: str, destination: str, mode: str, level: str, participants: str,
              female: str = "", programme: str = "", source: str = "") -> None:
    """Fill one row of the return's flows, each input found by its label as a screen reader reads it."""
    page.get_by_label(f"Year, row {row}", exact=True).select_option("2025")
    page.get_by_label(f"From, row {row}", exact=True).select_option(label=origin)
    page.get_by_label(f"To, row {row}", exact=True).select_option(label=destination)
    page.get_by_label(f"Mode, row {row}", exact=True).select_option(label=mode)
    page.get_by_label(f"Level, row {row}", exact=True).select_option(label=level)
    page.get_by_label(f"Programme, row {row}", exact=True).fill(programme)
    page.get_by_label(f"Participants, row {row}", exact=True).fill(participants)
    page.get_by_label(f"Of them female, row {row}", exact=True).fill(female)
    page.get_by_label(f"Source, row {row}", exact=True).fill(source)


def test_a_focal_point_reports_a_year_of_mobility_in_her_return_and_it_is_public_once_approved(
        tab, mobility_round, secretariat):
    alice = factories.focal_point("alice", Partner.objects.get(code="DE"))
    page = tab.page
    sign_in(page, alice)

    # The mobility page takes no file of hers: her partner's flows are reported in its return.
    page.get_by_role("navigation").get_by_role("link", name="Mobility data").click()
    expect(page.get_by_role("heading", level=1, name="Mobility data")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(0)
    look_at(tab, "workspace-mobility")
    page.get_by_role("link", name="A round is open: report your flows in your return").click()
    page.get_by_role("link", name="Mobility 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Germany's return: Mobility 2025")

    # She fills two flows, the first with more women than participants by mistake.
    fill_flow(page, 1, origin="Thailand (TH)", destination="Germany (DE)", mode="Physical",
              level="Higher education", programme="ASEM-DUO", participants="120", female="130", source="DAAD")
    fill_flow(page, 2, origin="Germany (DE)", destination="Japan (JP)", mode="Virtual", level="TVET",
              participants="30", female="10", source="Survey")
    page.get_by_role("button", name="Save draft").click()

    # The error is beside the input and listed at the top; nothing is saved.
    expect(page.locator("#flow-1")).to_contain_text("Cannot be more than the participants (120).")
    expect(page.get_by_role("alert")).to_contain_text(
        "Flow row 1, of them female: Cannot be more than the participants (120).")
    answered_400(tab)
    look_at(tab, "return-flow-error")
    report = Return.objects.get(round=mobility_round, partner__code="DE")
    assert report.flows.count() == 0

    # She fixes it and saves: the flows are in the return, and nothing of them is public yet.
    page.get_by_label("Of them female, row 1", exact=True).fill("64")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved the return as a draft (version 1); it is not yet sent for review.")).to_be_visible()
    saved = {tuple(page.get_by_label(f"{label}, row {row}", exact=True).input_value()
                   for label in ("From", "To", "Participants", "Of them female")) for row in (1, 2)}
    assert saved == {("TH", "DE", "120", "64"), ("DE", "JP", "30", "10")}
    assert report.flows.count() == 2
    assert not MobilityFlow.objects.filter(reported_by__code="DE").exists()
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".kicker .state")).to_have_text("Submitted")

    # Once the secretariat approves the return, they are Germany's reported rows, each with its history.
    reporting.approve_return(report=Return.objects.get(pk=report.pk), user=secretariat)
    assert MobilityFlow.objects.filter(reported_by__code="DE", year=2025).count() == 2
    page.get_by_role("navigation").get_by_role("link", name="Mobility data").click()
    page.get_by_role("link", name=re.compile(r"^Versions of 2025 TH to DE")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "History of “2025 TH → DE, physical, higher education: 120”")
    expect(page.get_by_text("Created by sam")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Reported by"))).to_contain_text("Germany")
    look_at(tab, "flow-history")


def test_the_page_of_a_large_upload_shows_how_far_the_import_has_got(tab, secretariat):
    from mobility import uploads

    job = uploads.UploadJob(id="0" * 32, user_id=secretariat.pk, restricted=False, filename="flows-2019-2025.xlsx",
                            size=4_200_000, state=uploads.RUNNING, done=31_000, total=84_000,
                            message="Checking and importing the rows.")
    uploads._save_job(job)
    page = tab.page
    sign_in(page, secretariat)

    page.goto(f"/workspace/mobility/uploads/{job.id}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Importing flows-2019-2025.xlsx")
    expect(page.locator("progress")).to_have_attribute("value", "36")
    page.wait_for_timeout(1500)  # the page has asked for the status at least once
    expect(page.get_by_role("status")).to_contain_text("31,000 of about 84,000 rows.")
    look_at(tab, "upload-progress")


def test_the_page_of_an_upload_no_longer_kept_stops_asking_and_reloads(tab, secretariat):
    from mobility import uploads

    job = uploads.UploadJob(id="1" * 32, user_id=secretariat.pk, restricted=False, filename="flows-2019-2025.xlsx",
                            size=4_200_000, state=uploads.RUNNING, done=31_000, total=84_000,
                            message="Checking and importing the rows.")
    uploads._save_job(job)
    page = tab.page
    sign_in(page, secretariat)
    page.goto(f"/workspace/mobility/uploads/{job.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing flows-2019-2025.xlsx")

    uploads._tracked(job.id).forget()  # its few hours are over

    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot find that page")
