"""One JSON shape for every API error: {status, code, detail, errors: [{location, field, code, message}]}.

DRF's exceptions, Django's (validation, permission, 404, protected and integrity errors) and what Django answers
itself outside any API view all come out in it; ErrorSerializer describes it to the schema.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings

from core.constraints import constraint_field


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


# Of a bad value, what a message quotes: enough to recognise it, never a huge value echoed back whole.
EXCERPT_CHARS = 50


def excerpt(value) -> str:
    text = str(value)
    return text if len(text) <= EXCERPT_CHARS else f"{text[:EXCERPT_CHARS]}…"


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The body is larger than {size_in_words(limit)}, the most this endpoint takes.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"


# A service refuses a transition the resource's state does not allow with this code: 409, not 400.
INVALID_STATE = "invalid_state"


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
                    field = constraint_field(message) or api_settings.NON_FIELD_ERRORS_KEY
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


# What Django answers itself, outside any API view (the project's handler500 and handler400 send requests under
# /api/ here).

def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def error_response(status_code: int, code: str, detail: str) -> JsonResponse:
    """An error in the one shape, for an answer made outside DRF, where no field is at fault."""
    return JsonResponse({"status": status_code, "code": code, "detail": detail, "errors": []}, status=status_code)


def server_error(request) -> JsonResponse:
    return error_response(500, "server_error", "Something went wrong on the server: it is logged. Try again later.")


def bad_request(request, exception) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        error = too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return error_response(error.status_code, error.default_code, str(error.detail))
    return error_response(400, "bad_request", "The request is malformed.")


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
