"""A database that stops answering gives a 503 that says to try again, whichever layer raises the error; one that is
only busy (a lock held longer than the wait for it) says the portal is busy, not that its database is gone."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import path

from asem_portal import urls as portal_urls


def driver_error(request):
    # What a cursor raises, unwrapped by Django, when it is closed after the server went away.
    raise connection.Database.OperationalError("server closed the connection unexpectedly")


def django_error(request):
    raise OperationalError("could not connect to server")


def locked(request):
    # What SQLite raises when another writer held the database longer than the busy timeout.
    raise OperationalError("database is locked")


def driver_locked(request):
    raise connection.Database.OperationalError("database is locked")


urlpatterns = [path("driver/", driver_error), path("django/", django_error), path("locked/", locked),
               path("driver-locked/", driver_locked), *portal_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("address", ["/driver/", "/django/"])
def test_an_unanswering_database_is_a_503_saying_to_try_again(client, db, address):
    client.raise_request_exception = False
    page = client.get(address)
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "try again in a few seconds" in page.content.decode()
    api = client.get(address, HTTP_ACCEPT="application/json")
    assert api.status_code == 503


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("address", ["/locked/", "/driver-locked/"])
def test_a_locked_database_is_a_503_saying_the_portal_is_busy_not_that_the_database_is_gone(client, db, address):
    client.raise_request_exception = False
    page = client.get(address)
    assert page.status_code == 503
    assert page["Retry-After"] == "2"
    assert "The portal is busy" in page.content.decode()
    assert "not answering" not in page.content.decode()
    api = client.get(address, HTTP_ACCEPT="application/json")
    assert (api.status_code, api.json()["code"]) == (503, "busy")


@override_settings(ROOT_URLCONF=__name__)
def test_the_api_gets_its_503_in_the_one_error_shape(client, db):
    client.raise_request_exception = False

    api = client.get("/django/", HTTP_ACCEPT="application/json")

    assert api.json() == {"status": 503, "code": "service_unavailable", "errors": [],
                          "detail": "The portal's database is not answering. Please try again in a few seconds."}
