"""Sam (secretariat) manages focal points' accounts in the admin; he can never raise his own rights, take over a
staff account or read an API token. The superuser keeps the stock powers."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests import factories
from tests.factories import PASSWORD


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def account_form(user, **changes):
    """What the change form posts back for the fields a secretariat member is shown."""
    data = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email}
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def root(db):
    """The superuser who set the portal up."""
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def sam_client(client, secretariat):
    client.force_login(secretariat)
    return client


def rights(user):
    user.refresh_from_db()
    return user.is_staff, user.is_superuser, set(user.groups.all()), set(user.user_permissions.all())


def test_a_secretariat_member_cannot_make_themselves_superuser(sam_client, secretariat):
    before = rights(secretariat)
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    forged = account_form(secretariat, first_name="Sam", is_superuser="on", is_staff="on",
                          groups=[g.pk for g in Group.objects.all()], user_permissions=every_permission)

    response = sam_client.post(change_url(secretariat), forged)

    assert response.status_code == 403
    assert rights(secretariat) == before
    assert secretariat.first_name == ""  # refused as a whole: not even the harmless field is written


def test_a_secretariat_member_is_not_shown_the_rights_fields(sam_client, secretariat, alice):
    for user in (secretariat, alice):
        page = sam_client.get(change_url(user)).content.decode()

        assert 'name="is_superuser"' not in page
        assert 'name="is_staff"' not in page
        assert 'name="groups"' not in page
        assert 'name="user_permissions"' not in page
        assert 'name="is_active"' in page


def test_a_secretariat_member_cannot_give_a_focal_point_staff_rights(sam_client, alice):
    response = sam_client.post(change_url(alice), account_form(alice, is_staff="on"))

    assert response.status_code == 403
    assert rights(alice) == (False, False, set(), set())


def test_a_secretariat_member_cannot_create_a_superuser(sam_client, secretariat):
    response = sam_client.post(reverse("admin:auth_user_add"), {
        "username": "mallory", "usable_password": "true", "password1": "a long new phrase",
        "password2": "a long new phrase", "is_superuser": "on", "is_staff": "on",
    })

    assert response.status_code == 403
    assert not User.objects.filter(username="mallory").exists()


def test_a_secretariat_member_cannot_set_a_superusers_password(sam_client, root):
    response = sam_client.post(password_url(root), {
        "usable_password": "true", "password1": "taken over now", "password2": "taken over now",
    })

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)
    assert Client().post("/admin/login/", {"username": "root", "password": "taken over now"}).status_code == 200
    assert sam_client.get(password_url(root)).status_code == 403


def test_a_secretariat_member_cannot_change_another_staff_account(sam_client, root, db):
    colleague = factories.UserFactory(username="sue", is_staff=True)

    for user in (colleague, root):
        response = sam_client.post(change_url(user), account_form(user, is_active=None, email="me@evil.example"))

        assert response.status_code == 403
        user.refresh_from_db()
        assert user.is_active
        assert user.email != "me@evil.example"
    assert sam_client.post(password_url(colleague), {
        "usable_password": "true", "password1": "taken over now", "password2": "taken over now",
    }).status_code == 403


def test_a_secretariat_member_cannot_delete_an_account(sam_client, alice, root):
    for user in (alice, root):
        response = sam_client.post(reverse("admin:auth_user_delete", args=[user.pk]), {"post": "yes"})

        assert response.status_code == 403
        assert User.objects.filter(pk=user.pk).exists()


def test_a_secretariat_member_creates_a_focal_point(sam_client):
    response = sam_client.post(reverse("admin:auth_user_add"), {
        "username": "carla", "usable_password": "true", "password1": "a long new phrase",
        "password2": "a long new phrase",
    })

    carla = User.objects.get(username="carla")
    assert response.status_code == 302
    assert response["Location"] == change_url(carla)
    assert rights(carla) == (False, False, set(), set())
    assert carla.check_password("a long new phrase")


def test_a_secretariat_member_resets_a_focal_points_password_and_deactivates_her(sam_client, alice):
    response = sam_client.post(password_url(alice), {
        "usable_password": "true", "password1": "a long new phrase", "password2": "a long new phrase",
    })
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a long new phrase")

    response = sam_client.post(change_url(alice), account_form(alice, is_active=None, last_name="Archer"))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.is_active, alice.last_name) == (False, "Archer")


def test_a_secretariat_member_deactivates_focal_points_but_not_staff_from_the_list(sam_client, secretariat, alice,
                                                                                  bob, root):
    response = sam_client.post(reverse("admin:auth_user_changelist"), {
        "action": "deactivate_accounts", "_selected_action": [alice.pk, bob.pk, root.pk, secretariat.pk],
    }, follow=True)

    assert "Deactivated 2 accounts." in response.content.decode()
    assert "Left 2 staff accounts as they are" in response.content.decode()
    assert [u.is_active for u in User.objects.filter(pk__in=[alice.pk, bob.pk]).order_by("pk")] == [False, False]
    assert [u.is_active for u in User.objects.filter(pk__in=[root.pk, secretariat.pk])] == [True, True]


def test_the_superuser_still_grants_and_takes_rights(client, root, alice):
    client.force_login(root)
    secretariat = Group.objects.get(name="Secretariat")
    form = account_form(alice, is_staff="on", groups=[secretariat.pk])
    form.update({"last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})

    response = client.post(change_url(alice), form)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert rights(alice)[:3] == (True, False, {secretariat})
    assert client.post(password_url(alice), {
        "usable_password": "true", "password1": "a long new phrase", "password2": "a long new phrase",
    }).status_code == 302


def test_a_secretariat_member_never_sees_a_token_key(sam_client, alice, root):
    alices = Token.objects.create(user=alice)
    roots = Token.objects.create(user=root)

    listing = sam_client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    change = sam_client.get(reverse("admin:authtoken_tokenproxy_change", args=[alice.pk])).content.decode()
    history = sam_client.get(reverse("admin:authtoken_tokenproxy_history", args=[alice.pk])).content.decode()

    for page in (listing, change, history):
        assert alices.key not in page
        assert roots.key not in page
    assert alices.key[:6] in listing
    assert "alice" in listing
    assert "root" not in listing


def test_a_secretariat_member_cannot_touch_a_staff_accounts_token(sam_client, root):
    token = Token.objects.create(user=root)

    response = sam_client.post(reverse("admin:authtoken_tokenproxy_delete", args=[root.pk]), {"post": "yes"})

    assert response.status_code in (302, 403, 404)
    assert Token.objects.filter(key=token.key).exists()
    add = sam_client.get(reverse("admin:authtoken_tokenproxy_add")).content.decode()
    assert f'<option value="{root.pk}">' not in add


def test_a_token_made_in_the_admin_is_not_shown_to_whoever_made_it(sam_client, alice):
    response = sam_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": alice.pk}, follow=True)

    key = Token.objects.get(user=alice).key
    assert response.status_code == 200
    assert key not in response.content.decode()
    assert key[:6] in response.content.decode()


def test_the_superuser_sees_no_whole_key_either_but_still_revokes_tokens(client, root, alice):
    token = Token.objects.create(user=alice)
    client.force_login(root)

    assert token.key not in client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    response = client.post(reverse("admin:authtoken_tokenproxy_delete", args=[alice.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Token.objects.filter(user=alice).exists()


def test_a_secretariat_member_finds_a_focal_point_to_link_to_a_partner(sam_client, alice, root):
    from mobility.models import PartnerMembership

    found = sam_client.get("/admin/autocomplete/", {"app_label": "mobility", "model_name": "partnermembership",
                                                    "field_name": "user", "term": "ali"})
    partner = factories.partner("FR")
    response = sam_client.post(reverse("admin:mobility_partnermembership_add"),
                               {"user": alice.pk, "partner": partner.pk})

    assert [result["text"] for result in found.json()["results"]] == ["alice"]
    assert response.status_code == 302
    assert PartnerMembership.objects.filter(user=alice, partner=partner).exists()


@pytest.mark.parametrize("lookup", ["key__startswith", "key", "pk__startswith", "key__gt", "pk__regex"])
def test_a_secretariat_member_cannot_read_a_token_key_by_filtering_on_it(sam_client, alice, lookup):
    token = Token.objects.create(user=alice)
    value = token.key if lookup == "key" else token.key[:7]

    response = sam_client.get(reverse("admin:authtoken_tokenproxy_changelist"), {lookup: value})

    assert response.status_code == 400


@pytest.mark.parametrize("lookup", ["auth_token__key__startswith", "auth_token__pk__startswith", "auth_token"])
def test_a_secretariat_member_cannot_read_a_token_key_through_the_account_list(sam_client, alice, lookup):
    token = Token.objects.create(user=alice)

    response = sam_client.get(reverse("admin:auth_user_changelist"), {lookup: token.key[:7]})

    assert response.status_code == 400
