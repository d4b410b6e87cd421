"""/api/v1/: every endpoint of the API, with a link to each, read from the schema so it never leaves one out."""

from functools import cache

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import licence
from core.api.fields import absolute_url
from core.api.views import ApiViewMixin

PREFIX = "/api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")


class EndpointSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Its address, with {placeholders} for the parts that name a resource.")
    url = serializers.URLField(allow_null=True, help_text="A link to it, when its address has no placeholder.")
    methods = serializers.ListField(child=serializers.CharField(), help_text="The methods it takes.")
    summary = serializers.CharField(help_text="What it is for.")


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Its short name, such as CC BY 4.0.")
    url = serializers.URLField(help_text="Where its text is published.")


class IndexSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    schema = serializers.URLField(help_text="The OpenAPI schema.")
    docs = serializers.URLField(help_text="The documentation, where every call can be tried.")
    licence = LicenceSerializer(help_text="The licence every figure of the API is open under (each response's "
                                          "Link header, rel=\"license\", names it too).")
    citation = serializers.CharField(help_text="How to cite the data (each response's Citation header too).")
    endpoints = EndpointSerializer(many=True, help_text="Every endpoint of this version, in the schema's order.")


@cache
def endpoints() -> tuple[tuple[str, list[str], str], ...]:
    """Each path of the schema under /api/v1/ with its methods and summary; computed once, the code fixes them."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        if not path.startswith(PREFIX):
            continue
        methods = [method for method in METHODS if method in operations]
        found.append((path, [method.upper() for method in methods], operations[methods[0]].get("summary", "")))
    return tuple(found)


class IndexView(ApiViewMixin, APIView):
    @extend_schema(
        tags=["index"], summary="Every endpoint", responses=IndexSerializer,
        description="The API's endpoints, each with its methods, what it is for and a link to it.",
    )
    def get(self, request):
        current = licence.current()
        return Response(IndexSerializer({
            "name": "ASEM Education Portal API", "version": "1",
            "licence": {"name": current.name, "url": current.url}, "citation": current.citation,
            "schema": absolute_url("api:schema", request), "docs": absolute_url("api:docs", request),
            "endpoints": [
                {"path": path, "url": None if "{" in path else request.build_absolute_uri(path), "methods": methods,
                 "summary": summary}
                for path, methods, summary in endpoints()
            ],
        }).data)
