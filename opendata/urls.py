"""Open data: the data releases, SDMX, feeds, the sitemap and robots.txt."""

app_name = "opendata"

urlpatterns = []
