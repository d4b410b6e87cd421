"""Formatting for the pages: numbers, growth rates and the progress method's names."""

from django import template
from django.utils.translation import gettext_lazy as _

from core.charts import number
from objectives import progress

register = template.Library()

METHODS = {
    progress.METHOD_CAGR: _("Compound annual growth, against the growth the target needs"),
    progress.METHOD_LINEAR: _("Linear change a year, against the change the target needs (compound growth is "
                              "undefined for zero or negative values)"),
    progress.METHOD_FIXED_THRESHOLDS: _("No target: growth compared with fixed thresholds of 1.5 %, 0.5 % and 0 "
                                        "a year"),
    progress.METHOD_OVERRIDE: _("Set by hand by the secretariat"),
    progress.METHOD_NONE: _("Not assessed: no observation after the baseline year"),
    progress.METHOD_WEIGHTED_MEAN: _("Weighted mean of the scores of the parts"),
}


@register.filter
def num(value, digits=2):
    """A number with thousands separated and no trailing zeros; a dash for nothing."""
    if value is None or value == "":
        return "–"
    return number(value, int(digits))


@register.filter
def growth(value, growth_method=None):
    """A growth rate as the method measures it: a percentage a year, or a change a year for linear growth."""
    if value is None:
        return "–"
    if growth_method == progress.GROWTH_LINEAR:
        return _("%(change)s a year") % {"change": f"{progress.rounded(value, 4):+,.4g}"}
    return _("%(percent)s %% a year") % {"percent": f"{progress.rounded(value * 100, 2):+.2f}"}


@register.filter
def ratio(value):
    return "–" if value is None else f"{progress.rounded(value, 2):.2f}"


@register.filter
def method_label(value):
    return METHODS.get(value, value or "–")


@register.filter
def filters_set(form, search_field="q"):
    """How many of a filter form's fields (the search box aside) are set or wrong: the form folds away if none."""
    if not form.is_bound:
        return 0
    return sum(1 for field in form if field.name != search_field
               and (field.errors or any(value not in ("", None) for value in form.data.getlist(field.html_name))))
