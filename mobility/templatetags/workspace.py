"""Template helpers of the partner workspace."""

from django import template

from mobility import services

register = template.Library()


@register.filter
def is_secretariat(user) -> bool:
    """Whether the user reviews submissions; remembered on the user for the rest of the request."""
    return services._is_secretariat(user)
