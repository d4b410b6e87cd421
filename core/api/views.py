"""ApiViewMixin: what every API view shares."""

from urllib.parse import quote

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.encoding import iri_to_uri
from django.utils.http import parse_etags
from rest_framework import exceptions, renderers, status
from rest_framework.response import Response

from core import licence
from core.api.csv import CSVRenderer, csv_disposition, csv_lines, in_chunks, serializer_columns
from core.api.errors import PreconditionFailed
from core.api.etags import etag_for, none_match
from core.api.permissions import handles

# What a header value may hold as it is: printable ASCII; anything else (and % itself) is percent-encoded.
_HEADER_SAFE = "".join(chr(code) for code in range(0x20, 0x7F) if chr(code) != "%")
CITATION_HEADER = "Citation"


def state_licence(response) -> None:
    """The licence the data are under, as a Link (RFC 8288, rel="license"), and how to cite them, in ASCII."""
    current = licence.current()
    target = iri_to_uri(current.url).replace("<", "%3C").replace(">", "%3E")
    link = f'<{target}>; rel="license"'
    response["Link"] = f"{response['Link']}, {link}" if response.has_header("Link") else link
    response[CITATION_HEADER] = quote(" ".join(current.citation.split()), safe=_HEADER_SAFE)


class ApiViewMixin:
    """ETags and 304s on reads, If-Match on writes, JSON errors, CSV on lists, the licence on every response.

    Put it first among a view's bases. List actions (``csv_actions``) also
    render CSV; everything else is JSON.
    """

    csv_actions = ("list",)
    csv_filename = "export"

    def get_renderers(self):
        chosen = [renderers.JSONRenderer()]
        if getattr(self, "action", None) in self.csv_actions:
            chosen.append(CSVRenderer())
        return chosen

    def csv_columns(self) -> list[str]:
        try:
            return serializer_columns(self.get_serializer())
        except (AssertionError, AttributeError):
            return []

    def initial(self, request, *args, **kwargs):
        if not handles(self, request):
            # 405 before anything reads the query string: TRACE with ?format=csv is still a method not allowed.
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    # The serializer of one resource as GET shows it: its data is what ETags are computed from.
    detail_serializer_class = None

    def get_object(self, queryset=None):
        # A detail needs no list filters: skipping them also keeps DISTINCT away from SELECT ... FOR UPDATE.
        queryset = self.get_queryset() if queryset is None else queryset
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        try:
            obj = queryset.get(**{self.lookup_field: self.kwargs[lookup_url_kwarg]})
        except (queryset.model.DoesNotExist, ValueError, TypeError, DjangoValidationError):
            raise exceptions.NotFound() from None
        self.check_object_permissions(self.request, obj)
        return obj

    def object_for_write(self):
        """The object a write changes: locked until the transaction ends, and checked against If-Match.

        Call it inside transaction.atomic, so no other writer slips in between the check and the write.
        """
        obj = self.get_object(self.get_queryset().select_for_update(of=("self",)))
        self.check_if_match(obj)
        return obj

    def detail_serializer(self, instance):
        serializer_class = self.detail_serializer_class or self.get_serializer_class()
        return serializer_class(instance, context=self.get_serializer_context())

    def current_etag(self, instance) -> str:
        return etag_for(self.detail_serializer(instance).data)

    def check_if_match(self, instance) -> None:
        """Refuse a write with 412 when If-Match names a representation that is no longer current."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        tags = parse_etags(header)
        if "*" in tags:
            return
        # Strong comparison: a weak tag never matches a write's precondition.
        if self.current_etag(instance) not in [tag for tag in tags if not tag.startswith("W/")]:
            error = PreconditionFailed()
            error.field, error.location = "If-Match", "header"
            raise error

    def written(self, instance, status_code=status.HTTP_200_OK, headers=None) -> Response:
        """The response to a write: the new representation and its ETag."""
        data = self.detail_serializer(instance).data
        headers = {"ETag": etag_for(data), **(headers or {})}
        return Response(data, status=status_code, headers=headers)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and getattr(response, "accepted_renderer", None) is not None \
                and response.accepted_renderer.format != "json":
            # Errors are always JSON, whatever format the client asked the data in.
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = response.accepted_renderer.media_type
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        state_licence(response)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        patch_cache_control(response, no_cache=True)
        if not hasattr(response, "data"):
            return response  # a streamed export: no ETag, which would need every row before the first is sent
        if not response.has_header("ETag"):
            renderer_format = getattr(getattr(response, "accepted_renderer", None), "format", "json")
            response["ETag"] = etag_for(response.data, "" if renderer_format == "json" else f"-{renderer_format}")
        if none_match(request, response["ETag"]):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Cache-Control", "Link", CITATION_HEADER):
                not_modified[header] = response[header]
            return not_modified
        return response

    # How many rows a full CSV export reads, serializes and sends at a time.
    csv_chunk_size = 2000

    def list(self, request, *args, **kwargs):
        """A page of results; as CSV with no page asked for, every row, streamed as it is read."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        if request.accepted_renderer.format == CSVRenderer.format:
            return self.streamed_csv(queryset)
        return Response(self.get_serializer(queryset, many=True).data)

    def streamed_csv(self, queryset) -> StreamingHttpResponse:
        chunks = (self.get_serializer(chunk, many=True).data for chunk in in_chunks(queryset, self.csv_chunk_size))
        response = StreamingHttpResponse(
            csv_lines(chunks, self.csv_columns(), CSVRenderer.charset),
            content_type=f"{CSVRenderer.media_type}; charset={CSVRenderer.charset}",
        )
        response["Content-Disposition"] = csv_disposition(self)
        return response
