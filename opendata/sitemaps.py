"""The sitemap: every public page, and nothing else (never the workspace, the admin, a draft or a round's board).

/sitemap.xml is an index of the sections' sitemaps, each in pages of at most LIMIT addresses, as search engines
expect of a site with tens of thousands of activities: no one file has to hold them all. Every section reads only
what its addresses need (a code, a slug, when an activity changed), never whole rows.
"""

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet, Subquery
from django.urls import reverse

from core.addresses import reversed_once
from instruments.models import Instrument
from mobility.models import Activity
from objectives.models import Indicator, Objective
from partners.models import Partner
from reporting.models import Round

PAGES = ["home", "progress", "about", "objectives:list", "instruments:list", "mobility:activities",
         "mobility:partners", "mobility:mobility", "reporting:rounds", "opendata:data"]
# Addresses in one page of a section: well under the protocol's 50,000 (and its 50 MB), so a page stays small.
LIMIT = 5000


class PagesSitemap(Sitemap):
    limit = LIMIT

    def items(self):
        return PAGES

    def location(self, name):
        return reverse(name)


class ObjectsSitemap(Sitemap):
    """Objects of one model, each at its page: the URL's name and the field its one argument is."""

    limit = LIMIT
    queryset: QuerySet = None
    url_name = ""
    field = ""

    def items(self):
        return self.queryset.values_list(self.field, flat=True)

    @cached_property
    def address(self):
        return reversed_once(self.url_name)

    def location(self, value):
        return self.address(value)


class ObjectivesSitemap(ObjectsSitemap):
    queryset = Objective.objects.order_by("number")
    url_name, field = "objectives:objective", "number"


class IndicatorsSitemap(ObjectsSitemap):
    queryset = Indicator.objects.order_by("code")
    url_name, field = "objectives:indicator", "code"


class InstrumentsSitemap(ObjectsSitemap):
    queryset = Instrument.objects.order_by("number")
    url_name, field = "instruments:instrument", "slug"


class PartnersSitemap(ObjectsSitemap):
    queryset = Partner.objects.order_by("code")
    url_name, field = "reports:partner", "code"


class PublishedActivities:
    """The published activities' slugs and when each changed, oldest first, as the sitemap's paginator reads them.

    A page starts at the id the index of published activities puts at its offset, and reads its rows from there
    by the primary key: a late page costs what the first does instead of reading every row before it.
    """

    def __init__(self):
        self.queryset = Activity.objects.filter(state=Activity.State.PUBLISHED).order_by("pk")

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        start = page.start or 0
        first = self.queryset.values("pk")[start:start + 1]
        return list(self.queryset.filter(pk__gte=Subquery(first)).values("slug", "updated_at")[:page.stop - start])


class ActivitiesSitemap(ObjectsSitemap):
    url_name = "mobility:activity"

    def items(self):
        return PublishedActivities()

    def location(self, activity):
        return super().location(activity["slug"])

    def lastmod(self, activity):
        return activity["updated_at"]

    def get_latest_lastmod(self):
        # The index gives no date for the section: Django would read every activity to find the latest.
        return None


class RoundsSitemap(ObjectsSitemap):
    queryset = Round.objects.exclude(state=Round.State.DRAFT).order_by("slug")
    url_name, field = "reporting:round", "slug"


SITEMAPS = {
    "pages": PagesSitemap, "objectives": ObjectivesSitemap, "indicators": IndicatorsSitemap,
    "instruments": InstrumentsSitemap, "partners": PartnersSitemap, "activities": ActivitiesSitemap,
    "rounds": RoundsSitemap,
}
