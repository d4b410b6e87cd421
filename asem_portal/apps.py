from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, apps, verbosity=0, **kwargs):
    from asem_portal.roles import sync_secretariat_group

    sync_secretariat_group(apps, verbosity=verbosity)


class AsemPortalConfig(AppConfig):
    name = "asem_portal"
    verbose_name = "ASEM Education Portal"

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="asem_portal_sync_roles")
