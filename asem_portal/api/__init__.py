"""What every endpoint of the REST API shares.

Pagination, the CSV renderer, ETags (304 on a matching If-None-Match, 412 on
a stale If-Match), one JSON shape for every error, permissions, throttles and
the schema's description of all of these. The apps' api modules only declare
their serializers and views on top of ApiViewMixin.
"""

import csv
import hashlib
import io
import itertools
import json
from collections.abc import Iterable, Iterator

import django_filters
from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db.models import ProtectedError, QuerySet
from django.http import Http404, HttpResponseNotModified, JsonResponse, StreamingHttpResponse
from django.urls import reverse as django_reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, parsers, permissions, renderers, serializers, status, throttling
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

# Errors ---------------------------------------------------------------------


class QueryParameterError(exceptions.ValidationError):
    """A bad value in the query string: reported with location "query" and the parameter's name."""


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it: read it again, then repeat your change."
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is larger than this endpoint takes."
    default_code = "too_large"


def size_in_words(size: int) -> str:
    """Bytes as people read them: 5 MiB, 512 KiB, 300 bytes."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} bytes"


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The body is larger than {size_in_words(limit)}, the most this endpoint takes.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"


# Model constraints whose message Django reports without a field, and the field a client should fix.
CONSTRAINT_FIELDS = {
    "activity_end_not_before_start": "end_date",
    "activity_end_year_not_before_start_year": "end_year",
    "flow_origin_not_destination": "destination",
    "flow_female_not_above_participants": "female",
    "flow_fewer_opportunities_not_above_participants": "fewer_opportunities",
    "flow_year_in_range": "year",
    "indicator_target_after_baseline": "target_year",
    "indicator_weight_not_negative": "weight",
    "indicator_override_has_reason": "override_reason",
    "indicator_computed_has_metric": "metric",
    "observation_year_in_range": "year",
    "observation_unique_per_year_and_breakdown": "year",
}
# A service refuses a transition the resource's state does not allow with this code: 409, not 400.
INVALID_STATE = "invalid_state"


def _constraint_field(message: str) -> str | None:
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            field = CONSTRAINT_FIELDS.get(constraint.name)
            if field and str(constraint.get_violation_error_message()) == message:
                return field
    return None


def _django_validation_detail(exc: DjangoValidationError) -> dict | list:
    """A Django ValidationError as DRF error details, with constraint messages moved onto their field."""
    if not hasattr(exc, "error_dict"):
        return [exceptions.ErrorDetail(message, code=error.code or "invalid")
                for error in exc.error_list for message in error.messages]
    detail: dict[str, list] = {}
    for name, errors in exc.error_dict.items():
        for error in errors:
            for message in error.messages:
                field = name
                if name == NON_FIELD_ERRORS:
                    field = _constraint_field(message) or api_settings.NON_FIELD_ERRORS_KEY
                detail.setdefault(field, []).append(exceptions.ErrorDetail(message, code=error.code or "invalid"))
    return detail


def _flatten(detail, location: str, prefix: str = "") -> list[dict]:
    """Nested DRF error details as a flat list, each naming its field with a dotted path."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            name = None if key == api_settings.NON_FIELD_ERRORS_KEY and not prefix else f"{prefix}{key}"
            items += _flatten(value, location, f"{name}." if name else prefix)
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                items += _flatten(value, location, f"{prefix}{index}.")
            else:
                items += _flatten(value, location, prefix)
        return items
    field = prefix[:-1] if prefix else None
    return [{"location": location, "field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def _summary(items: list[dict]) -> str:
    parts = [f"{item['field']}: {item['message']}" if item["field"] else item["message"] for item in items[:3]]
    if len(items) > 3:
        parts.append(f"and {len(items) - 3} more")
    return " ".join(part if part.endswith(".") else f"{part}." for part in parts)


def exception_handler(exc, context):
    """Every error as {status, code, detail, errors: [{location, field, code, message}]}."""
    location = "body"
    if isinstance(exc, RequestDataTooBig):
        exc = too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        errors = exc.error_list if not hasattr(exc, "error_dict") else [
            error for field_errors in exc.error_dict.values() for error in field_errors
        ]
        codes = {error.code for error in errors}
        detail = _django_validation_detail(exc)
        if codes == {INVALID_STATE}:
            field, messages = next(iter(detail.items())) if isinstance(detail, dict) else (None, detail)
            exc = Conflict(messages[0], code=INVALID_STATE)
            exc.field = field
        else:
            exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        field = getattr(exc, "field", None)
        exc = exceptions.PermissionDenied(str(exc) or None)
        exc.field = field
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ProtectedError):
        exc = Conflict("Other records still refer to this one, so it cannot be deleted.")
    elif isinstance(exc, IntegrityError):
        # full_clean() checks every constraint first; this is the rare race between two writers.
        exc = Conflict("The change clashes with another one made at the same time: read the data again and retry.")
    if isinstance(exc, QueryParameterError):
        location = "query"

    from rest_framework.views import exception_handler as drf_exception_handler  # it imports these settings

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        items = _flatten(detail, location)
        code = "invalid"
        text = _summary(items)
    else:
        field = getattr(exc, "field", None) or getattr(exc, "parameter", None)
        code = getattr(detail, "code", None) or exc.default_code
        text = str(detail)
        where = getattr(exc, "location", None) or ("query" if getattr(exc, "parameter", None) else "body")
        items = [{"location": where, "field": field, "code": code, "message": text}] if field else []
    response.data = {"status": response.status_code, "code": code, "detail": text, "errors": items}
    return response


# What Django answers itself, outside any API view (asem_portal/views.py sends the requests under /api/ here).

def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def _error(status_code: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"status": status_code, "code": code, "detail": detail, "errors": []}, status=status_code)


