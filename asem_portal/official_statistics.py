"""Loads the official statistics shipped in asem_portal/data as real, sourced indicators: never demo.

``oecd-tertiary-students-asem.csv`` holds the OECD's international tertiary students enrolled in one ASEM partner
coming from another, 2013 to 2019 (OECD, "Enrolment of international students by origin", dataset
EDU_ENRL_MOBILE; asem_portal/data/README.md says where it was cut from and what it covers). From it, under
priority 1.1 (physical mobility between Europe and Asia, balanced and inclusive):

- ``1.1.oecd1``: students from Asian-side partners enrolled in European-side partners, and
- ``1.1.oecd2``: students from European-side partners enrolled in Asian-side partners,
  each with every host partner's own value (the observation's partner is where the students study) and the ASEM
  value made from them as any indicator partners report is (a sum, with how many hosts it rests on);
- ``1.1.oecd3``: the balance of the two, the smaller as a percentage of the larger, for ASEM as a whole.

Sides follow the partners' regions: Australia, New Zealand and the Russian Federation sit on the Asian side. Every
observation names the OECD's table. The figures come from the OECD, not from the partners, so the reporting rounds
never ask them (reporting/admin.py leaves out an indicator with a published source).

Loading is idempotent and whole: a second run writes nothing, and a file with one bad row writes nothing at all.
The secretariat's own settings on these indicators (a target, a weight, a status set by hand) are left as they are.
"""

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from asem_portal.strategy_document import DATA_DIR
from core import changes
from objectives.models import Indicator, Observation, Priority
from objectives.services import recompute_partner_aggregates
from partners.models import Partner

if TYPE_CHECKING:
    from asem_portal.content import LoadReport

OECD_FILE = "oecd-tertiary-students-asem.csv"
OECD_SOURCE = "OECD, Education statistics: Enrolment of international students by origin (EDU_ENRL_MOBILE)"
OECD_URL = "https://stats.oecd.org/viewhtml.aspx?datasetcode=EDU_ENRL_MOBILE"
OECD_COLUMNS = ["year", "origin", "destination", "students"]
BASELINE_YEAR = 2013
PRIORITY = "1.1"
LOADED = "Loaded from the OECD's table of international students by origin."
SUM_NOTE = "The sum of the host partners' figures in the OECD's table EDU_ENRL_MOBILE."
BALANCE_NOTE = "The smaller direction as a percentage of the larger, from the OECD's table EDU_ENRL_MOBILE."

SIDES = {"asia": "Asian", "europe": "European"}
HOSTS_NOTE = (
    "Only the countries that report to the OECD's education statistics (OECD destinations) give the international "
    "students they host, so the hosts are the {count} {side}-side partners that do: {hosts}. The other {side}-side "
    "partners ({missing}) have no figure. Students are counted from every {other}-side partner country. Each year's "
    "ASEM value says how many hosts it rests on."
)
BALANCE_COVERAGE = "Made from the two directions' ASEM sums, each as its own indicator covers it ({codes})."
COUNTED = (
    "International tertiary students (ISCED 5 to 8) enrolled in a partner who come from a partner on the other side "
    "of ASEM, a head count per academic year as the host reports it to the OECD (UNESCO-UIS/OECD/Eurostat data "
    "collection). Sides follow the ASEM partners' regions: Australia, New Zealand and the Russian Federation sit "
    "on the Asian side."
)
NO_TARGET = ("Baseline 2013, the first year of the table; the strategy sets no target, so the status compares the "
             "growth with fixed thresholds.")
METHODOLOGY = {
    Indicator.Aggregation.SUM: f"{COUNTED} A partner's value is the students it hosts; the ASEM value is their sum. "
                               f"{NO_TARGET}",
    Indicator.Aggregation.ASEM: f"{COUNTED} The balance is the smaller of the two directions' ASEM sums as a "
                                f"percentage of the larger: 100 % is balanced. {NO_TARGET}",
}


@dataclass(frozen=True)
class StudentsBetweenSides:
    code: str
    name: str
    origin: str  # the region the students come from
    host: str  # the region of the partner they study in
    description: str


