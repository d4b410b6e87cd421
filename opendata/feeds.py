"""Atom feeds to follow the portal: published activities, data releases, and an indicator's new values.

Only what is public is in them: activities once published, releases once ready, and observations (a partner's values
exist as observations only once the secretariat approved them). An item of demonstration data says so in its title.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.charts import number
from core.licence import current as current_licence
from mobility.models import Activity
from objectives.models import Indicator, Observation
from opendata.models import DataRelease

ENTRIES = 50


def _demo(title: str, is_demo: bool) -> str:
    return _("%(title)s (demo data)") % {"title": title} if is_demo else title


class PortalFeed(Feed):
    feed_type = Atom1Feed

    def feed_copyright(self):
        licence = current_licence()
        return f"{licence.name} ({licence.url})"


class ActivitiesFeed(PortalFeed):
    title = gettext_lazy("ASEM Education Portal: published activities")
    subtitle = gettext_lazy("Activities of the ASEM partners under the Education Strategy 2030, as they are published.")

    def link(self):
        return reverse("mobility:activities")

    def items(self):
        # Latest published first, as the index of published activities orders them (an activity without a
        # publication date last): a descending order with the nulls first reads every draft before the first entry.
        return (Activity.objects.filter(state=Activity.State.PUBLISHED).select_related("lead_partner")
                .only("slug", "title", "summary", "description", "is_demo", "published_at", "created_at",
                      "updated_at", "lead_description", "lead_partner__name")
                .order_by(F("published_at").desc(nulls_last=True), "-pk")[:ENTRIES])

    def item_title(self, activity):
        return _demo(activity.title, activity.is_demo)

    def item_description(self, activity):
        summary = activity.summary or activity.description[:500]
        if activity.is_demo:
            summary = " ".join([_("Synthetic demonstration data."), summary])
        return summary

    def item_pubdate(self, activity):
        return activity.published_at or activity.created_at

    def item_updateddate(self, activity):
        return activity.updated_at

    def item_author_name(self, activity):
        return activity.lead_partner.name if activity.lead_partner_id else activity.lead_description or None


class ReleasesFeed(PortalFeed):
    title = gettext_lazy("ASEM Education Portal: data releases")
    subtitle = gettext_lazy("Each new release of everything public on the portal, as a Frictionless Data Package.")

    def link(self):
        return reverse("opendata:data")

    def get_object(self, request):
        # The feed's one object is the site's address, which a release's enclosure needs whole: the feed itself is
        # one instance for every request, so it keeps nothing of any.
        return request.build_absolute_uri("/").rstrip("/")

    def items(self, site):
        found = list(DataRelease.objects.filter(state=DataRelease.State.READY).select_related("round")
                     .order_by("-number")[:ENTRIES])
        for release in found:
            release.enclosure_url = site + release.download_url
        return found

    def item_title(self, release):
        return _demo(_("Data release %(number)s") % {"number": release.number}, release.has_demo)

    def item_description(self, release):
        parts = [release.why + ".", _("%(size)s bytes, SHA-256 %(sha)s.") % {
            "size": f"{release.size:,}", "sha": release.sha256}]
        if release.has_demo:
            parts.append(_("It holds synthetic demonstration data, marked is_demo."))
        return " ".join(parts)

    def item_link(self, release):
        return release.get_absolute_url()

    def item_enclosures(self, release):
        return [Enclosure(release.enclosure_url, str(release.size), "application/zip")]

    def item_pubdate(self, release):
        return release.finished_at


@dataclass(frozen=True)
class NewValue:
    """An observation's value as it was published: when it was first written, or when its value changed."""

    observation_id: int
    history_id: int
    year: int
    breakdown: str
    value: float
    partner: str | None
    published: datetime
    indicator: Indicator


def new_values(indicator: Indicator, limit: int = ENTRIES) -> list[NewValue]:
    """The indicator's values, newest first, each as it was published (from the observations' history): a value
    is new when its observation is created and again whenever its value changes; a change of its note or source
    alone is not a new value. Values since deleted are left out: they are no longer public."""
    current = set(indicator.observations.values_list("pk", flat=True))
    history = (Observation.history.filter(indicator_id=indicator.pk).exclude(history_type="-")
               .order_by("id", "history_date", "history_id")
               .values_list("id", "history_id", "year", "breakdown", "value", "partner__name", "history_date"))
    found, last = [], {}
    for pk, history_id, year, breakdown, value, partner, when in history.iterator():
        if pk in current and last.get(pk) != value:
            found.append(NewValue(pk, history_id, year, breakdown, value, partner, when, indicator))
        last[pk] = value
    found.sort(key=lambda v: (v.published, v.history_id), reverse=True)
    return found[:limit]


class IndicatorValuesFeed(PortalFeed):
    def get_object(self, request, code):
        return get_object_or_404(Indicator, code=code)

    def title(self, indicator):
        return _demo(_("%(code)s %(name)s: new values") % {"code": indicator.code, "name": indicator.name},
                     indicator.is_demo)

    def subtitle(self, indicator):
        return _("Each value of the indicator, ASEM's and each partner's, as it is published or changed.")

    def link(self, indicator):
        return indicator.get_absolute_url()

    def items(self, indicator):
        return new_values(indicator)

    def item_title(self, value):
        indicator = value.indicator
        figure = f"{number(indicator.at_precision(value.value), indicator.decimals)} {indicator.unit}".strip()
        who = value.partner or _("ASEM")
        breakdown = f" [{value.breakdown}]" if value.breakdown else ""
        title = _("%(who)s, %(year)s%(breakdown)s: %(figure)s") % {
            "who": who, "year": value.year, "breakdown": breakdown, "figure": figure}
        return _demo(title, indicator.is_demo)

    def item_description(self, value):
        text = _("%(code)s %(name)s.") % {"code": value.indicator.code, "name": value.indicator.name}
        if value.indicator.is_demo:
            text = " ".join([text, _("Synthetic demonstration data.")])
        return text

    def item_link(self, value):
        return value.indicator.get_absolute_url()

    def item_guid(self, value):
        # An Atom id is a full address: the indicator's page and which value, at which change.
        page = settings.SITE_URL + value.indicator.get_absolute_url()
        return f"{page}#value-{value.observation_id}-{value.history_id}"

    def item_guid_is_permalink(self, value):
        return False

    def item_pubdate(self, value):
        return value.published
