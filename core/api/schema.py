"""The OpenAPI schema: drf-spectacular's, plus what ApiViewMixin adds to every operation.

Kept apart from the other modules of core.api because DRF imports the classes
its settings name (permissions, throttles, pagination) while
rest_framework.views is still loading, and drf-spectacular's AutoSchema needs
that module complete.
"""

import copy

import django_filters
from django import forms
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import has_override, set_override
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.api.errors import INVALID_STATE, ErrorSerializer, PreconditionFailed

# The schema -----------------------------------------------------------------

ERROR_DESCRIPTIONS = {
    "400": ("A field of the body or a query parameter is not valid: errors names each one.", "invalid",
            [{"location": "query", "field": "year", "code": "invalid",
              "message": "Ensure this value is greater than or equal to 1990."}]),
    "401": ("No credentials, or a token that is not valid: send Authorization: Token <key>.", "not_authenticated",
            []),
    "403": ("Signed in, but this account may not do this: focal points write only their partners' activities and "
            "flows, and never publish; indicators and observations are the secretariat's.", "permission_denied", []),
    "413": ("The body is larger than this endpoint takes.", "too_large", []),
    "404": ("Nothing is published under this address (or the page asked for does not exist).", "not_found", []),
    "406": ("None of the formats the Accept header asks for is available.", "not_acceptable", []),
    "409": ("The resource's state does not allow this now, such as approving an activity that is not submitted.",
            INVALID_STATE, [{"location": "body", "field": "state", "code": INVALID_STATE,
                              "message": "Only a submitted activity can be approved; this one is draft."}]),
    "412": ("If-Match names a version that is no longer current: read the resource again.", "precondition_failed",
            [{"location": "header", "field": "If-Match", "code": "precondition_failed",
              "message": PreconditionFailed.default_detail}]),
    "415": ("The body is not JSON: send Content-Type: application/json.", "unsupported_media_type", []),
    "429": ("Too many requests: wait for the number of seconds in Retry-After.", "throttled", []),
}
ERROR_MESSAGES = {
    "401": "Authentication credentials were not provided.",
    "403": "You may change only activities led by your partners.",
    "404": "Not found.",
    "406": "Could not satisfy the request Accept header.",
    "413": "The body is larger than 5 MiB, the most this endpoint takes.",
    "415": 'Unsupported media type "text/plain" in request.',
    "429": "Request was throttled. Expected available in 20 seconds.",
}

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag of a copy you hold: the answer is 304 with no body when it is still current.",
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description=(
        "The ETag of the version you read: the write happens only if it is still current, "
        "otherwise the answer is 412 and nothing is written."
    ),
)
ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=["200", "201", "304"],
    description="The version of this representation: send it back in If-None-Match or If-Match.",
)
CSV_DESCRIPTION = "The results as CSV: a header row, nested fields as dotted columns, lists joined with ;."
PARAMETER_DESCRIPTIONS = {
    "format": "json (the default) or csv: a list as CSV has every matching row unless page or page_size is given.",
}


class FilterExtension(DjangoFilterExtension):
    """django-filter's parameters, with a model choice that filters through a method typed by its model.

    The pages' filter sets choose a partner by code and filter through a
    method (leading or taking part; origin or destination), which leaves
    drf-spectacular no model field to read the type from: it would warn, and
    the deployment check with it. The type is the chosen model's field.
    """

    target_class = "core.api.filters.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, django_filters.ModelChoiceFilter) and filter_field.method \
                and not has_override(filter_field, "field"):
            related = filter_field.queryset.model
            to_field = related._meta.get_field(filter_field.extra.get("to_field_name") or related._meta.pk.name)
            schema = auto_schema._map_model_field(to_field, "request")
            schema = {key: schema[key] for key in ("type", "format", "maxLength", "pattern") if key in schema}
            schema["description"] = str(filter_field.label or field_name)
            filter_field = set_override(copy.copy(filter_field), "field", schema)
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)