STUDENT_INDICATORS = [
    StudentsBetweenSides(
        "1.1.oecd1", "International tertiary students from Asian partners enrolled in European partners",
        origin="asia", host="europe",
        description="Students from the Asian side of ASEM enrolled in a university or college on the European side, "
                    "as the OECD counts them.",
    ),
    StudentsBetweenSides(
        "1.1.oecd2", "International tertiary students from European partners enrolled in Asian partners",
        origin="europe", host="asia",
        description="Students from the European side of ASEM enrolled in a university or college on the Asian side, "
                    "as the OECD counts them.",
    ),
]
BALANCE_CODE = "1.1.oecd3"
BALANCE_NAME = "Balance of international tertiary students between Asia and Europe (smaller direction, % of larger)"


class OfficialStatisticsError(ValueError):
    """The shipped file is not what the loader reads: nothing was written."""


def read_students(*, regions: dict[str, str], name: str = OECD_FILE) -> list[tuple[int, str, str, int]]:
    """The file's rows as (year, origin code, destination code, students), each checked; the first bad row raises."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != OECD_COLUMNS:
            raise OfficialStatisticsError(f"{name}: the columns must be {', '.join(OECD_COLUMNS)}.")
        rows = []
        for line, row in enumerate(reader, start=2):
            year, students = row["year"], row["students"]
            problem = next((text for bad, text in [
                (not (year.isascii() and year.isdigit()), f"the year {year!r} is not a year"),
                (row["origin"] not in regions, f"the origin {row['origin']!r} is no ASEM partner"),
                (row["destination"] not in regions, f"the destination {row['destination']!r} is no ASEM partner"),
                (row["origin"] == row["destination"], "origin and destination are the same partner"),
                (not (students.isascii() and students.isdigit()), f"students {students!r} is not a whole number"),
            ] if bad), None)
            if problem:
                raise OfficialStatisticsError(f"{name}, line {line}: {problem}.")
            rows.append((int(year), row["origin"], row["destination"], int(students)))
    return rows


def host_values(rows, *, regions: dict[str, str], origin: str, host: str) -> dict[tuple[str, int], int]:
    """{(host partner code, year): students} from partners in the origin region enrolled in the host region."""
    values: dict[tuple[str, int], int] = defaultdict(int)
    for year, from_code, to_code, students in rows:
        if regions[from_code] == origin and regions[to_code] == host:
            values[to_code, year] += students
    return dict(values)


@transaction.atomic
def load_official_statistics(report: "LoadReport") -> None:
    partners = {partner.code: partner for partner in Partner.objects.all()}
    regions = {code: partner.region for code, partner in partners.items()}
    rows = read_students(regions=regions)
    hosts = {to_code for _year, _from, to_code, _students in rows}
    priority = Priority.objects.get(code=PRIORITY)
    totals: dict[str, dict[int, int]] = {}
    indicators = []
    for spec in STUDENT_INDICATORS:
        values = host_values(rows, regions=regions, origin=spec.origin, host=spec.host)
        totals[spec.code] = by_year = defaultdict(int)
        for (_code, year), students in values.items():
            by_year[year] += students
        indicator = _indicator(report, spec.code, priority=priority, name=spec.name, description=spec.description,
                               unit="students", kind=Indicator.Kind.COUNT, aggregation=Indicator.Aggregation.SUM,
                               baseline_value=by_year[BASELINE_YEAR], coverage_note=_coverage(
                                   partners.values(), hosts=hosts, origin=spec.origin, host=spec.host))
        _partner_values(report, indicator, {(partners[code].pk, year): v for (code, year), v in values.items()})
        indicators.append(indicator)
    recompute_partner_aggregates(indicators=indicators)
    # The engine's sum, with its coverage; said to rest on the OECD's figures rather than on approved returns.
    sums = Observation.objects.filter(indicator__in=indicators, partner__isnull=True, breakdown="").order_by()
    relabelled = [o for o in sums if (o.source, o.note) != (OECD_SOURCE, SUM_NOTE)]
    for observation in relabelled:
        observation.source, observation.note = OECD_SOURCE, SUM_NOTE
    _write(report, [], relabelled, [])

    first, second = (totals[spec.code] for spec in STUDENT_INDICATORS)
    balance = {year: 100 * min(first[year], second[year]) / max(first[year], second[year])
               for year in sorted(first.keys() & second.keys()) if max(first[year], second[year])}
    indicator = _indicator(report, BALANCE_CODE, priority=priority, name=BALANCE_NAME,
                           description="Students between the two sides of ASEM: those enrolled on the European "
                                       "side from the Asian, and the reverse, the smaller as a percentage of the "
                                       "larger. 100 % is balanced.",
                           unit="%", kind=Indicator.Kind.PERCENTAGE, aggregation=Indicator.Aggregation.ASEM,
                           baseline_value=balance.get(BASELINE_YEAR, 0.0),
                           coverage_note=BALANCE_COVERAGE.format(codes=" and ".join(totals)))
    _asem_values(report, indicator, balance)


def _coverage(partners, *, hosts: set[str], origin: str, host: str) -> str:
    """Which partners of the host side have figures and which have none, in words."""
    side = sorted((p for p in partners if p.region == host), key=lambda p: p.name)
    return HOSTS_NOTE.format(
        count=sum(p.code in hosts for p in side), side=SIDES[host], other=SIDES[origin],
        hosts=", ".join(p.name for p in side if p.code in hosts),
        missing=", ".join(p.name for p in side if p.code not in hosts),
    )


def _indicator(report: "LoadReport", code: str, *, coverage_note: str, **values) -> Indicator:
    values |= {
        "direction": 1, "baseline_year": BASELINE_YEAR, "source": Indicator.Source.MANUAL, "metric": "",
        "data_source": OECD_SOURCE, "source_url": OECD_URL, "coverage_note": coverage_note,
        "methodology": METHODOLOGY[values["aggregation"]],
        "is_demo": False,
    }
    return report.count(Indicator, {"code": code}, values)


def _partner_values(report: "LoadReport", indicator: Indicator, values: dict[tuple[int, int], int]) -> None:
    """Make the indicator's partners' headline observations exactly the file's, {(partner id, year): students}."""
    existing = {(o.partner_id, o.year): o
                for o in Observation.objects.filter(indicator=indicator, partner__isnull=False, breakdown="")}
    wanted = {key: {"value": float(students), "source": OECD_SOURCE, "note": "", "is_computed": False}
              for key, students in values.items()}
    _make_exactly(report, existing, wanted,
                  lambda key, fields: Observation(indicator=indicator, partner_id=key[0], year=key[1], **fields))