def server_error(request) -> JsonResponse:
    return _error(500, "server_error", "Something went wrong on the server: it is logged. Try again later.")


def bad_request(request, exception) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        error = too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _error(error.status_code, error.default_code, str(error.detail))
    return _error(400, "bad_request", "The request is malformed.")


class ErrorItemSerializer(serializers.Serializer):
    location = serializers.ChoiceField(
        choices=["body", "query", "header", "path"], help_text="Where the value at fault was sent."
    )
    field = serializers.CharField(
        allow_null=True, help_text="The field or parameter at fault (dotted for nested fields), or null."
    )
    code = serializers.CharField(help_text="A stable, machine-readable code, such as required or invalid_choice.")
    message = serializers.CharField(help_text="What is wrong, for people.")


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text="A stable, machine-readable code for the kind of error.")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    errors = ErrorItemSerializer(many=True, help_text="Each field or parameter at fault; empty when none is.")


# Conditional requests ------------------------------------------------------


def etag_for(data, suffix: str = "") -> str:
    """A strong ETag for a representation: the hash of its data, so any visible change gives a new one."""
    payload = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    return f'"{digest}{suffix}"'


def _without_weakness(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def none_match(request, etag: str) -> bool:
    """Whether If-None-Match names this ETag (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or _without_weakness(etag) in {_without_weakness(tag) for tag in tags}


# Links ------------------------------------------------------------------------


def absolute_url(view_name: str, request, **kwargs) -> str:
    """An absolute link to an API view, without the ?format= of the request that led to it."""
    url = django_reverse(view_name, kwargs=kwargs)
    return request.build_absolute_uri(url) if request is not None else url


class LinkField(serializers.HyperlinkedIdentityField):
    """The resource's own API address (DRF's copies ?format=csv into every link of a CSV export)."""

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        if value in (None, ""):
            return None
        return absolute_url(view_name, request, **{self.lookup_url_kwarg: value})


# Content negotiation, rendering and pagination -----------------------------


class CSVRenderer(renderers.BaseRenderer):
    """A list as CSV: one row per result, nested fields as dotted columns, lists joined with semicolons."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        view = renderer_context.get("view")
        declared = view.csv_columns() if view is not None and hasattr(view, "csv_columns") else []
        response = renderer_context.get("response")
        if response is not None and view is not None:
            response["Content-Disposition"] = csv_disposition(view)
        return b"".join(csv_lines([data or []], declared, self.charset))


