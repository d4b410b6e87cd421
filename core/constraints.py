"""Which field a model constraint's refusal belongs on.

full_clean() reports a CheckConstraint or a UniqueConstraint over several fields without a field (under
NON_FIELD_ERRORS), by its message. The API's errors and the forms put it next to the field a person should fix,
found here by the constraint's name; the names are the apps' own, kept as text so this module imports none.
"""

from django.apps import apps

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


def constraint_field(message: str) -> str | None:
    """The field a constraint's message is about, or None when no named constraint gives that message."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            field = CONSTRAINT_FIELDS.get(constraint.name)
            if field and str(constraint.get_violation_error_message()) == message:
                return field
    return None
