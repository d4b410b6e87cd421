"""Formatting for the pages: numbers, growth rates and the progress method's names."""

from django import template

from objectives import formats

register = template.Library()

for name in ("num", "growth", "ratio", "method_label"):
    register.filter(name, getattr(formats, name))


@register.filter
def filters_set(form, search_field="q"):
    """How many of a filter form's fields (the search box aside) are set or wrong: the form folds away if none."""
    if not form.is_bound:
        return 0
    return sum(1 for field in form if field.name != search_field
               and (field.errors or any(value not in ("", None) for value in form.data.getlist(field.html_name))))
