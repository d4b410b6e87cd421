from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opendata"
    verbose_name = "Open data"

    def ready(self):
        from reporting.signals import round_closed

        round_closed.connect(release_after_round, dispatch_uid="opendata.release_after_round")


def release_after_round(*, round, **kwargs) -> None:
    """A round has closed (and committed): build a release of everything public as it now stands."""
    from opendata.releases import release_for_round

    release_for_round(round_id=round.pk)
