"""Reads of the strategy shared by pages, the API and exports."""

from django.db.models import Prefetch

from objectives.models import Objective, Priority, Strategy


def current_strategy() -> Strategy | None:
    return Strategy.objects.order_by("-start_year").first()


def objective_list():
    return Objective.objects.prefetch_related(Prefetch("priorities", queryset=Priority.objects.order_by("number")))
