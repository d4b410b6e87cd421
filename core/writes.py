"""How a service writes a model instance: set the fields it may, check the whole instance, save it, say who.

full_clean() before save() is what makes a model's own rules (field validators, clean(), constraints) hold for
every writer alike, the API, the pages and the admin; the history (django-simple-history) names whoever made the
change. A service that does more between setting and saving (a check of who may write the new values, say) calls
the two steps apart.
"""

from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Model


def set_fields(instance: Model, data: Mapping[str, Any], *, allowed: Collection[str]) -> None:
    """Set each field data names. A name outside allowed is the caller's mistake, never the user's: ValueError."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"{type(instance).__name__} writes cannot set {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)


def validate_and_save(instance: Model, *, user=None) -> Model:
    """Check the whole instance (ValidationError naming each field), then save it; with a user, as theirs."""
    instance.full_clean()
    if user is not None:
        instance._history_user = user if user.is_authenticated else None
    instance.save()
    return instance
