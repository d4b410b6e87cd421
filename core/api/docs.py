"""The API's documentation pages, Swagger UI and Redoc, served from the portal alone.

Both come from drf-spectacular-sidecar's static files. drf-spectacular's own
Redoc page links Google Fonts and starts Redoc from an inline script; this one
does neither, so it loads with no outside network and under the portal's
Content Security Policy (scripts from 'self' only). Swagger UI uses the split
view for the same reason: its start-up script is a file, not inline.
"""

from django.http import HttpResponse
from django.template import engines
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.response import Response

REDOC_PAGE = engines["django"].from_string("""<!DOCTYPE html>
<html lang="en">
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <redoc spec-url="{{ schema_url }}"></redoc>
    <script src="{{ redoc_standalone }}"></script>
  </body>
</html>
""")


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process: it changes only when the code does."""

    schemas: dict = {}

    def _get_schema_response(self, request):
        key = (translation.get_language(), request.GET.get("version"))
        if key not in self.schemas:
            self.schemas[key] = super()._get_schema_response(request)
        cached = self.schemas[key]
        return Response(data=cached.data, headers={"Content-Disposition": cached["Content-Disposition"]})


class SwaggerView(SpectacularSwaggerSplitView):
    pass


class RedocView(SpectacularRedocView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        html = REDOC_PAGE.render({
            "title": self.title, "schema_url": self._get_schema_url(request),
            "redoc_standalone": self._redoc_standalone(),
        })
        return HttpResponse(html)
