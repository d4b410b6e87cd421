"""Data releases: who may ask for one, what the package holds, and the data page that lists them."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core import licence
from mobility.models import Activity, MobilityFlow
from objectives.models import Strategy
from opendata import package, releases
from opendata.models import DataRelease, ReleaseChunk
from reporting import services as reporting
from reporting.models import Return, Round
from tests import factories
from tests.pages import visitor_client


@pytest.fixture
def vera():
    """Vera reads the portal without signing in."""
    return visitor_client()


def opened(release: DataRelease) -> zipfile.ZipFile:
    data = b"".join(releases.chunks(release))
    return zipfile.ZipFile(io.BytesIO(data))


def table(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.TextIOWrapper(archive.open(f"data/{name}.csv"), encoding="utf-8", newline="")))


def descriptor(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("datapackage.json"))


# Who may ask --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_only_the_secretariat_may_ask_for_a_release(who, request, strategy):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        releases.request_release(user=user, reason="Because")

    assert not DataRelease.objects.exists()


def test_the_secretariat_asks_for_a_release_and_it_is_built(strategy, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        release = releases.request_release(user=secretariat, reason="The 2027 figures corrected")

    release.refresh_from_db()
    assert release.number == 1
    assert release.state == DataRelease.State.READY
    assert release.requested_by == secretariat
    assert release.why == "Requested by the secretariat: The 2027 figures corrected"
    data = b"".join(releases.chunks(release))
    assert len(data) == release.size
    assert hashlib.sha256(data).hexdigest() == release.sha256


def test_a_release_is_refused_while_another_is_being_built(strategy, secretariat):
    DataRelease.objects.create(number=1)

    with pytest.raises(releases.ReleaseRefused, match="Release 1 is being built"):
        releases.request_release(user=secretariat)

    assert DataRelease.objects.count() == 1


def test_a_build_left_unfinished_longer_than_a_task_may_run_no_longer_blocks_the_next(
        strategy, secretariat, django_capture_on_commit_callbacks):
    stuck = DataRelease.objects.create(number=1)
    DataRelease.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))

    with django_capture_on_commit_callbacks(execute=True):
        release = releases.request_release(user=secretariat)

    stuck.refresh_from_db()
    assert stuck.state == DataRelease.State.FAILED
    assert "stopped without finishing" in stuck.failure
    assert release.number == 2


def test_a_reason_too_long_is_refused_naming_the_field(strategy, secretariat):
    with pytest.raises(releases.ReleaseRefused) as refusal:
        releases.request_release(user=secretariat, reason="x" * 301)

    assert "reason" in refusal.value.message_dict
    assert not DataRelease.objects.exists()


def test_numbers_are_never_reused_even_after_a_failed_build(strategy, secretariat, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(package, "write_package", broken)
    with django_capture_on_commit_callbacks(execute=True):
        first = releases.request_release(user=secretariat)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        second = releases.request_release(user=secretariat)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, first.state) == (1, DataRelease.State.FAILED)
    assert first.failure == "OSError: No space left on device"
    assert not ReleaseChunk.objects.filter(release=first).exists()
    assert (second.number, second.state) == (2, DataRelease.State.READY)


# A round's closing --------------------------------------------------------------------------------------------------


@pytest.fixture
def open_round(strategy):
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline=timezone.localdate() + timedelta(days=21), state=Round.State.OPEN,
                                  opened_at=timezone.now())
    from partners.models import Partner

    Return.objects.bulk_create(Return(round=round_, partner=partner) for partner in Partner.objects.all())
    return round_


def test_closing_a_round_builds_a_release_in_process(open_round, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reporting.close_round(round=open_round, user=secretariat)

    release = DataRelease.objects.get()
    assert release.state == DataRelease.State.READY
    assert release.round == open_round
    assert release.why == "Stocktaking 2027 closed"
    rounds = table(opened(release), "rounds")
    assert [(r["slug"], r["state"]) for r in rounds] == [("stocktaking-2027", "closed")]


def test_a_refused_close_builds_no_release(open_round, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        reporting.close_round(round=open_round, user=alice)

    assert not DataRelease.objects.exists()


def test_closing_a_round_builds_a_release_on_a_real_worker(celery_worker):
    from asem_portal.content import load_strategy
    from partners.models import Partner
    from tests.services import wait_for

    load_strategy()
    sam = factories.UserFactory(username="sam", is_staff=True, is_superuser=True)
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline=timezone.localdate(), state=Round.State.OPEN, opened_at=timezone.now())
    Return.objects.bulk_create(Return(round=round_, partner=partner) for partner in Partner.objects.all())

    reporting.close_round(round=round_, user=sam)

    release = wait_for(lambda: DataRelease.objects.filter(state=DataRelease.State.READY).first(), timeout=90,
                       what="the worker's release")
    assert release.round_id == round_.pk
    assert "data/partners.csv" in opened(release).namelist()


# The package --------------------------------------------------------------------------------------------------------


@pytest.fixture
def built(demo_data, secretariat, django_capture_on_commit_callbacks):
    """A release of the strategy and the demo data, with one draft activity and one flow the other end outranks."""
    factories.ActivityFactory(title="A draft nobody may see", slug="secret-draft", state=Activity.State.DRAFT)
    hidden = factories.MobilityFlowFactory(programme="Overruled by the host", reported_by=factories.partner("TH"))
    MobilityFlow.objects.filter(pk=hidden.pk).update(is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        release = releases.request_release(user=secretariat, reason="Test")
    release.refresh_from_db()
    assert release.state == DataRelease.State.READY, release.failure
    return release


def test_the_package_describes_itself_as_a_data_package(built):
    described = descriptor(opened(built))

    assert described["name"] == "asem-education-portal"
    assert described["version"] == "1"
    assert described["created"].startswith(str(built.created_at.date()))
    assert described["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                      "title": "CC BY 4.0"}]
    assert "Cite as: ASEM Education Portal" in described["description"]
    assert "synthetic" in described["description"]
    strategy = Strategy.objects.get()
    assert described["sources"][0] == {"title": strategy.source_document, "path": strategy.source_url}
    assert described["sources"][-1]["path"].endswith("/rounds/")
    assert [r["name"] for r in described["resources"]] == [
        "partners", "objectives", "priorities", "instruments", "indicators", "observations", "mobility_flows",
        "activities", "rounds"]
    flows = next(r for r in described["resources"] if r["name"] == "mobility_flows")
    assert flows["path"] == "data/mobility_flows.csv"
    assert (flows["format"], flows["mediatype"], flows["encoding"]) == ("csv", "text/csv", "utf-8")
    assert {"fields": "origin", "reference": {"resource": "partners", "fields": "code"}} in flows["schema"][
        "foreignKeys"]


def test_the_package_holds_public_rows_only(built):
    archive = opened(built)

    activities = table(archive, "activities")
    assert "secret-draft" not in {a["slug"] for a in activities}
    assert len(activities) == Activity.objects.filter(state=Activity.State.PUBLISHED).count()
    flows = table(archive, "mobility_flows")
    assert "Overruled by the host" not in {f["programme"] for f in flows}
    assert len(flows) == MobilityFlow.objects.filter(is_public=True).count()
    assert len(table(archive, "partners")) == 53


def test_demo_rows_say_so_and_real_ones_do_not(built):
    activities = table(opened(built), "activities")

    demo = {a["is_demo"] for a in activities if a["slug"] in set(
        Activity.objects.filter(is_demo=True).values_list("slug", flat=True))}
    real = {a["is_demo"] for a in activities if a["source_url"]}
    assert demo == {"true"}
    assert real == {"false"}


def test_the_csv_files_hold_data_only_with_no_licence_line(built):
    archive = opened(built)

    for resource in descriptor(archive)["resources"]:
        text = archive.read(resource["path"]).decode()
        assert "Licence:" not in text.splitlines()[-1]


def test_the_package_passes_frictionless_validation(built, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    opened(built).extractall(tmp_path)

    report = frictionless.validate(str(tmp_path / "datapackage.json"))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


# The data page and the download -------------------------------------------------------------------------------------


def test_the_data_page_lists_ready_releases_newest_first(strategy, secretariat, vera, django_assert_num_queries,
                                                         django_capture_on_commit_callbacks):
    for reason in ("First", "Second"):
        with django_capture_on_commit_callbacks(execute=True):
            releases.request_release(user=secretariat, reason=reason)
    DataRelease.objects.create(number=3, state=DataRelease.State.FAILED, failure="Disk full")

    licence.current()  # the licence is read from the database once, then from the cache

    # Expect 1 query: the ready releases with their rounds
    with django_assert_num_queries(1):
        response = vera.get("/data/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index('id="release-2"') < page.index('id="release-1"')
    assert "Release 3" not in page
    assert "Requested by the secretariat: Second" in page
    second = DataRelease.objects.get(number=2)
    assert second.sha256[:16] in page
    assert 'href="/data/releases/2/datapackage.zip"' in page
    assert "CC BY 4.0" in page
    assert 'type="application/atom+xml"' in page


def test_the_data_page_says_when_there_is_no_release_yet(strategy, vera):
    page = vera.get("/data/").content.decode()

    assert "No release has been published yet." in page
    assert "data/mobility_flows.csv" in page


def test_an_old_release_stays_downloadable(strategy, secretariat, vera, django_assert_num_queries,
                                           django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            releases.request_release(user=secretariat)
    first = DataRelease.objects.get(number=1)

    # Expect 3 queries: the release, its chunks' ids, its one chunk
    with django_assert_num_queries(3):
        response = vera.get("/data/releases/1/datapackage.zip")
        data = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert int(response["Content-Length"]) == first.size == len(data)
    assert hashlib.sha256(data).hexdigest() == first.sha256
    assert "datapackage.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()


@pytest.mark.parametrize("state", [DataRelease.State.BUILDING, DataRelease.State.FAILED])
def test_a_release_not_ready_is_not_found(strategy, vera, state):
    DataRelease.objects.create(number=1, state=state)

    assert vera.get("/data/releases/1/datapackage.zip").status_code == 404
    assert vera.get("/data/releases/9/datapackage.zip").status_code == 404


def test_the_sources_name_each_indicators_source_and_a_values_own(strategy):
    indicator = factories.IndicatorFactory(data_source="OECD Education at a Glance, table B6.1",
                                           source_url="https://example.org/oecd/b6-1")
    factories.ObservationFactory(indicator=indicator, source="Germany's upload of 3 March 2027")

    sources = package.descriptor(number=1, created=timezone.now(), demo=False)["sources"]

    assert {"title": "OECD Education at a Glance, table B6.1", "path": "https://example.org/oecd/b6-1"} in sources
    assert {"title": "Germany's upload of 3 March 2027"} in sources
