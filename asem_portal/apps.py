from django.apps import AppConfig, apps
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save


def _sync_roles(sender, verbosity=0, **kwargs):
    from core.roles import sync_secretariat_group

    # migrate passes the migration state's registry; flush passes none, so use the live one.
    sync_secretariat_group(kwargs.get("apps") or apps, verbosity=verbosity)


def _licence_saved(sender, instance, **kwargs):
    from asem_portal.models import remember
    from core.changes import data_changed

    # Once committed, never a value a rollback takes back; every cached page states the licence, so they go too.
    transaction.on_commit(lambda: remember(instance))
    data_changed(refresh=False)


def _licence_deleted(sender, **kwargs):
    from django.core.cache import cache

    from asem_portal.models import CACHE_KEY
    from core.changes import data_changed

    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    data_changed(refresh=False)


class AsemPortalConfig(AppConfig):
    name = "asem_portal"
    verbose_name = "ASEM Education Portal"

    def ready(self):
        from asem_portal import checks  # noqa: F401 (registers the portal's own checks)

        # Django sends post_migrate (after migrate, and after a test flush) once for each app with models: listen
        # for one of them, an app of the portal's whose permissions the group is given.
        post_migrate.connect(_sync_roles, sender=apps.get_app_config("mobility"), dispatch_uid="asem_portal_roles")
        # Here, not when the response cache's middleware starts: an edit made by a command, a worker or a shell,
        # which never start it, must drop the web processes' cached responses too.
        from asem_portal.response_cache import connect_receivers

        connect_receivers()
        # The pages, files and API state the secretariat's licence; core.licence reads it through this.
        from asem_portal.models import OpenDataLicence, stored_licence
        from core import licence

        licence.register(stored_licence)
        post_save.connect(_licence_saved, sender=OpenDataLicence, dispatch_uid="asem_portal_licence_saved")
        post_delete.connect(_licence_deleted, sender=OpenDataLicence, dispatch_uid="asem_portal_licence_deleted")
