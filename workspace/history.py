"""Versions of an activity or a flow, from django-simple-history's records, and readable differences between them.

One save is often several records: an activity's relations are set after its fields, and each relation that
changes adds a record of its own. A version is therefore a run of records that one save made: its first record,
then the relation records right after it (same user, same reason, same updated_at). A version shows its last
record, the state the run ended in.

Differences come from simple-history's diff_against for the plain fields, and from the records' relation rows
(prefetched for all versions at once, so a page costs a fixed number of queries) for the many-to-many ones.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from simple_history.utils import get_m2m_reverse_field_name

from core.diff import word_diff

RUN_WINDOW = datetime.timedelta(seconds=5)
# Record-keeping fields: they change with every save and say nothing a reader needs. The slug too: the portal
# makes it from the title, so it only repeats the title's change in a form nobody chose.
NOT_SHOWN = {"id", "slug", "created_at", "updated_at", "created_by", "submitted_at", "published_at"}
# The review fields: part of a version's story, not of the content the secretariat reviews.
REVIEW_FIELDS = {"state", "review_note"}
# Names people use, where the field's own verbose name is the column's.
LABELS = {
    "activity_type": "Type", "participants_asia": "Participants from Asia",
    "participants_europe": "Participants from Europe", "source_url": "Source", "is_demo": "Demonstration data",
    "fewer_opportunities": "Of them with fewer opportunities", "female": "Of them female",
    "partners": "Partners taking part", "organisations": "Organisations taking part",
}
EMPTY = "–"


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    long_text: bool = False

    @property
    def inline(self) -> bool:
        """Show the words that changed within the text, rather than the old text beside the new."""
        return self.long_text and self.old not in ("", EMPTY) and self.new != EMPTY

    @property
    def was_empty(self) -> bool:
        return self.old in ("", EMPTY)

    @property
    def inline_diff(self) -> SafeString:
        """The old text and the new, words taken out struck through and words put in underlined."""
        return word_diff(self.old, self.new)


@dataclass
class Version:
    number: int
    record: Any  # the run's last historical record
    first: Any  # the run's first
    changes: list[Change]

    @property
    def date(self) -> datetime.datetime:
        return self.first.history_date

    @property
    def user(self):
        return self.first.history_user

    @property
    def kind(self) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[self.first.history_type]

    @property
    def reason(self) -> str:
        return self.first.history_change_reason or ""


# Relations of historical records -------------------------------------------------------------------------


def m2m_fields(model) -> list[models.ManyToManyField]:
    return list(getattr(model.history.model, "_history_m2m_fields", []))


def _accessor(model, m2m: models.ManyToManyField) -> str:
    history = model.history.model
    name = f"{history.__name__}_{m2m.name}".lower()
    for relation in history._meta.related_objects:
        if relation.related_model._meta.model_name == name:
            return relation.get_accessor_name()
    raise LookupError(f"no history rows for {model.__name__}.{m2m.name}")


def history_queryset(model):
    """A model's historical records with their users and relation rows, ready for versions()."""
    queryset = model.history.select_related("history_user")
    accessors = [_accessor(model, m2m) for m2m in m2m_fields(model)]
    return queryset.prefetch_related(*accessors) if accessors else queryset


def _related_ids(model, record, m2m) -> list:
    column = f"{get_m2m_reverse_field_name(m2m)}_id"
    return sorted(getattr(row, column) for row in getattr(record, _accessor(model, m2m)).all())


