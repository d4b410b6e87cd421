"""The roles of DESIGN.md section 5, as Django groups and checks."""

from django.contrib.auth.management import create_permissions
from django.db.models import Q

SECRETARIAT_GROUP = "Secretariat"
# The secretariat edits the whole portal's content, issues API tokens and
# links focal points to partners; it does not manage Django's own machinery.
SECRETARIAT_APPS = ["partners", "objectives", "instruments", "mobility", "reporting", "authtoken"]
# Of the project's own app, only the open-data licence: set once (the admin adds no second row), then changed. Of
# the data releases, only to read them: the task builds them and nobody edits one.
SECRETARIAT_PERMISSIONS = {"asem_portal": ["view_opendatalicence", "add_opendatalicence", "change_opendatalicence"],
                           "opendata": ["view_datarelease"]}


def sync_secretariat_group(apps, verbosity: int = 0) -> None:
    """Create the Secretariat group and give it every permission of the portal's apps.

    Runs from a migration (with historical models) and after every migrate,
    so models added later are covered without a new migration each time.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        if app_config.label in SECRETARIAT_APPS or app_config.label in SECRETARIAT_PERMISSIONS:
            # A migration's registry has no models_module, which create_permissions needs;
            # the live registry has one, and it must stay as it was.
            models_module = getattr(app_config, "models_module", None)
            app_config.models_module = models_module or True
            create_permissions(app_config, apps=apps, verbosity=verbosity)
            app_config.models_module = models_module
    group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
    # Focal points are plain users: the secretariat makes their accounts, links them to partners, deactivates them
    # and resets their passwords. Which accounts and which fields it may change is the user admin's rule
    # (may_manage_account, asem_portal/admin.py), not these permissions, which Django grants for every user alike.
    perms = perms | Permission.objects.filter(content_type__app_label="auth",
                                              codename__in=["view_user", "add_user", "change_user"])
    for label, codenames in SECRETARIAT_PERMISSIONS.items():
        perms = perms | Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
    group.permissions.set(perms)


def is_secretariat(user) -> bool:
    """A superuser, or staff in the Secretariat group; remembered on the user for the rest of the request."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_secretariat"):
        user._is_secretariat = bool(
            user.is_superuser or (user.is_staff and user.groups.filter(name=SECRETARIAT_GROUP).exists())
        )
    return user._is_secretariat


def secretariat_staff(users):
    """The accounts of the queryset that are staff in the Secretariat group: whom the secretariat's mail reaches."""
    return users.filter(is_staff=True, groups__name=SECRETARIAT_GROUP)


def may_manage_account(actor, account) -> bool:
    """Whether actor may change account (its details, its password, its token, whether it is active).

    A superuser may change any account. Anyone else with the user permissions manages focal points (accounts
    without staff rights) and their own details, never another staff account: changing a staff account's
    password, say, would let them sign in with rights they were never given.
    """
    if actor.is_superuser:
        return True
    return account.pk == actor.pk or not (account.is_staff or account.is_superuser)


def manageable_accounts(actor, accounts):
    """The accounts of the queryset that actor may change (may_manage_account, as a query)."""
    if actor.is_superuser:
        return accounts
    return accounts.filter(Q(pk=actor.pk) | Q(is_staff=False, is_superuser=False))
