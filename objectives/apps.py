from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'objectives'

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core import changes
        from objectives.models import Indicator, Observation
        from objectives.services import refresh_when_asked

        # Admin edits and imports write these too: each write only cues the debounced refresh.
        for model in (Indicator, Observation):
            post_save.connect(changes.model_changed, sender=model, dispatch_uid=f"progress-{model.__name__}-save")
            post_delete.connect(changes.model_changed, sender=model, dispatch_uid=f"progress-{model.__name__}-delete")
        # Any app's committed change (mobility's flows and activities too) may move a computed indicator.
        changes.committed.connect(refresh_when_asked, dispatch_uid="objectives-refresh-when-asked")
