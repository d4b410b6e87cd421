"""What a data release holds: a Frictionless Data Package (spec v1) of everything public, as one zip.

One CSV per table and `datapackage.json` describing them: each table's fields with their types, its primary key and
its foreign keys, the licence, how to cite and the sources. Rows are read and written a chunk at a time, so a
million flows never sit in memory: write_package streams them into the zip it is given.

What is public, table by table: every partner, objective, priority, instrument and indicator; every observation
(a partner's values are observations only once the secretariat approved them); the public flow rows only (where
both ends reported a route, the host's, MobilityFlow.is_public); published activities only; rounds once opened,
with their years, deadline, indicators asked and which partners' returns were approved, never a return's content.
The CSV files end with their last row: the licence is said once, in datapackage.json, not on a line a reader
would take for data.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse

from core import licence
from core.exports import cell
from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow
from objectives.models import Indicator, Objective, Observation, Priority
from objectives.selectors import current_strategy
from partners.models import Partner
from reporting.models import Return, Round

NAME = "asem-education-portal"
TITLE = "ASEM Education Portal: open data"
CHUNK_ROWS = 2000
# Several values in one cell (an activity's partners, a round's indicators): codes never hold it.
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime, year
    description: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: list[Field]
    records: Callable[[], Iterable]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"data/{self.name}.csv"

    def resource(self) -> dict:
        schema: dict[str, Any] = {
            "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in self.fields],
        }
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return {
            "name": self.name, "title": self.title, "description": self.description, "path": self.path,
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": schema,
        }


def _references(column: str, table: str, key: str) -> dict:
    return {"fields": column, "reference": {"resource": table, "fields": key}}


def _joined(values: Iterable) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


def _demo(value: bool) -> bool:
    return bool(value)


# The records: querysets read in chunks, with what each row needs fetched alongside ------------------------------------


def _observations():
    return (Observation.objects.select_related("indicator", "partner")
            .order_by("indicator__code", "partner__code", "breakdown", "year", "pk"))


def _flows():
    # Values, not models: a million rows go through here.
    return (MobilityFlow.objects.filter(is_public=True)
            .order_by("year", "origin__code", "destination__code", "mode", "level", "programme", "pk")
            .values("year", "origin__code", "destination__code", "mode", "level", "programme", "participants",
                    "female", "fewer_opportunities", "source", "reported_by__code", "is_demo"))


def _activities():
    return (Activity.objects.filter(state=Activity.State.PUBLISHED).select_related("lead_partner")
            .prefetch_related(Prefetch("partners", queryset=Partner.objects.order_by("code")),
                              Prefetch("objectives", queryset=Objective.objects.order_by("number")),
                              Prefetch("priorities", queryset=Priority.objects.order_by("code")),
                              Prefetch("instruments", queryset=Instrument.objects.order_by("number")))
            .order_by("slug"))


def _rounds():
    return (Round.objects.exclude(state=Round.State.DRAFT)
            .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("code")),
                              Prefetch("returns", queryset=Return.objects.filter(state=Return.State.APPROVED)
                                       .select_related("partner").order_by("partner__code"),
                                       to_attr="approved_returns"))
            .order_by("first_year", "slug"))


TABLES = [
    Table(
        "partners", "Partners", "The 53 partners of the ASEM Education Process and their region.",
        [Field("code", "string", "ISO 3166 alpha-2, or EU or ASEAN", lambda p: p.code),
         Field("name", "string", "", lambda p: p.name),
         Field("region", "string", "asia or europe", lambda p: p.region),
         Field("kind", "string", "country or organisation", lambda p: p.kind)],
        lambda: Partner.objects.order_by("code"), primary_key=["code"],
    ),
    Table(
        "objectives", "Objectives", "The strategy's four objectives.",
        [Field("number", "integer", "", lambda o: o.number),
         Field("title", "string", "", lambda o: o.title),
         Field("short_title", "string", "", lambda o: o.short_title),
         Field("description", "string", "", lambda o: o.description)],
        lambda: Objective.objects.order_by("number"), primary_key=["number"],
    ),
    Table(
        "priorities", "Priorities", "The priorities of each objective.",
        [Field("code", "string", "objective.priority, for example 1.2", lambda p: p.code),
         Field("objective", "integer", "the objective's number", lambda p: p.objective.number),
         Field("number", "integer", "its place in the objective", lambda p: p.number),
         Field("title", "string", "", lambda p: p.title),
         Field("description", "string", "", lambda p: p.description)],
        lambda: Priority.objects.select_related("objective").order_by("code"), primary_key=["code"],
        foreign_keys=[_references("objective", "objectives", "number")],
    ),
    Table(
        "instruments", "Instruments and working methods", "The strategy's instruments, with their aims.",
        [Field("number", "integer", "", lambda i: i.number),
         Field("slug", "string", "", lambda i: i.slug),
         Field("name", "string", "", lambda i: i.name),
         Field("description", "string", "", lambda i: i.description),
         Field("aims", "string", "its aims, one a line", lambda i: "\n".join(a.text for a in i.aims.all()))],
        lambda: Instrument.objects.prefetch_related("aims").order_by("number"), primary_key=["slug"],
    ),
    Table(
        "indicators", "Indicators", "How progress toward 2030 is measured: each indicator's baseline, target, "
        "unit, how partners' values make the ASEM value, and where its values come from.",
        [Field("code", "string", "objective.priority.letter", lambda i: i.code),
         Field("priority", "string", "the priority's code", lambda i: i.priority.code),
         Field("name", "string", "", lambda i: i.name),
         Field("description", "string", "", lambda i: i.description),
         Field("unit", "string", "", lambda i: i.unit),
         Field("kind", "string", "count, percentage or measure", lambda i: i.kind),
         Field("aggregation", "string", "asem (ASEM-level only), or how partners' values make the ASEM value: "
               "sum, mean or count", lambda i: i.aggregation),
         Field("direction", "integer", "1 when higher is better, -1 when lower is better", lambda i: i.direction),
         Field("baseline_year", "integer", "", lambda i: i.baseline_year),
         Field("baseline_value", "number", "", lambda i: i.baseline_value),
         Field("target_year", "integer", "", lambda i: i.target_year),
         Field("target_value", "number", "empty when it has no target", lambda i: i.target_value),
         Field("source", "string", "manual (entered or reported) or computed from the portal's data",
               lambda i: i.source),
         Field("data_source", "string", "where hand-entered values come from", lambda i: i.data_source),
         Field("source_url", "string", "a link to the published source", lambda i: i.source_url),
         Field("coverage_note", "string", "which partners or years the source covers", lambda i: i.coverage_note),
         Field("methodology", "string", "", lambda i: i.methodology),
         Field("is_demo", "boolean", "synthetic demonstration data", lambda i: _demo(i.is_demo))],
        lambda: Indicator.objects.select_related("priority").order_by("code"), primary_key=["code"],
        foreign_keys=[_references("priority", "priorities", "code")],
    ),
    Table(
        "observations", "Observations", "The indicators' values: ASEM's as a whole (partner empty) and each "
        "partner's as the secretariat approved them.",
        [Field("indicator", "string", "the indicator's code", lambda o: o.indicator.code),
         Field("partner", "string", "the partner's code; empty for ASEM as a whole",
               lambda o: o.partner.code if o.partner_id else None),
         Field("year", "integer", "", lambda o: o.year),
         Field("breakdown", "string", "empty for the headline series, or key=value such as region=asia",
               lambda o: o.breakdown),
         Field("value", "number", "", lambda o: o.value),
         Field("is_computed", "boolean", "computed by the portal (from its data or from the partners' values)",
               lambda o: o.is_computed),
         Field("coverage", "integer", "for an ASEM value made from partners' values: how many partners",
               lambda o: o.coverage),
         Field("note", "string", "", lambda o: o.note),
         Field("source", "string", "where the value comes from when not the indicator's own source",
               lambda o: o.source),
         Field("is_demo", "boolean", "synthetic demonstration data", lambda o: _demo(o.indicator.is_demo))],
        _observations,
        foreign_keys=[_references("indicator", "indicators", "code"), _references("partner", "partners", "code")],
    ),
    Table(
        "mobility_flows", "Mobility flows", "People moving between partners in a year, by mode and level: the "
        "public rows only (where both ends of a route reported it, the host country's).",
        [Field("year", "integer", "", lambda f: f["year"]),
         Field("origin", "string", "the partner's code", lambda f: f["origin__code"]),
         Field("destination", "string", "the partner's code", lambda f: f["destination__code"]),
         Field("mode", "string", "physical, blended or virtual", lambda f: f["mode"]),
         Field("level", "string", "higher_education, tvet, school, adult_learning, staff or researchers",
               lambda f: f["level"]),
         Field("programme", "string", "", lambda f: f["programme"]),
         Field("participants", "integer", "", lambda f: f["participants"]),
         Field("female", "integer", "of the participants", lambda f: f["female"]),
         Field("fewer_opportunities", "integer", "of the participants", lambda f: f["fewer_opportunities"]),
         Field("source", "string", "", lambda f: f["source"]),
         Field("reported_by", "string", "the partner (an end of the route) that reported it",
               lambda f: f["reported_by__code"]),
         Field("is_demo", "boolean", "synthetic demonstration data", lambda f: _demo(f["is_demo"]))],
        _flows,
        foreign_keys=[_references("origin", "partners", "code"), _references("destination", "partners", "code"),
                      _references("reported_by", "partners", "code")],
    ),
    Table(
        "activities", "Activities", "What partners do under the strategy: the published activities.",
        [Field("slug", "string", "its address on the portal: /activities/<slug>/", lambda a: a.slug),
         Field("title", "string", "", lambda a: a.title),
         Field("summary", "string", "", lambda a: a.summary),
         Field("description", "string", "", lambda a: a.description),
         Field("type", "string", "", lambda a: a.activity_type),
         Field("status", "string", "planned, ongoing, completed or cancelled", lambda a: a.status),
         Field("start_date", "date", "", lambda a: a.start_date),
         Field("end_date", "date", "", lambda a: a.end_date),
         Field("start_year", "integer", "", lambda a: a.start_year),
         Field("end_year", "integer", "", lambda a: a.end_year),
         Field("place", "string", "", lambda a: a.place),
         Field("online", "boolean", "", lambda a: a.online),
         Field("delivery_mode", "string", "physical, blended or virtual", lambda a: a.delivery_mode),
         Field("lead_partner", "string", "the partner's code",
               lambda a: a.lead_partner.code if a.lead_partner_id else None),
         Field("lead_description", "string", "who leads it, in words", lambda a: a.lead_description),
         Field("partners", "string", "participating partners' codes, separated by ;",
               lambda a: _joined(p.code for p in a.partners.all())),
         Field("objectives", "string", "the objectives' numbers it serves, separated by ;",
               lambda a: _joined(o.number for o in a.objectives.all())),
         Field("priorities", "string", "the priorities' codes it serves, separated by ;",
               lambda a: _joined(p.code for p in a.priorities.all())),
         Field("instruments", "string", "the instruments' slugs it uses, separated by ;",
               lambda a: _joined(i.slug for i in a.instruments.all())),
         Field("participants_asia", "integer", "", lambda a: a.participants_asia),
         Field("participants_europe", "integer", "", lambda a: a.participants_europe),
         Field("website", "string", "", lambda a: a.website),
         Field("source_url", "string", "where the facts were published", lambda a: a.source_url),
         Field("outcomes", "string", "", lambda a: a.outcomes),
         Field("published_at", "datetime", "", lambda a: a.published_at),
         Field("is_demo", "boolean", "synthetic demonstration data", lambda a: _demo(a.is_demo))],
        _activities, primary_key=["slug"],
        foreign_keys=[_references("lead_partner", "partners", "code")],
    ),
    Table(
        "rounds", "Reporting rounds", "The rounds in which partners report, once opened: their years, deadline, "
        "the indicators asked and which partners' returns were approved.",
        [Field("slug", "string", "", lambda r: r.slug),
         Field("name", "string", "", lambda r: r.name),
         Field("first_year", "integer", "", lambda r: r.first_year),
         Field("last_year", "integer", "", lambda r: r.last_year),
         Field("deadline", "date", "", lambda r: r.deadline),
         Field("state", "string", "open or closed", lambda r: r.state),
         Field("includes_flows", "boolean", "partners report their mobility flows too", lambda r: r.includes_flows),
         Field("indicators", "string", "the indicators' codes asked, separated by ;",
               lambda r: _joined(i.code for i in r.indicators.all())),
         Field("approved_partners", "string", "the codes of the partners whose return is approved, separated by ;",
               lambda r: _joined(report.partner.code for report in r.approved_returns)),
         Field("is_demo", "boolean", "synthetic demonstration data", lambda r: _demo(r.is_demo))],
        _rounds, primary_key=["slug"],
    ),
]


def csv_value(value: Any) -> Any:
    """A value as a cell of the package's CSV: the Table Schema's lexical forms, text defused as every CSV is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell(value)


