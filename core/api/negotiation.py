"""Choosing the response's format."""

from rest_framework.negotiation import DefaultContentNegotiation

from core.api.errors import QueryParameterError


class ContentNegotiation(DefaultContentNegotiation):
    """As DRF's, but an unknown ?format= is a 400 naming the parameter, not a bare 404."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            formats = ", ".join(renderer.format for renderer in renderers)
            raise QueryParameterError({"format": [f"Choose one of: {formats}."]}, code="invalid_choice")
        return chosen