RESPONSE_DESCRIPTIONS = {
    ("GET", True): "The resource.",
    ("GET", False): "The results: a page of them, or every one as CSV.",
    ("POST", False): "Created: the new resource, whose address is in the Location header.",
    ("POST", True): "Done: the resource as it is now.",
    ("PUT", True): "Changed: the resource as it is now.",
    ("PATCH", True): "Changed: the resource as it is now.",
    ("DELETE", True): "Deleted.",
}
PATH_DESCRIPTIONS = {
    "slug": "Its slug, the last part of its address.",
    "code": "Its code.",
    "number": "The objective's number, 1 to 4.",
    "id": "Its id.",
}
# Real addresses from the strategy's own content (and the demo's first indicator), for the docs' "try it".
PATH_EXAMPLES = {
    "/api/v1/activities/{slug}/": "asemme1", "/api/v1/instruments/{slug}/": "policy-dialogue",
    "/api/v1/partners/{code}/": "DE", "/api/v1/organisations/{slug}/": "asef", "/api/v1/objectives/{number}/": 1,
    "/api/v1/indicators/{code}/": "1.1.a",
}
BODY_ERROR_EXAMPLE = [{"location": "body", "field": "end_date", "code": "invalid",
                       "message": "The end date cannot be before the start date."}]


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus what ApiViewMixin adds to every operation.

    Conditional headers, every error response with its JSON shape and an
    example, public reads marked as needing no credentials, CSV bodies
    described as text, and filter parameters with their real types and bounds.
    """

    def _is_detail(self) -> bool:
        detail = getattr(self.view, "detail", None)
        return bool(detail) if detail is not None else "{" in self.path

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        names = {getattr(parameter, "name", None) for parameter in parameters}
        if self.method == "GET":
            parameters.append(IF_NONE_MATCH)
        elif self._is_detail() and "If-Match" not in names:
            parameters.append(IF_MATCH)
        parameters.append(ETAG)
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._describe_parameters(operation)
        if self.method == "GET" and operation.get("security") and {} not in operation["security"]:
            operation["security"].append({})  # reads are public: credentials only show more
        responses = operation["responses"]
        for code, response in responses.items():
            content = response.get("content", {})
            if "text/csv" in content:
                content["text/csv"] = {"schema": {"type": "string", "description": CSV_DESCRIPTION}}
            if code.startswith("2") and not response.get("description"):
                response["description"] = RESPONSE_DESCRIPTIONS.get((self.method, self._is_detail()), "Done.")
        if self.method == "GET":
            responses["304"] = {
                "description": "Not modified: the copy named in If-None-Match is still current.",
                "headers": {"ETag": {"schema": {"type": "string"}, "description": ETAG.description}},
            }
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in self._error_codes(operation):
            description, error_code, items = ERROR_DESCRIPTIONS[code]
            if code == "400" and self.method != "GET":
                items = BODY_ERROR_EXAMPLE
            message = items[0]["message"] if items else ERROR_MESSAGES.get(code, description)
            example = {"status": int(code), "code": error_code,
                       "detail": f"{items[0]['field']}: {message}" if items else message, "errors": items}
            response = {"description": description,
                        "content": {"application/json": {"schema": error, "example": example}}}
            if code == "429":
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                       "description": "Seconds to wait before trying again."}}
            if code == "401":
                response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                            "description": "Token: how to authenticate."}}
            responses.setdefault(code, response)
        return operation

    def _describe_parameters(self, operation) -> None:
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in operation.get("parameters", []):
            name, schema = parameter["name"], parameter.get("schema", {})
            if parameter["in"] == "path":
                example = next((value for prefix, value in PATH_EXAMPLES.items()
                                if self.path.startswith(prefix) and f"{{{name}}}" in prefix), None)
                if example is not None:
                    parameter["example"] = example
            if not parameter.get("description"):
                if parameter["in"] == "path":
                    parameter["description"] = PATH_DESCRIPTIONS.get(name, "Its identifier.")
                elif name in PARAMETER_DESCRIPTIONS:
                    parameter["description"] = PARAMETER_DESCRIPTIONS[name]
            filter_ = filters.get(name) if parameter["in"] == "query" else None
            if filter_ is None:
                continue
            # django-filter's NumberFilter shows as "number" even where its form field takes whole numbers only.
            if isinstance(filter_, django_filters.NumberFilter) and filter_.field_class is forms.IntegerField:
                schema["type"] = "integer"
            for option, key in (("min_value", "minimum"), ("max_value", "maximum"), ("max_length", "maxLength")):
                if filter_.extra.get(option) is not None:
                    schema[key] = filter_.extra[option]

    def _error_codes(self, operation) -> list[str]:
        codes = ["401", "406", "429"]
        if self.method == "GET":
            if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
                codes.append("400")
            codes.append("404")
            return codes
        codes += ["403", "404", "409"]
        if "requestBody" in operation:
            codes += ["400", "413", "415"]
        if self._is_detail():
            codes.append("412")
        return codes