def csv_disposition(view) -> str:
    return f'attachment; filename="{getattr(view, "csv_filename", None) or "export"}.csv"'


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(chunks: Iterable[list[dict]], declared: list[str], charset: str = "utf-8") -> Iterator[bytes]:
    """Chunks of serialized rows as CSV: the header (from the first chunk's nested fields), then each chunk."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    columns = None
    for chunk in chunks:
        rows = [_flat_row(row) for row in chunk]
        if columns is None:
            columns = _columns(declared, rows)
            yield writer.writerow(columns).encode(charset)
        yield "".join(writer.writerow([_csv_cell(row.get(column)) for column in columns]) for row in rows) \
            .encode(charset)
    if columns is None:
        yield writer.writerow(_columns(declared, [])).encode(charset)


def _chunks(records, size: int) -> Iterator[list]:
    """A queryset read size rows at a time (its prefetches too), so an export of any length holds one chunk."""
    records = records.iterator(chunk_size=size) if isinstance(records, QuerySet) else iter(records)
    while chunk := list(itertools.islice(records, size)):
        yield chunk


def _columns(declared: list[str], rows: list[dict]) -> list[str]:
    """The declared columns, each object-valued one replaced by the dotted columns the rows give it."""
    found = list(dict.fromkeys(key for row in rows for key in row))
    columns = []
    for column in declared:
        nested = [key for key in found if key.startswith(f"{column}.")]
        columns += nested or [column]
    return columns + [key for key in found if key not in columns]


def _flat_row(row, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(_flat_row(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_csv_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, cls=JSONEncoder, sort_keys=True)
    text = str(value)
    # A spreadsheet would run a cell starting like a formula; quote it so it stays text.
    if isinstance(value, str) and text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


# Fields --------------------------------------------------------------------------


class StrictBooleanField(serializers.BooleanField):
    """true or false, as the schema says: DRF's own also takes "yes", "on", 1 and the like."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


# RFC 3986 has no place for these: Django's URL check lets them through in a path, but a client reading the
# schema's format: uri would choke on the address it gets back.
NOT_IN_A_URI = frozenset('"<>\\^`{|}')


def uri_characters(value: str) -> None:
    found = sorted({character for character in value if character in NOT_IN_A_URI or ord(character) < 32})
    if found:
        shown = " ".join(repr(character)[1:-1] for character in found)
        raise serializers.ValidationError(
            f"Enter a valid URL: {shown} cannot appear in one (percent-encode it).", code="invalid"
        )


class URIField(serializers.URLField):
    """A URL that is a URI too, as the schema's format: uri says."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(uri_characters)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's, with the model's URL and boolean fields held to what the schema says of them."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: URIField,
        models.BooleanField: StrictBooleanField,
    }


DEMO_FLAG_HELP = (
    "Synthetic demonstration data. Only the demonstration data loader sets it (load_demo --remove deletes what "
    "carries it): a write may send back the value it read, and any other value is refused."
)


def demo_flag() -> StrictBooleanField:
    return StrictBooleanField(required=False, help_text=DEMO_FLAG_HELP)


class DemoFlagMixin:
    """A serializer whose is_demo is read as it is, checked when sent, and never written."""

    def validate_is_demo(self, value: bool) -> bool:
        instance = self.instance if isinstance(self.instance, models.Model) else None
        if value != (instance.is_demo if instance is not None else False):
            raise serializers.ValidationError(
                "Only the demonstration data loader marks data as demonstration data.", code="read_only"
            )
        return value

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        attrs.pop("is_demo", None)
        return attrs


def serializer_columns(serializer, prefix: str = "") -> list[str]:
    """The CSV columns of a serializer's fields, nested serializers flattened with dotted names."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += serializer_columns(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


# No resource nests deeper than a few levels; deeper bodies only make the serializers and the error report recurse.
MAX_JSON_DEPTH = 32


def _depth(data) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            stack += [(item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)]
    return deepest


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        f"JSON parse error - the body is nested more than {MAX_JSON_DEPTH} levels deep, the most allowed."
    )


class JSONParser(parsers.JSONParser):
    """DRF's, with a body nested deeper than MAX_JSON_DEPTH answered 400 like any other malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise _too_deep()
        return data


class LargeJSONParser(parsers.BaseParser):
    """JSON bodies up to the view's ``max_body_bytes()`` instead of DATA_UPLOAD_MAX_MEMORY_SIZE.

    For an endpoint that takes a file's content in JSON: it reads the body itself, so the limit it states is the
    one it keeps. DRF applies DATA_UPLOAD_MAX_MEMORY_SIZE to subclasses of its JSONParser, hence not one.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        limit = view.max_body_bytes() if view is not None and hasattr(view, "max_body_bytes") \
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise too_large(limit)
        return JSONParser().parse(io.BytesIO(body), media_type, parser_context)