class Names:
    """Labels of related objects, looked up once per model for all the versions shown."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.found: dict[type, dict] = {}

    def want(self, related_model, ids: Iterable) -> None:
        self.wanted.setdefault(related_model, set()).update(i for i in ids if i is not None)

    def load(self) -> None:
        for related_model, ids in self.wanted.items():
            self.found[related_model] = {obj.pk: str(obj) for obj in related_model._default_manager.filter(pk__in=ids)}

    def __call__(self, related_model, pk) -> str:
        if pk is None:
            return EMPTY
        return self.found.get(related_model, {}).get(pk, "(since deleted)")


# Versions ------------------------------------------------------------------------------------------------


def runs(records: Sequence) -> list[list]:
    """Records (newest first, as simple-history gives them) as runs made in one go, oldest first.

    A relation's record carries the instance as it was saved just before, updated_at and all: a record with
    the same updated_at as the run's first is that save's, anything else is a save of its own.
    """
    groups: list[list] = []
    for record in reversed(records):
        if groups:
            first, last = groups[-1][0], groups[-1][-1]
            if hasattr(record, "updated_at"):
                same_save = record.updated_at == first.updated_at
            else:
                same_save = record.history_date - first.history_date <= RUN_WINDOW
            same_go = (
                same_save and record.history_type == "~" and last.history_type != "-"
                and record.history_user_id == first.history_user_id
                and (record.history_change_reason or "") == (first.history_change_reason or "")
            )
            if same_go:
                groups[-1].append(record)
                continue
        groups.append([record])
    return groups


def _shown_fields(model, exclude: set[str]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in NOT_SHOWN | exclude]


def _display(model_field: models.Field, value, names: Names) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(model_field, models.ForeignKey):
        return names(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(model_field, models.DateField) and isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    return str(value)


def _plain_values(record, fields) -> dict:
    return {f.name: getattr(record, f.attname) for f in fields}


def diff(model, new, old, *, names: Names, exclude: set[str] = frozenset()) -> list[Change]:
    """What changed from record old to record new (old None: everything new has), field by field, readably."""
    fields = _shown_fields(model, exclude)
    by_name = {f.name: f for f in fields}
    m2ms = [m for m in m2m_fields(model) if m.name not in exclude]
    changes = []
    if old is None:
        pairs = [(f.name, None, value) for f, value in zip(fields, _plain_values(new, fields).values(), strict=True)
                 if value not in (None, "", False)]
    else:
        delta = new.diff_against(old, included_fields=list(by_name))
        pairs = [(c.field, c.old, c.new) for c in delta.changes if c.field in by_name]
    for name, old_value, new_value in pairs:
        model_field = by_name[name]
        changes.append(Change(
            field=name, label=LABELS.get(name, str(model_field.verbose_name).capitalize()),
            old=_display(model_field, old_value, names) if old is not None else "",
            new=_display(model_field, new_value, names),
            long_text=isinstance(model_field, models.TextField)
            or (getattr(model_field, "max_length", None) or 0) >= 300,
        ))
    for m2m in m2ms:
        new_ids = _related_ids(model, new, m2m)
        old_ids = _related_ids(model, old, m2m) if old is not None else []
        if new_ids == old_ids:
            continue
        related = m2m.related_model
        changes.append(Change(
            field=m2m.name, label=LABELS.get(m2m.name, str(m2m.verbose_name).capitalize()),
            old=", ".join(names(related, pk) for pk in old_ids) or EMPTY,
            new=", ".join(names(related, pk) for pk in new_ids) or EMPTY,
            added=[names(related, pk) for pk in new_ids if pk not in old_ids],
            removed=[names(related, pk) for pk in old_ids if pk not in new_ids],
        ))
    order = [f.name for f in model._meta.concrete_fields] + [m.name for m in m2m_fields(model)]
    changes.sort(key=lambda change: order.index(change.field))
    return changes


def _want_names(model, records: Iterable, names: Names) -> None:
    foreign_keys = [f for f in _shown_fields(model, set()) if isinstance(f, models.ForeignKey)]
    for record in records:
        for fk in foreign_keys:
            names.want(fk.related_model, [getattr(record, fk.attname)])
        for m2m in m2m_fields(model):
            names.want(m2m.related_model, _related_ids(model, record, m2m))


def versions(model, records: Sequence) -> list[Version]:
    """The versions the records make, newest first, each with what changed from the one before it."""
    groups = runs(records)
    names = Names()
    _want_names(model, [group[-1] for group in groups], names)
    names.load()
    result, previous = [], None
    for number, group in enumerate(groups, start=1):
        last = group[-1]
        changes = [] if last.history_type == "-" else diff(model, last, previous, names=names)
        result.append(Version(number=number, record=last, first=group[0], changes=changes))
        if last.history_type != "-":
            previous = last
    result.reverse()
    return result
