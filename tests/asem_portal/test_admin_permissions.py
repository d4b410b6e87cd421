"""What Sam (the Secretariat group) may open and do in the admin, model by model and view by view.

Every model the admin shows is in WHAT_SAM_GETS, so a model added later needs a decision here. Each GET is only a
look (a delete answers with its confirmation page); nothing is written.
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from rest_framework.authtoken.models import Token

from asem_portal.models import OpenDataLicence, remember
from objectives.models import Indicator, PartnerTarget, Priority
from opendata.models import DataRelease
from reporting.models import Reminder, Return, Round, UndeliveredReturnEmail
from tests import factories

VIEWS = ["changelist", "add", "change", "delete", "history"]
EVERYTHING = dict.fromkeys(VIEWS, 200)
NOTHING = dict.fromkeys(VIEWS, 403)
PORTAL = {**EVERYTHING, "actions": {"delete_selected"}}

# Per model: the status of each view for Sam, on one of its rows, and the actions his list offers.
WHAT_SAM_GETS = {
    "objectives.strategy": PORTAL,
    "objectives.objective": PORTAL,
    "objectives.priority": PORTAL,
    "objectives.indicator": {**PORTAL, "actions": {"delete_selected", "refresh_computed"}},
    "objectives.observation": PORTAL,
    "objectives.partnertarget": PORTAL,
    "instruments.instrument": PORTAL,
    "instruments.aim": PORTAL,
    "partners.partner": PORTAL,
    "mobility.organisation": PORTAL,
    "mobility.partnermembership": PORTAL,
    "mobility.activity": {**PORTAL, "actions": {"delete_selected", "approve_submissions"}},
    "mobility.mobilityflow": PORTAL,
    # Kept as they were sent: read, sent again or deleted, never written.
    "mobility.undeliveredemail": {**EVERYTHING, "add": 403, "actions": {"delete_selected", "send_again"}},
    # A round is prepared, opened and closed here; its returns are read here and changed only through the review.
    "reporting.round": {**PORTAL, "actions": {"delete_selected", "open_rounds", "close_rounds"}},
    "reporting.return": {**EVERYTHING, "add": 403, "delete": 403, "actions": set()},
    "reporting.reminder": {**EVERYTHING, "add": 403, "delete": 403, "actions": set()},
    "reporting.undeliveredreturnemail": {**EVERYTHING, "add": 403, "actions": {"delete_selected", "send_again"}},
    # The open-data licence: set once, then only changed; never deleted, and never a second row.
    "asem_portal.opendatalicence": {**EVERYTHING, "add": 403, "delete": 403, "actions": set()},
    # Data releases are built by the task and never edited: read, and a new one asked for by its own button.
    "opendata.datarelease": {**EVERYTHING, "add": 403, "delete": 403, "actions": set()},
    # Tokens of focal points (a row here is Alice's); only ever a few characters of a key.
    "authtoken.tokenproxy": {**EVERYTHING, "actions": set()},
    # Focal points' accounts (a row here is Alice's): made, changed, deactivated, never deleted.
    "auth.user": {**EVERYTHING, "delete": 403, "password": 200, "actions": {"deactivate_accounts"}},
    # Superuser only: who has which rights, and who tried to sign in.
    "auth.group": NOTHING,
    "axes.accessattempt": NOTHING,
    "axes.accesslog": NOTHING,
    "axes.accessfailurelog": NOTHING,
}


@pytest.fixture
def rows(strategy, alice, secretariat):
    """One row of every model the admin shows, Alice's where there is a choice."""
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a")
    factories.ObservationFactory(indicator=indicator)
    germany = alice.partner_memberships.get().partner
    PartnerTarget.objects.create(indicator=indicator, partner=germany, target_value=10)
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline=datetime.date(2027, 3, 31))
    report = Return.objects.create(round=round_, partner=germany)
    Reminder.objects.create(report=report, threshold="before-14", recipients="alice@example.org")
    UndeliveredReturnEmail.objects.create(report=report, event="submitted", recipients="sam@example.org",
                                          error="Connection refused")
    remember(OpenDataLicence.objects.create(name="CC BY 4.0", url="https://creativecommons.org/licenses/by/4.0/",
                                            citation="ASEM Education Portal."))
    DataRelease.objects.create(number=1, state="failed", failure="stopped without finishing")
    factories.MobilityFlowFactory()
    factories.ActivityFactory()
    factories.OrganisationFactory()
    Token.objects.create(user=alice)
    attempt = {"username": "alice", "ip_address": "10.0.0.7", "user_agent": "", "http_accept": "*/*",
               "path_info": "/accounts/sign-in/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt)
    AccessLog.objects.create(**attempt)
    try:  # added with the review emails' retries
        from mobility.models import UndeliveredEmail
    except ImportError:
        return
    UndeliveredEmail.objects.create(event="submitted", recipients="sam@example.org", error="Connection refused")


def row(model):
    if model is User:
        return User.objects.get(username="alice")
    return model._default_manager.order_by("pk").first()


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_in_the_admin_has_a_decision_for_the_secretariat():
    assert {model._meta.label_lower for model in admin.site._registry} <= set(WHAT_SAM_GETS)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label_lower)
