from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'objectives'