def _asem_values(report: "LoadReport", indicator: Indicator, values: dict[int, float]) -> None:
    """Make the indicator's ASEM headline observations exactly ``values``, {year: value}."""
    existing = {o.year: o for o in Observation.objects.filter(indicator=indicator, partner__isnull=True, breakdown="")}
    wanted = {year: {"value": value, "source": OECD_SOURCE, "note": BALANCE_NOTE, "is_computed": False}
              for year, value in values.items()}
    _make_exactly(report, existing, wanted, lambda year, fields: Observation(indicator=indicator, year=year, **fields))


def _differs(old, new) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return not math.isclose(old, new, rel_tol=1e-12)
    return old != new


def _make_exactly(report: "LoadReport", existing: dict, wanted: dict, new) -> None:
    """Make the observations ``existing`` ({key: observation}) exactly ``wanted`` ({key: fields}): ``new(key,
    fields)`` makes a missing one, one that differs is changed, and one the file no longer has is deleted."""
    to_create, to_update = [], []
    for key, fields in sorted(wanted.items()):
        observation = existing.pop(key, None)
        if observation is None:
            to_create.append(new(key, fields))
        elif any(_differs(getattr(observation, name), value) for name, value in fields.items()):
            for name, value in fields.items():
                setattr(observation, name, value)
            to_update.append(observation)
        else:
            report.unchanged += 1
    _write(report, to_create, to_update, list(existing.values()))


def _write(report: "LoadReport", to_create, to_update, to_delete) -> None:
    with changes.without_refresh():
        if to_create:
            bulk_create_with_history(to_create, Observation, default_change_reason=LOADED)
        if to_update:
            bulk_update_with_history(to_update, Observation, ["value", "source", "note", "is_computed"],
                                     default_change_reason=LOADED)
        for observation in to_delete:  # no longer in the file
            observation.delete()
        if to_create or to_update or to_delete:
            changes.data_changed(refresh=False)
    report.created += len(to_create)
    report.updated += len(to_update) + len(to_delete)
