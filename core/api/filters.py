"""Query-string filters: django-filter's, strict about their values and with a stable order."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from core.api.errors import QueryParameterError, excerpt


class FilterBackend(DjangoFilterBackend):
    """django-filter, with a bad value reported as a 400 naming the query parameter."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = {name: [_message(error) for error in errors] for name, errors in filterset.errors.as_data().items()}
        if not errors:
            errors = _strict_values(filterset, request.query_params)
        if errors:
            raise QueryParameterError(errors)
        view.filterset = filterset  # what was asked, for a view that can answer it another way
        return _with_a_last_tiebreaker(filterset.qs)


def _message(error) -> str:
    """A form error's message, quoting the value it refuses by its start: a query string may hold a huge one."""
    params = {key: excerpt(value) if isinstance(value, str) else value for key, value in (error.params or {}).items()}
    return str(error.message % params if params else error.message)


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
