"""How the progress method's figures read on a page: numbers, growth rates, ratios and the methods' names. The pages'
template filters (asem_portal/templatetags/portal.py) are these functions, and views that write a table's rows
themselves call them directly, so both give the same text."""

from django.utils.translation import gettext_lazy as _

from core.charts import number
from objectives import progress

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


def num(value, digits=2):
    """A number with thousands separated and no trailing zeros; a dash for nothing."""
    if value is None or value == "":
        return "–"
    return number(value, int(digits))


def growth(value, growth_method=None):
    """A growth rate as the method measures it: a percentage a year, or a change a year for linear growth."""
    if value is None:
        return "–"
    if growth_method == progress.GROWTH_LINEAR:
        return _("%(change)s a year") % {"change": f"{progress.rounded(value, 4):+,.4g}"}
    return _("%(percent)s %% a year") % {"percent": f"{progress.rounded(value * 100, 2):+.2f}"}


def ratio(value):
    return "–" if value is None else f"{progress.rounded(value, 2):.2f}"


def method_label(value):
    return METHODS.get(value, value or "–")
