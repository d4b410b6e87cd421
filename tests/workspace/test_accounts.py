"""Alice signs in and out, changes her password and resets a forgotten one; guessing her password is stopped."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD

SIGN_IN = "/accounts/sign-in/"


def sign_in(client, username="alice", password=PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_alice_signs_in_and_lands_in_her_workspace(client, alice):
    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    assert "Your workspace" in client.get("/workspace/").content.decode()


def test_a_page_that_needs_signing_in_sends_her_back_to_it(client, alice):
    assert client.get("/workspace/mobility/")["Location"] == "/accounts/sign-in/?next=/workspace/mobility/"

    response = sign_in(client, next="/workspace/mobility/")

    assert response["Location"] == "/workspace/mobility/"


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = sign_in(client, password="wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_username_from_that_address(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, password="guess")

    locked = sign_in(client, password="another guess")
    still_locked = sign_in(client)  # even the right password, until the cool-off ends

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other_address).status_code == 302  # a guesser elsewhere does not lock Alice out


def test_the_admin_sign_in_is_guarded_too(client, secretariat, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "sam", "password": "guess"})

    assert response.status_code == 429


def test_an_api_token_still_works_for_a_locked_username(client, alice, settings):
    from rest_framework.authtoken.models import Token

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="guess")
    token = Token.objects.create(user=alice)

    response = Client().get("/api/v1/me/token/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.json()["key"] == token.key


def test_alice_signs_out(client, alice):
    client.force_login(alice)

    response = client.post("/accounts/sign-out/")

    assert response.status_code == 200
    assert "Signed out" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_header_offers_sign_in_or_the_workspace(client, alice):
    assert '<a href="/accounts/sign-in/">Sign in</a>' in client.get("/about/").content.decode()
    client.force_login(alice)
    assert '<a href="/workspace/">Workspace</a>' in client.get("/about/").content.decode()


def test_alice_changes_her_password(client, alice):
    client.force_login(alice)

    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "a longer new phrase",
                                                   "new_password2": "a longer new phrase"})

    assert response["Location"] == "/accounts/password/changed/"
    alice.refresh_from_db()
    assert alice.check_password("a longer new phrase")


def test_a_weak_new_password_is_refused_next_to_its_field(client, alice):
    client.force_login(alice)

    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "12345678",
                                                   "new_password2": "12345678"})

    page = response.content.decode()
    assert '<ul class="errorlist" id="id_new_password2_error">' in page
    assert "This password is too common." in page


def test_alice_resets_a_forgotten_password_with_the_link_she_is_emailed(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})

    assert response["Location"] == "/accounts/password/reset/sent/"
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "Set a new password for the ASEM Education Portal"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a brand new phrase",
                                                    "new_password2": "a brand new phrase"})
    assert done["Location"] == "/accounts/password/reset/done/"
    assert sign_in(client, password="a brand new phrase").status_code == 302


def test_an_unknown_address_is_told_the_same_and_emailed_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize("path", ["/accounts/sign-in/", "/accounts/password/reset/"])
def test_the_account_pages_answer_without_signing_in(client, db, path):
    assert client.get(path).status_code == 200


ACCOUNT_PAGES = ["/accounts/sign-in/", "/accounts/password/reset/", "/accounts/password/reset/sent/",
                 "/accounts/password/reset/MQ/not-a-token/", "/accounts/password/reset/done/"]
SIGNED_IN_PAGES = ["/accounts/password/", "/accounts/password/changed/"]


@pytest.mark.parametrize("path", ACCOUNT_PAGES + SIGNED_IN_PAGES)
def test_the_account_pages_are_named_after_the_portal_not_the_server(client, alice, settings, path):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    if path in SIGNED_IN_PAGES:
        client.force_login(alice)

    page = client.get(path, HTTP_HOST="127.0.0.1:8201", follow=True).content.decode()

    assert "127.0.0.1:8201" not in page
    assert re.search(r"<title>[^<]* · ASEM Education Portal</title>", page)
    assert '<a class="brand" href="/">ASEM Education Portal</a>' in page


def test_the_sign_out_and_lockout_pages_are_named_after_the_portal(client, alice, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    client.force_login(alice)
    signed_out = client.post("/accounts/sign-out/", HTTP_HOST="127.0.0.1:8201").content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post(SIGN_IN, {"username": "alice", "password": "guess"}, HTTP_HOST="127.0.0.1:8201")

    for page in (signed_out, locked.content.decode()):
        assert "127.0.0.1:8201" not in page
        assert '<a class="brand" href="/">ASEM Education Portal</a>' in page


def lock_out(client, settings, username="alice"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, username=username, password="guess")
    assert response.status_code == 429
    return response


def test_the_lockout_says_in_words_when_to_try_again(client, alice, settings):
    page = lock_out(client, settings).content.decode()

    assert "Try again in 30 minutes." in page
    assert "PT30M" not in page


def test_the_lockout_says_the_configured_cool_off(client, alice, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=90)

    assert "Try again in 1 hour, 30 minutes." in lock_out(client, settings).content.decode()


def test_a_password_reset_through_the_emailed_link_lifts_the_lockout(client, alice, settings):
    lock_out(client, settings)
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "a brand new phrase",
                                            "new_password2": "a brand new phrase"})

    response = sign_in(client, password="a brand new phrase")

    assert response.status_code == 302
    assert response["Location"] == "/workspace/"


def test_a_lockout_stays_for_whoever_only_asked_for_a_reset_link(client, alice, settings):
    lock_out(client, settings)
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})

    assert sign_in(client).status_code == 429


def ask_reset(client, email="alice@example.org"):
    return client.post("/accounts/password/reset/", {"email": email})


def test_asking_again_and_again_sends_only_a_few_reset_emails(client, alice):
    answers = [ask_reset(client) for _ in range(30)]

    assert {(a.status_code, a["Location"]) for a in answers} == {(302, "/accounts/password/reset/sent/")}
    assert len(mail.outbox) == 3
    assert "If an account has this address" in client.get("/accounts/password/reset/sent/").content.decode()


def test_the_limit_per_address_holds_from_every_client(alice):
    for n in range(10):
        ask_reset(Client(REMOTE_ADDR=f"10.0.1.{n}"))

    assert len(mail.outbox) == 3


def test_one_client_asking_for_many_addresses_is_limited_too(db, caplog):
    from tests import factories

    users = [factories.UserFactory(username=f"user{n}") for n in range(12)]
    client = Client(REMOTE_ADDR="10.0.2.1")

    answers = [ask_reset(client, user.email) for user in users]

    assert len(mail.outbox) == 5
    assert {a["Location"] for a in answers} == {"/accounts/password/reset/sent/"}
    assert "Password reset link not sent: too many asked for from 10.0.2.1" in caplog.text
    ask_reset(Client(REMOTE_ADDR="10.0.2.2"), users[-1].email)
    assert len(mail.outbox) == 6  # another client is not held back by the first


def test_a_limited_request_answers_as_an_unknown_address_does(client, alice):
    for _ in range(3):
        ask_reset(client)

    limited = ask_reset(client)
    unknown = ask_reset(Client(REMOTE_ADDR="10.0.3.1"), "nobody@example.org")

    assert (limited.status_code, limited["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 3


def test_the_limit_lasts_an_hour(client, alice, settings):
    for _ in range(3):
        ask_reset(client)
    from django.core.cache import cache

    cache.clear()  # what an hour does to the counts
    ask_reset(client)

    assert len(mail.outbox) == 4
