from django.apps import AppConfig


class MobilityConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'mobility'

    def ready(self):
        from functools import partial

        from instruments.registry import related_activities as instrument_activities
        from mobility import activity_counts, metrics, selectors, totals
        from objectives.registry import related_activities as objective_activities

        metrics.register_metrics()
        metrics.connect_receivers()
        totals.connect_receivers()
        activity_counts.connect_receivers()
        # Their pages list the activities that serve them, and must not import mobility to find them.
        objective_activities.register(counts=partial(selectors.activity_counts, "objective"),
                                      first=partial(selectors.first_activities_serving, "objectives"))
        instrument_activities.register(counts=partial(selectors.activity_counts, "instrument"),
                                       first=partial(selectors.first_activities_serving, "instruments"))
