"""Open data: the data releases, SDMX, feeds, the sitemap and robots.txt."""

from django.contrib.sitemaps import views as sitemaps
from django.urls import path

from opendata import feeds, sdmx_admin, views
from opendata.sitemaps import SITEMAPS

app_name = "opendata"

urlpatterns = [
    path("data/", views.data, name="data"),
    path("data/releases/<int:number>/datapackage.zip", views.download, name="download"),
    path("data/feed.atom", feeds.ReleasesFeed(), name="releases-feed"),
    path("activities/feed.atom", feeds.ActivitiesFeed(), name="activities-feed"),
    path("indicators/<str:code>/feed.atom", feeds.IndicatorValuesFeed(), name="indicator-feed"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "opendata:sitemap-section"},
         name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap, name="sitemap-section"),
    path("robots.txt", views.robots, name="robots"),
    path("data/sdmx/import/<str:code>/", sdmx_admin.import_view, name="sdmx-import"),
]