def table_rows(table: Table) -> Iterator[list]:
    yield [f.name for f in table.fields]
    records = table.records()
    # Prefetching reads in chunks too (Django 4.1+): a few queries per chunk, never the whole table at once.
    for record in records.iterator(chunk_size=CHUNK_ROWS):
        yield [csv_value(f.value(record)) for f in table.fields]


def has_demo() -> bool:
    return (Indicator.objects.filter(is_demo=True).exists() or Activity.objects.filter(is_demo=True).exists()
            or MobilityFlow.objects.filter(Q(is_demo=True) & Q(is_public=True)).exists()
            or Round.objects.filter(is_demo=True).exclude(state=Round.State.DRAFT).exists())


def sources() -> list[dict]:
    """Where the data comes from: the strategy document, each indicator's and observation's own source, and the
    partners' approved returns."""
    found: list[dict] = []
    strategy = current_strategy()
    if strategy is not None:
        found.append({"title": strategy.source_document, **({"path": strategy.source_url} if strategy.source_url
                                                           else {})})
    seen = set()
    for title, path in (Indicator.objects.exclude(data_source="", source_url="")
                        .order_by("data_source", "source_url").values_list("data_source", "source_url").distinct()):
        key = (title or path, path)
        if key not in seen:
            seen.add(key)
            found.append({"title": title or path, **({"path": path} if path else {})})
    for title in Observation.objects.exclude(source="").order_by("source").values_list("source", flat=True).distinct():
        if (title, "") not in seen:
            seen.add((title, ""))
            found.append({"title": title})
    found.append({"title": "The partners' returns in the ASEM Education Process's reporting rounds, as the "
                           "secretariat approved them",
                  "path": settings.SITE_URL + reverse("reporting:rounds")})
    return found


