"""The secretariat builds a data release from the admin: "Build a release now"."""

import pytest

from opendata.models import DataRelease
from tests import factories

LIST = "/admin/opendata/datarelease/"
BUILD = "/admin/opendata/datarelease/build/"


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_nobody_but_the_secretariat_may_build_a_release_from_the_admin(who, request, client, strategy):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    asked = client.get(BUILD)
    built = client.post(BUILD, {"reason": "Mine"})

    assert asked.status_code == built.status_code == 302
    assert built["Location"].startswith("/admin/login/")
    assert client.get(LIST).status_code == 302
    assert not DataRelease.objects.exists()


def test_staff_outside_the_secretariat_are_refused(client, strategy):
    client.force_login(factories.UserFactory(username="sid", is_staff=True))

    assert client.post(BUILD, {"reason": "Mine"}).status_code == 403
    assert client.get(LIST).status_code == 403
    assert not DataRelease.objects.exists()


def test_the_secretariat_builds_a_release_now_from_the_list(client, strategy, secretariat,
                                                             django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    listing = client.get(LIST).content.decode()
    assert f'href="{BUILD}"' in listing and "Build a release now" in listing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BUILD, {"reason": "The 2027 figures corrected"}, follow=True)

    release = DataRelease.objects.get()
    assert release.state == DataRelease.State.READY
    assert release.reason == "The 2027 figures corrected"
    assert release.requested_by == secretariat
    assert "Release 1 is being built: it appears on the data page once it is ready." in response.content.decode()
    assert 'href="/data/releases/1/datapackage.zip"' in client.get(LIST).content.decode()


def test_the_admin_refuses_a_second_release_while_one_is_building(client, strategy, secretariat):
    DataRelease.objects.create(number=1)
    client.force_login(secretariat)

    assert "Release 1 is being built" in client.get(BUILD).content.decode()
    response = client.post(BUILD, {"reason": "Again"}, follow=True)

    assert "Release 1 is being built: wait until it is ready." in response.content.decode()
    assert DataRelease.objects.count() == 1


def test_a_reason_too_long_is_a_form_error(client, strategy, secretariat):
    client.force_login(secretariat)

    response = client.post(BUILD, {"reason": "x" * 301})

    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters" in response.content.decode()
    assert not DataRelease.objects.exists()


def test_a_release_is_read_never_changed_or_deleted_in_the_admin(client, strategy, secretariat):
    release = DataRelease.objects.create(number=1, state=DataRelease.State.FAILED, failure="Disk full")
    client.force_login(secretariat)

    page = client.get(f"{LIST}{release.pk}/change/")

    assert page.status_code == 200
    assert "Disk full" in page.content.decode()
    assert client.post(f"{LIST}{release.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    assert DataRelease.objects.count() == 1
