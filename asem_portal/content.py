"""Loads the real content: the strategy, the partners, the stakeholders and the process's own record.

Everything here comes from files shipped in asem_portal/data, so the portal
never needs anything outside the project to run. Loading is idempotent:
records are matched on their natural keys and brought in line with the
files, so a second run changes nothing.
"""

import csv
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from asem_portal.official_statistics import load_official_statistics
from asem_portal.strategy_document import DATA_DIR, parse
from core.writes import set_fields, validate_and_save
from instruments.models import Aim, Instrument
from mobility.models import Activity, DeliveryMode, Organisation, Partner
from objectives.models import Objective, Priority, Strategy

STRATEGY_SLUG = "asem-education-strategy-2030"
STRATEGY_SOURCE_URL = "https://asem-education.org/"

# The initiatives file has no activity type; these are a first reading for the secretariat to refine.
INITIATIVE_TYPES = {
    "ASEM Education Secretariat": Activity.Type.OTHER,
    "ASEM-DUO Fellowship Programme": Activity.Type.PROGRAMME,
    "ASEM Work Placement Programme": Activity.Type.PROGRAMME,
    "ASEM Education and Research Hub for Lifelong Learning (ASEM LLL Hub)": Activity.Type.NETWORK,
    "A Framework for Lifelong Learning Research in the ASEM Region: 2020-2025": Activity.Type.STUDY,
    "ASEF Regional Conference on Higher Education (ARC)": Activity.Type.CONFERENCE,
    "ASEF Classroom Network (ASEF ClassNet)": Activity.Type.NETWORK,
    "ASEM Education Standing Working Group": Activity.Type.NETWORK,
    "ASEM Education Expert Groups 2022-2026": Activity.Type.NETWORK,
    "ASEM Education Stocktaking Report": Activity.Type.STUDY,
}


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, model, lookup: dict, values: dict):
        """update_or_create that only writes when a value differs, and counts what happened."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = validate_and_save(model(**lookup, **values))
            self.created += 1
            return obj
        changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
        if changed:
            set_fields(obj, changed, allowed=values)
            validate_and_save(obj)
            self.updated += 1
        else:
            self.unchanged += 1
        return obj

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _rows(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _set_m2m(manager, objects) -> None:
    """Set a relation only when it differs, so an unchanged reload writes no history."""
    wanted = {obj.pk for obj in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)


@transaction.atomic
def load_strategy() -> LoadReport:
    report = LoadReport()
    text = parse()
    strategy = report.count(
        Strategy,
        {"slug": STRATEGY_SLUG},
        {
            "title": text.title, "vision": text.vision, "mission": text.mission, "start_year": 2021,
            "end_year": 2030, "source_document": text.source_document, "source_url": STRATEGY_SOURCE_URL,
        },
    )
    for objective_text in text.objectives:
        objective = report.count(
            Objective, {"number": objective_text.number}, {"strategy": strategy, "title": objective_text.title}
        )
        for number, priority_text in enumerate(objective_text.priorities, start=1):
            report.count(
                Priority,
                {"code": f"{objective.number}.{number}"},
                {"objective": objective, "number": number, "title": priority_text.title,
                 "description": "; ".join(priority_text.details)},
            )
    for number, instrument_text in enumerate(text.instruments, start=1):
        instrument = report.count(
            Instrument, {"slug": instrument_text.slug}, {"number": number, "name": instrument_text.name}
        )
        for order, aim in enumerate(instrument_text.aims, start=1):
            report.count(Aim, {"instrument": instrument, "order": order}, {"text": aim})

    for row in _rows("asem-partners.csv"):
        report.count(Partner, {"code": row["code"]}, {"name": row["name"], "region": row["region"],
                                                       "kind": row["kind"]})
    partners = {p.code: p for p in Partner.objects.all()}
    for row in _rows("stakeholder-organisations.csv"):
        report.count(
            Organisation,
            {"slug": row["slug"]},
            {"name": row["name"], "acronym": row["acronym"], "kind": row["kind"], "website": row["website"],
             "description": row["description"], "partner": partners.get(row["partner_code"]), "is_demo": False},
        )
    _load_record(report, partners)
    load_official_statistics(report)
    return report


def _published_at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _load_record(report: LoadReport, partners: dict[str, Partner]) -> None:
    """The ministers' meetings and flagship initiatives, as real published activities."""
    policy_dialogue = Instrument.objects.get(slug="policy-dialogue")
    for row in _rows("aep-ministerial-meetings.csv"):
        start = datetime.date.fromisoformat(row["start_date"])
        end = datetime.date.fromisoformat(row["end_date"])
        host = partners[row["country_code"]]
        online = row["online"] == "yes"
        acronym = row["name"].rsplit("(", 1)[-1].rstrip(")")
        activity = report.count(
            Activity,
            {"slug": slugify(acronym)},
            {
                "title": row["name"], "summary": row["theme"], "activity_type": Activity.Type.MINISTERIAL_MEETING,
                "status": Activity.Status.COMPLETED if end < timezone.localdate() else Activity.Status.PLANNED,
                "state": Activity.State.PUBLISHED, "start_date": start, "end_date": end,
                "start_year": start.year, "end_year": end.year,
                "place": f"{row['city']}, {host.name}", "online": online,
                "delivery_mode": DeliveryMode.VIRTUAL if online else DeliveryMode.PHYSICAL,
                "lead_partner": host, "lead_description": "", "source_url": row["source_url"],
                "outcomes": row["note"], "is_demo": False, "published_at": _published_at(end),
            },
        )
        _set_m2m(activity.instruments, [policy_dialogue])

    objectives = {o.number: o for o in Objective.objects.all()}
    instruments = {i.slug: i for i in Instrument.objects.all()}
    this_year = timezone.localdate().year
    for row in _rows("aep-initiatives.csv"):
        start_year = int(row["start_year"])
        end_year = int(row["end_year"]) if row["end_year"] else None
        activity = report.count(
            Activity,
            {"slug": slugify(row["name"])[:120]},
            {
                "title": row["name"], "summary": row["description"],
                "activity_type": INITIATIVE_TYPES.get(row["name"], Activity.Type.OTHER),
                "status": Activity.Status.COMPLETED if end_year and end_year < this_year else Activity.Status.ONGOING,
                "state": Activity.State.PUBLISHED, "start_year": start_year, "end_year": end_year,
                "lead_description": row["lead"], "source_url": row["source_url"], "outcomes": row["note"],
                "is_demo": False, "published_at": _published_at(datetime.date(start_year, 1, 1)),
            },
        )
        _set_m2m(activity.objectives, [objectives[int(n)] for n in row["objectives"].split(";") if n])
        _set_m2m(activity.instruments, [instruments[key] for key in row["instruments"].split(";") if key])
