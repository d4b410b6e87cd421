import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

# The reporting round on the real strategy, for the rounds' and returns' endpoints.
from tests.reporting.conftest import de_return, open_round, reported_indicators, th_return  # noqa: F401


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous():
    return client_for()


@pytest.fixture
def as_alice(alice):
    return client_for(alice)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


@pytest.fixture
def as_secretariat(secretariat):
    return client_for(secretariat)
