"""Pages of results, with bad page parameters reported as 400s that name them."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings

from core.api.errors import QueryParameterError, excerpt


def _digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also passes superscripts and other scripts' digits, which int() refuses."""
    return value.isascii() and value.isdigit()


class Pagination(PageNumberPagination):
    """Pages of PAGE_SIZE results (page_size up to 500); CSV without a page asked for has every row."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    last_page_strings = ("last",)

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        # Counted before int(), which refuses a number over 4,300 digits long with a ValueError, not a 400.
        significant = value.lstrip("0")
        if not _digits(value) or len(significant) > len(str(self.max_page_size)) \
                or not 1 <= int(significant or "0") <= self.max_page_size:
            raise QueryParameterError(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}."]}, code="invalid"
            )
        return int(significant)

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "csv" \
                and self.page_query_param not in params and self.page_size_query_param not in params:
            return None
        page = params.get(self.page_query_param)
        if page is not None and page not in self.last_page_strings and not (_digits(page) and page.strip("0")):
            raise QueryParameterError({"page": ["Give a whole number from 1, or last."]}, code="invalid")
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            error = exceptions.NotFound(f"There is no page {excerpt(page)}: the results have fewer pages.")
            error.parameter = self.page_query_param
            raise error from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = "The page to return, from 1."
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = (
                    f"How many results a page has: {api_settings.PAGE_SIZE} unless given, "
                    f"at most {self.max_page_size}."
                )
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = "How many results match, over all pages."
        response["properties"]["next"]["description"] = "The next page's URL, or null on the last page."
        response["properties"]["previous"]["description"] = "The previous page's URL, or null on the first page."
        response["properties"]["results"]["description"] = "This page's results."
        return response
