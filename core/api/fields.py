"""Serializer fields held to what the schema says of them: links, URIs, strict booleans, the demonstration flag."""

from django.db import models
from django.urls import reverse as django_reverse
from rest_framework import serializers


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


class OptionalURIField(URIField):
    """A link a record may not have: null when it has none, since an empty string is no URI (format: uri)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


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
