from django.apps import AppConfig


class MobilityConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'mobility'

    def ready(self):
        from mobility import metrics, totals

        metrics.register_metrics()
        metrics.connect_receivers()
        totals.connect_receivers()
