"""Template helpers of the partner workspace."""

from django import template

from core import roles
from mobility import imports

register = template.Library()


@register.filter
def is_secretariat(user) -> bool:
    """Whether the user reviews submissions; remembered on the user for the rest of the request."""
    return roles.is_secretariat(user)


@register.filter
def file_size(size: int) -> str:
    """'20 MB' where Django's filesizeformat says '20.0 MB'."""
    return imports.file_size(size)
