"""The open-data licence: the secretariat sets it in the admin, and every page's footer states it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from asem_portal.models import CACHE_KEY, OpenDataLicence
from core import licence
from core.roles import SECRETARIAT_GROUP

CHANGED = {"name": "CC BY-SA 4.0", "url": "https://creativecommons.org/licenses/by-sa/4.0/",
           "citation": "ASEM Education Secretariat (2026), ASEM Education Portal open data."}


def change_url(row):
    return reverse("admin:asem_portal_opendatalicence_change", args=[row.pk])


@pytest.fixture
def licence_row(db):
    return OpenDataLicence.objects.create()


def test_every_page_says_the_default_licence_and_how_to_cite_when_none_is_set(client, strategy):
    page = client.get(reverse("home")).content.decode()
    assert f'<a href="{licence.DEFAULT.url}" rel="license">CC BY 4.0</a>' in page
    assert f"<cite>{licence.DEFAULT.citation}</cite>" in page


def test_the_secretariat_changes_the_licence_and_every_page_says_the_new_one(
        client, secretariat, strategy, licence_row, django_capture_on_commit_callbacks):
    assert "CC BY 4.0" in client.get(reverse("about")).content.decode()  # now kept in the response cache
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(licence_row), CHANGED)
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("about")).content.decode()
    assert '<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">CC BY-SA 4.0</a>' in page
    assert "ASEM Education Secretariat (2026)" in page
    assert licence_row.history.latest().history_user == secretariat


def test_a_citation_on_several_lines_is_kept_on_one(client, secretariat, licence_row,
                                                     django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(licence_row), {**CHANGED, "citation": "ASEM Education Portal,\r\n  open data"})
    assert licence.current().citation == "ASEM Education Portal, open data"


def test_an_empty_citation_is_refused_with_a_message_and_nothing_changes(client, secretariat, licence_row):
    client.force_login(secretariat)
    response = client.post(change_url(licence_row), {**CHANGED, "citation": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    licence_row.refresh_from_db()
    assert licence_row.name == "CC BY 4.0"


def test_a_licence_address_that_is_not_a_web_address_is_refused(client, secretariat, licence_row):
    client.force_login(secretariat)
    response = client.post(change_url(licence_row), {**CHANGED, "url": "javascript:alert(1)"})
    assert "Enter a valid URL." in response.content.decode()
    licence_row.refresh_from_db()
    assert licence_row.url == licence.DEFAULT.url


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_nobody_outside_the_secretariat_changes_the_licence(client, request, licence_row, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(change_url(licence_row), CHANGED)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    licence_row.refresh_from_db()
    assert licence_row.name == "CC BY 4.0"
    assert licence.current() == licence.DEFAULT


def test_the_secretariat_sets_the_licence_once_and_then_only_changes_it(client, secretariat,
                                                                        django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    add = reverse("admin:asem_portal_opendatalicence_add")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(add, CHANGED).status_code == 302
    row = OpenDataLicence.objects.get()
    assert client.get(add).status_code == 403
    assert client.post(add, CHANGED).status_code == 403
    delete = reverse("admin:asem_portal_opendatalicence_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert OpenDataLicence.objects.count() == 1


def test_the_secretariat_group_may_set_and_change_the_licence_and_nothing_more_of_the_project(db):
    granted = Group.objects.get(name=SECRETARIAT_GROUP).permissions.filter(content_type__app_label="asem_portal")
    assert set(granted.values_list("codename", flat=True)) == {
        "view_opendatalicence", "add_opendatalicence", "change_opendatalicence"}
    assert not Group.objects.get(name=SECRETARIAT_GROUP).permissions.filter(
        content_type__app_label="auth", codename__in=["change_group", "change_permission", "add_group"]).exists()
    assert Permission.objects.filter(codename="delete_opendatalicence").exists()


def test_reading_the_licence_asks_the_database_once_then_the_cache(django_assert_num_queries, licence_row,
                                                                    django_capture_on_commit_callbacks):
    cache.delete(CACHE_KEY)  # as when the cache has lost it
    with django_assert_num_queries(1):
        assert licence.current() == licence.DEFAULT
    with django_assert_num_queries(0):
        assert licence.current() == licence.DEFAULT


def test_with_no_licence_set_the_default_holds_without_a_query(db, django_assert_num_queries):
    cache.delete(CACHE_KEY)
    with django_assert_num_queries(1):
        licence.current()
    with django_assert_num_queries(0):
        assert licence.current() == licence.DEFAULT


def test_the_admin_shows_the_licence_to_the_secretariat(client, secretariat, licence_row):
    client.force_login(secretariat)
    response = client.get(reverse("admin:asem_portal_opendatalicence_changelist"))
    assert response.status_code == 200
    assert "CC BY 4.0" in response.content.decode()
    assert client.get(reverse("admin:asem_portal_opendatalicence_history", args=[licence_row.pk])).status_code == 200


def test_a_second_licence_is_refused_even_when_the_admin_offers_to_add_one(client, secretariat, licence_row):
    client.force_login(secretariat)
    cache.delete(CACHE_KEY)
    cache.set(CACHE_KEY, "unset")  # a cache that has not heard of the first one yet
    response = client.post(reverse("admin:asem_portal_opendatalicence_add"), CHANGED)
    assert "The licence is already set: change it instead of adding another." in response.content.decode()
    assert OpenDataLicence.objects.count() == 1