def test_what_a_secretariat_member_may_open_in_the_admin(client, rows, secretariat, model):
    expected = WHAT_SAM_GETS[model._meta.label_lower]
    obj = row(model)
    assert obj is not None, f"the rows fixture makes no {model._meta.label_lower}"
    urls = {"changelist": url(model, "changelist"), "add": url(model, "add"),
            "change": url(model, "change", obj.pk), "delete": url(model, "delete", obj.pk),
            "history": url(model, "history", obj.pk)}
    if "password" in expected:
        urls["password"] = reverse("admin:auth_user_password_change", args=[obj.pk])
    client.force_login(secretariat)  # before counting: a sign-in is itself a row of axes' access log
    count = model._default_manager.count()

    answers = {view: client.get(address).status_code for view, address in urls.items()}

    assert answers == {view: status for view, status in expected.items() if view != "actions"}
    assert model._default_manager.count() == count
    if expected["changelist"] == 200:
        offered = client.get(urls["changelist"]).context["action_form"]
        choices = {name for name, _ in offered.fields["action"].choices if name} if offered else set()
        assert choices == expected["actions"]


SUPERUSER_ONLY = [model for model in admin.site._registry if WHAT_SAM_GETS.get(model._meta.label_lower) == NOTHING]


@pytest.mark.parametrize("model", SUPERUSER_ONLY, ids=lambda m: m._meta.label_lower)
def test_a_secretariat_member_cannot_post_to_a_superuser_only_model(client, rows, secretariat, model):
    obj = row(model)
    client.force_login(secretariat)
    before = list(model._default_manager.values())

    assert client.post(url(model, "add"), {"name": "Reviewers"}).status_code == 403
    assert client.post(url(model, "change", obj.pk), {"name": "Changed"}).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert client.post(url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk],
                                                  "post": "yes"}).status_code == 403
    assert list(model._default_manager.values()) == before


def test_the_superuser_only_views_on_staff_accounts_are_refused(client, rows, secretariat):
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    colleague = factories.UserFactory(username="sue", is_staff=True)
    client.force_login(secretariat)

    for account in (root, colleague):
        change = client.get(url(User, "change", account.pk))
        assert change.status_code == 200  # to read: who is staff is no secret to the staff
        assert 'name="username"' not in change.content.decode()
        assert client.get(reverse("admin:auth_user_password_change", args=[account.pk])).status_code == 403
        assert client.get(url(User, "delete", account.pk)).status_code == 403
    assert client.get(reverse("admin:authtoken_tokenproxy_change", args=[root.pk])).status_code == 302


@pytest.mark.parametrize("model", [User, Group], ids=["user", "group"])
def test_the_superuser_keeps_every_view_of_accounts_and_groups(client, rows, model):
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    obj = row(model) if model is User else Group.objects.get(name="Secretariat")

    for view, args in [("changelist", []), ("add", []), ("change", [obj.pk]), ("delete", [obj.pk]),
                       ("history", [obj.pk])]:
        assert client.get(url(model, view, *args)).status_code == 200, view
    if model is User:
        assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 200


def test_a_reviewer_has_no_right_outside_the_secretariats(rows, secretariat):
    """The group's permissions, spelled out: the portal's apps, tokens, and users; never groups or permissions."""
    apps = set(Group.objects.get(name="Secretariat").permissions.values_list("content_type__app_label", flat=True))
    user_perms = set(secretariat.get_all_permissions())

    assert apps == {"partners", "objectives", "instruments", "mobility", "reporting", "authtoken", "auth",
                    "asem_portal", "opendata"}
    assert {p for p in user_perms if p.startswith("opendata.")} == {"opendata.view_datarelease"}
    assert {p for p in user_perms if p.startswith("asem_portal.")} == {
        "asem_portal.view_opendatalicence", "asem_portal.add_opendatalicence", "asem_portal.change_opendatalicence"}
    assert {p for p in user_perms if p.startswith("auth.")} == {"auth.view_user", "auth.add_user",
                                                                "auth.change_user"}
    assert Indicator.objects.exists()
