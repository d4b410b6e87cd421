from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'objectives'

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from objectives.models import Indicator, Observation
        from objectives.services import progress_data_changed

        # Admin edits and imports write these too: each write only cues the debounced refresh.
        for model in (Indicator, Observation):
            post_save.connect(progress_data_changed, sender=model, dispatch_uid=f"progress-{model.__name__}-save")
            post_delete.connect(progress_data_changed, sender=model, dispatch_uid=f"progress-{model.__name__}-delete")
