"""JSON bodies: nested no deeper than MAX_JSON_DEPTH, and for a file's content up to the view's own limit."""

import io

from django.conf import settings
from rest_framework import exceptions, parsers

from core.api.errors import too_large

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
