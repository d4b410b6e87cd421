"""The open-data licence for a page's footer: {% open_data_licence as licence %} (core/licence.py)."""

from django import template

from core import licence

register = template.Library()


@register.simple_tag
def open_data_licence() -> licence.Licence:
    return licence.current()
