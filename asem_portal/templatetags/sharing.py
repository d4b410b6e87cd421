"""{% share_figure %}: the "Embed or download" block under a figure on its page (asem_portal/embeds.py serves both)."""

from html import escape
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()

# A frame tall enough for each figure at a common column's width: the site that embeds it may change it.
FRAME_HEIGHTS = {"indicator": 620, "indicator-map": 680, "progress": 640, "mobility": 560, "mobility-map": 680}
# The mobility page's query keys that are no filter of its flows.
NOT_FILTERS = {"format", "page", "ordering"}


@register.inclusion_tag("includes/share_figure.html", takes_context=True)
def share_figure(context, kind: str, title: str, code: str = "", filters: bool = False, **params):
    """The block for one figure: kind names it (asem_portal.embeds.FIGURES), code its indicator, params the query
    it is drawn for (empty ones left out); filters=True carries the page's own query (the mobility filters)."""
    request = context["request"]
    args = [code] if code else []
    asked = {name: value for name, value in params.items() if value not in (None, "")}
    if filters:
        asked.update({name: value for name, value in request.GET.items() if name not in NOT_FILTERS and value})
    query = f"?{urlencode(asked)}" if asked else ""
    embed = request.build_absolute_uri(reverse(f"embed-{kind}", args=args)) + query
    frame = (f'<iframe src="{escape(embed)}" title="{escape(title)}" width="100%" height="{FRAME_HEIGHTS[kind]}" '
             f'style="border: 0; max-width: 100%;" loading="lazy"></iframe>')
    return {
        "block_id": f"share-{kind}",
        "title": title,
        "frame": frame,
        "svg": reverse(f"{kind}-svg", args=args) + query,
        "png": reverse(f"{kind}-png", args=args) + query,
        "svg_label": _("Download the chart as SVG") if "map" not in kind else _("Download the map as SVG"),
        "png_label": _("Download the chart as PNG") if "map" not in kind else _("Download the map as PNG"),
    }
