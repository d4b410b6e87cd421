"""The API's documentation pages, Swagger UI and Redoc, served from the portal alone.

Both come from drf-spectacular-sidecar's static files. drf-spectacular's own
Redoc page links Google Fonts and starts Redoc from an inline script; this one
does neither, so it loads with no outside network and under the portal's
Content Security Policy (scripts from 'self' only). Swagger UI uses the split
view for the same reason: its start-up script is a file, not inline.
"""

from django.conf import settings
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
    """The OpenAPI schema, generated once per process and language: it changes only when the code does."""

    schemas: dict = {}

    def _get_version_parameter(self, request):
        # The version is in the path (/api/v1/): a ?version= of the client's own would only be one more schema to
        # build and keep for ever.
        return None

    def _get_schema_response(self, request):
        # A ?lang= the portal does not speak is its default language, not another schema kept per made-up code.
        language = translation.get_language()
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        if language not in self.schemas:
            with translation.override(language):
                self.schemas[language] = super()._get_schema_response(request).data
        # The file's name follows this request's format (JSON or YAML), not the first request's.
        disposition = f'inline; filename="{self._get_filename(request, None)}"'
        return Response(data=self.schemas[language], headers={"Content-Disposition": disposition})


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
