from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_roles(sender, verbosity=0, **kwargs):
    from core.roles import sync_secretariat_group

    # migrate passes the migration state's registry; flush passes none, so use the live one.
    sync_secretariat_group(kwargs.get("apps") or apps, verbosity=verbosity)


class AsemPortalConfig(AppConfig):
    name = "asem_portal"
    verbose_name = "ASEM Education Portal"

    def ready(self):
        from asem_portal import checks  # noqa: F401 (registers the portal's own checks)

        # Django sends post_migrate (after migrate, and after a test flush) only for apps
        # with models; asem_portal has none, so listen for the last app of the portal.
        post_migrate.connect(_sync_roles, sender=apps.get_app_config("mobility"), dispatch_uid="asem_portal_roles")
        # Here, not when the response cache's middleware starts: an edit made by a command, a worker or a shell,
        # which never start it, must drop the web processes' cached responses too.
        from asem_portal.response_cache import connect_receivers

        connect_receivers()
