"""A database that stops answering gives a 503 that says to try again, whichever layer raises the error."""

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


urlpatterns = [path("driver/", driver_error), path("django/", django_error), *portal_urls.urlpatterns]


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
