"""The whole reporting journey in a real browser: Alice, Germany's new focal point, reports an activity (with a
mistake she fixes), Sam of the secretariat returns it with a note, she fixes it, he publishes it, and its history
shows every step. Then she uploads a year of mobility data. Each page is checked with look_at (console errors,
axe-core) and photographed into test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from mobility.models import Activity, MobilityFlow, Partner
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


def test_a_focal_point_uploads_a_year_of_mobility_data_after_fixing_the_file(tab, alice, tmp_path):
    page = tab.page
    bad = tmp_path / "flows-2025.csv"
    bad.write_text("year,origin,destination,mode,level,participants,female,fewer_opportunities,programme,source\n"
                   "2025,TH,DE,physical,higher_education,120,130,,ASEM-DUO,DAAD\n"
                   "2025,TH,JP,physical,tvet,30,10,,,Survey\n")
    sign_in(page, alice)
    page.get_by_role("link", name="Upload mobility data").click()
    look_at(tab, "workspace-mobility")

    page.get_by_label("A CSV or XLSX file of flows").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and import").click()
    problems = page.locator("#upload-problems")
    expect(problems).to_contain_text("Nothing was imported")
    expect(problems).to_contain_text("Line 2, female: 130 female participants are more than the 120 participants.")
    expect(problems).to_contain_text("Line 3: you may not report the flow TH to JP")
    answered_400(tab)
    look_at(tab, "upload-problems")
    before = MobilityFlow.objects.count()

    bad.write_text("year,origin,destination,mode,level,participants,female,fewer_opportunities,programme,source\n"
                   "2025,TH,DE,physical,higher_education,120,64,,ASEM-DUO,DAAD\n"
                   "2025,DE,JP,virtual,tvet,30,10,,,Survey\n")
    page.get_by_label("A CSV or XLSX file of flows").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_text(re.compile(r"Imported 2 rows from flows-2025\.csv"))).to_be_visible()
    assert MobilityFlow.objects.count() == before + 2
    page.get_by_role("link", name=re.compile(r"^Versions of 2025 TH to DE")).click()
    expect(page.get_by_text("Uploaded in flows-2025.csv")).to_be_visible()
    look_at(tab, "flow-history")


def test_the_page_of_a_large_upload_shows_how_far_the_import_has_got(tab, alice):
    from mobility import uploads

    job = uploads.UploadJob(id="0" * 32, user_id=alice.pk, restricted=True, filename="flows-2019-2025.xlsx",
                            size=4_200_000, state=uploads.RUNNING, done=31_000, total=84_000,
                            message="Checking and importing the rows.")
    uploads._save_job(job)
    page = tab.page
    sign_in(page, alice)

    page.goto(f"/workspace/mobility/uploads/{job.id}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Importing flows-2019-2025.xlsx")
    expect(page.locator("progress")).to_have_attribute("value", "36")
    page.wait_for_timeout(1500)  # the page has asked for the status at least once
    expect(page.get_by_role("status")).to_contain_text("31,000 of about 84,000 rows.")
    look_at(tab, "upload-progress")


def test_the_page_of_an_upload_no_longer_kept_stops_asking_and_reloads(tab, alice):
    from mobility import uploads

    job = uploads.UploadJob(id="1" * 32, user_id=alice.pk, restricted=True, filename="flows-2019-2025.xlsx",
                            size=4_200_000, state=uploads.RUNNING, done=31_000, total=84_000,
                            message="Checking and importing the rows.")
    uploads._save_job(job)
    page = tab.page
    sign_in(page, alice)
    page.goto(f"/workspace/mobility/uploads/{job.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing flows-2019-2025.xlsx")

    uploads._tracked(job.id).forget()  # its few hours are over

    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot find that page")
