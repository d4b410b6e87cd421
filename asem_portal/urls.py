from django.contrib import admin
from django.urls import include, path

from asem_portal import embeds, health, views

admin.site.site_header = "ASEM Education Portal: secretariat"
admin.site.site_title = "ASEM Education Portal admin"
admin.site.index_title = "Strategy, partners, activities and mobility"
# At 1280 pixels the sidebar of every model took a quarter of the width from the lists; the index and the
# breadcrumbs lead to the same places.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("progress/", views.progress, name="progress"),
    path("about/", views.about, name="about"),
    path("", include(embeds)),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("asem_portal.api_urls")),
    path("", include("objectives.urls")),
    path("", include("instruments.urls")),
    path("", include("workspace.urls")),
    path("", include("reporting.urls")),
    path("", include("mobility.urls")),
    path("", include("reports.urls")),
    path("", include("opendata.urls")),
]

handler400 = "asem_portal.views.bad_request"
handler500 = "asem_portal.views.server_error"