class ContentNegotiation(DefaultContentNegotiation):
    """As DRF's, but an unknown ?format= is a 400 naming the parameter, not a bare 404."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            formats = ", ".join(renderer.format for renderer in renderers)
            raise QueryParameterError({"format": [f"Choose one of: {formats}."]}, code="invalid_choice")
        return chosen


class Pagination(PageNumberPagination):
    """Pages of PAGE_SIZE results (page_size up to 500); CSV without a page asked for has every row."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    last_page_strings = ("last",)

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise QueryParameterError(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}."]}, code="invalid"
            )
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "csv" \
                and self.page_query_param not in params and self.page_size_query_param not in params:
            return None
        page = params.get(self.page_query_param)
        if page is not None and page not in self.last_page_strings and not (page.isdigit() and int(page) >= 1):
            raise QueryParameterError({"page": ["Give a whole number from 1, or last."]}, code="invalid")
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            error = exceptions.NotFound(f"There is no page {page}: the results have fewer pages.")
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


class FilterBackend(DjangoFilterBackend):
    """django-filter, with a bad value reported as a 400 naming the query parameter."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
        if not errors:
            errors = _strict_values(filterset, request.query_params)
        if errors:
            raise QueryParameterError(errors)
        view.filterset = filterset  # what was asked, for a view that can answer it another way
        return _with_a_last_tiebreaker(filterset.qs)


def _strict_values(filterset, params) -> dict[str, list[str]]:
    """What the pages' forms let pass but the schema does not: an empty choice, a boolean other than true or false.

    A page's form sends an empty choice for "any"; an API client leaves the parameter out, and the schema lists
    only the real choices, so an empty one is refused here rather than read as "any".
    """
    errors = {}
    for name, filter_ in filterset.filters.items():
        if name not in params:
            continue
        value = params[name]
        if isinstance(filter_, django_filters.BooleanFilter):
            if value not in ("true", "false"):
                errors[name] = ["Give true or false."]
        elif isinstance(filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter) and value == "" \
                and not isinstance(filter_, django_filters.OrderingFilter):  # an empty list of columns: the default
            errors[name] = ["Give one of its values, or leave the parameter out for any."]
    return errors


def _with_a_last_tiebreaker(queryset):
    """Order ties by primary key, so pages neither repeat nor skip rows that sort equal."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not ordering or any(str(term).lstrip("-") in {"pk", "id"} for term in ordering):
        return queryset
    return queryset.order_by(*ordering, "pk")


# Permissions and throttles --------------------------------------------------


def _handles(view, request) -> bool:
    return getattr(view, request.method.lower(), None) is not None


class ReadOnlyOrSignedIn(permissions.BasePermission):
    """Anyone reads; a write needs a token or a session. Who may change what is the services' business."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or not _handles(view, request):
            return True  # a method the endpoint does not take is a 405, whoever asks
        return bool(request.user and request.user.is_authenticated)


class SecretariatOrReadOnly(permissions.BasePermission):
    """Anyone reads; only the secretariat writes."""

    message = "Only the secretariat may change this."

    def has_permission(self, request, view):
        from asem_portal.roles import is_secretariat

        if request.method in permissions.SAFE_METHODS or not _handles(view, request):
            return True
        return is_secretariat(request.user)


class _SettingsRate:
    """Reads the rate when asked, so a changed REST_FRAMEWORK setting (a test, a reload) takes effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass


# The views' common behaviour -------------------------------------------------


class ApiViewMixin:
    """ETags and 304s on reads, If-Match on writes, JSON errors, CSV on lists.

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
        if not _handles(self, request):
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
            for header in ("ETag", "Vary", "Cache-Control"):
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
        chunks = (self.get_serializer(chunk, many=True).data for chunk in _chunks(queryset, self.csv_chunk_size))
        response = StreamingHttpResponse(
            csv_lines(chunks, self.csv_columns(), CSVRenderer.charset),
            content_type=f"{CSVRenderer.media_type}; charset={CSVRenderer.charset}",
        )
        response["Content-Disposition"] = csv_disposition(self)
        return response
