"""The roles of DESIGN.md section 5, as Django groups and checks."""

from django.contrib.auth.management import create_permissions

SECRETARIAT_GROUP = "Secretariat"
# The secretariat edits the whole portal's content, issues API tokens and
# links focal points to partners; it does not manage Django's own machinery.
SECRETARIAT_APPS = ["objectives", "instruments", "mobility", "authtoken"]


def sync_secretariat_group(apps, verbosity: int = 0) -> None:
    """Create the Secretariat group and give it every permission of the portal's apps.

    Runs from a migration (with historical models) and after every migrate,
    so models added later are covered without a new migration each time.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        if app_config.label in SECRETARIAT_APPS:
            # A migration's registry has no models_module, which create_permissions needs;
            # the live registry has one, and it must stay as it was.
            models_module = getattr(app_config, "models_module", None)
            app_config.models_module = models_module or True
            create_permissions(app_config, apps=apps, verbosity=verbosity)
            app_config.models_module = models_module
    group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
    # Focal points are plain users; the secretariat may view them to link them to partners.
    perms = perms | Permission.objects.filter(content_type__app_label="auth", codename__in=["view_user", "change_user"])
    group.permissions.set(perms)


def is_secretariat(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or (user.is_staff and user.groups.filter(name=SECRETARIAT_GROUP).exists()))
    )