def licence_entry(current: licence.Licence) -> dict:
    # name: an Open Definition identifier as the spec asks ("CC BY 4.0" is CC-BY-4.0); title: as people write it.
    return {"name": current.name.replace(" ", "-"), "path": current.url, "title": current.name}


def descriptor(*, number: int, created: datetime, demo: bool) -> dict:
    current = licence.current()
    description = (
        "Everything public on the ASEM Education Portal: the ASEM Education Strategy 2030's objectives, priorities, "
        "instruments and indicators, the indicators' observations (ASEM's and each partner's approved values), the "
        "public mobility flows, the published activities and the reporting rounds. "
        f"Licence: {current.name} ({current.url}). Cite as: {current.citation} Release {number}, "
        f"{created.date().isoformat()}."
    )
    if demo:
        description += (" This release holds demonstration data: rows whose is_demo column is true are synthetic, "
                        "generated to show how the portal works, and describe nothing real.")
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": TITLE,
        "description": description,
        "version": str(number),
        "created": created.isoformat(),
        "homepage": settings.SITE_URL + reverse("opendata:data"),
        "citation": f"{current.citation} Release {number}, {created.date().isoformat()}.",
        "licenses": [licence_entry(current)],
        "sources": sources(),
        "resources": [table.resource() for table in TABLES],
    }


def write_package(target: IO[bytes], *, number: int, created: datetime) -> bool:
    """Write the release's zip to target, table by table; True if it holds demonstration rows."""
    demo = has_demo()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for table in TABLES:
            with package.open(table.path, "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                writer = csv.writer(text)
                for row in table_rows(table):
                    writer.writerow(row)
                text.flush()
                text.detach()
        package.writestr("datapackage.json",
                         json.dumps(descriptor(number=number, created=created, demo=demo), indent=2,
                                    ensure_ascii=False))
    return demo
