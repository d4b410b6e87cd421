"""The sitemap: every public page, and nothing else (never the workspace, the admin, a draft or a round's board)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from instruments.models import Instrument
from mobility.models import Activity
from objectives.models import Indicator, Objective
from partners.models import Partner
from reporting.models import Round

PAGES = ["home", "progress", "about", "objectives:list", "instruments:list", "mobility:activities",
         "mobility:partners", "mobility:mobility", "reporting:rounds", "opendata:data"]


class PagesSitemap(Sitemap):
    def items(self):
        return PAGES

    def location(self, name):
        return reverse(name)


class ObjectsSitemap(Sitemap):
    """Objects of one model, each at its own get_absolute_url()."""

    queryset = None

    def items(self):
        return self.queryset.all()


class ObjectivesSitemap(ObjectsSitemap):
    queryset = Objective.objects.order_by("number")


class IndicatorsSitemap(ObjectsSitemap):
    queryset = Indicator.objects.order_by("code")


class InstrumentsSitemap(ObjectsSitemap):
    queryset = Instrument.objects.order_by("number")


class PartnersSitemap(ObjectsSitemap):
    queryset = Partner.objects.order_by("code")


class ActivitiesSitemap(ObjectsSitemap):
    queryset = Activity.objects.filter(state=Activity.State.PUBLISHED).order_by("slug")

    def lastmod(self, activity):
        return activity.updated_at


class RoundsSitemap(ObjectsSitemap):
    queryset = Round.objects.exclude(state=Round.State.DRAFT).order_by("slug")


SITEMAPS = {
    "pages": PagesSitemap, "objectives": ObjectivesSitemap, "indicators": IndicatorsSitemap,
    "instruments": InstrumentsSitemap, "partners": PartnersSitemap, "activities": ActivitiesSitemap,
    "rounds": RoundsSitemap,
}
