"""SDMX in and out: the portal's published data structures, its data as SDMX messages, and an import of one.

Every message is built and read by sdmx1 (``import sdmx``): SDMX-ML 2.1 structure and structure-specific data
messages and SDMX-CSV 2.0.0, the version sdmx1 reads and writes, out; those and SDMX-ML 2.1 generic data, in.

The indicators' data structure (DSD_ASEM_INDICATORS) has the dimensions INDICATOR (an indicator's code with
underscores for dots: 1_1_a), REF_AREA (a partner's code, or ASEM for ASEM as a whole), BREAKDOWN (_T for the
headline, or an observation's breakdown key=value written KEY-VALUE in capitals: REGION-ASIA) and TIME_PERIOD (a
year), the measure OBS_VALUE and the attributes UNIT_MEASURE, COVERAGE, SOURCE and DEMO. Each of those codes turns
back into exactly what it came from, so a message the portal writes imports as it was. The mobility totals'
(DSD_ASEM_MOBILITY) are the public flows summed by DIRECTION, MODE, LEVEL and STATISTIC (participants, of them
female, of them with fewer opportunities) and TIME_PERIOD.

``import_observations()`` loads an SDMX-CSV or SDMX-ML data message into one indicator's observations: every row is
checked first, a dry run lists what would change, and a real run writes all of it or nothing.
"""

import csv
import hashlib
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

import sdmx
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree
from sdmx import message as sdmx_message
from sdmx.model import common
from sdmx.model import v21 as model
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import changes
from core.roles import is_secretariat
from mobility.models import DeliveryMode, Direction, MobilityLevel
from mobility.selectors import TOTAL_GROUPS, direction_expression, flow_summary, flows
from objectives import services as objective_services
from objectives.models import FIRST_YEAR, LAST_YEAR, Indicator, Observation, breakdown_validator
from partners.models import Partner

AGENCY_ID = "ASEM_EDU"
AGENCY_NAME = "ASEM Education Portal"
VERSION = "1.0"
INDICATORS = "ASEM_INDICATORS"  # DF_ and DSD_ make the dataflow's and the structure's ids
MOBILITY = "ASEM_MOBILITY"
ASEM_AREA = "ASEM"
TOTAL = "_T"
NOT_APPLICABLE = "_Z"
DEMO_TEXT = "Synthetic demonstration data, not real figures."
DEMO_VALUE = "true"

# The breakdowns the structure always lists, beside any that observations hold: the regions of ASEM, the ways of
# delivery and the levels of mobility, and sex.
KNOWN_BREAKDOWNS = (
    [f"region={region}" for region in ("asia", "europe")]
    + [f"mode={mode}" for mode in DeliveryMode.values]
    + [f"level={level}" for level in MobilityLevel.values]
    + ["sex=female", "sex=male"]
)
# Each data structure's dimensions in their order (the time period last) and its observations' attributes.
INDICATOR_DIMENSIONS = ("INDICATOR", "REF_AREA", "BREAKDOWN", "TIME_PERIOD")
INDICATOR_ATTRIBUTES = ("UNIT_MEASURE", "COVERAGE", "SOURCE", "DEMO")
MOBILITY_DIMENSIONS = ("DIRECTION", "MODE", "LEVEL", "STATISTIC", "TIME_PERIOD")
MOBILITY_ATTRIBUTES = ("DEMO",)
MOBILITY_STATISTICS = {
    "PARTICIPANTS": ("participants", "Participants"),
    "FEMALE": ("female", "Of them female"),
    "FEWER_OPPORTUNITIES": ("fewer_opportunities", "Of them with fewer opportunities"),
}

# Media types of the formats, as the SDMX REST specification names them.
STRUCTURE_MEDIA_TYPE = "application/vnd.sdmx.structure+xml;version=2.1"
STRUCTURE_SPECIFIC_MEDIA_TYPE = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv;version=2.0.0"

# The most problems an import reports: enough to fix a file by, never a page of thousands.
PROBLEMS_SHOWN = 100


# Codes ----------------------------------------------------------------------------------------------------------


def indicator_code_id(code: str) -> str:
    """An indicator's code as an SDMX id, which takes no dots: 1.1.a is 1_1_a."""
    return code.replace(".", "_")


def breakdown_code(breakdown: str) -> str:
    """An observation's breakdown as a code: _T for the headline, region=asia as REGION-ASIA.

    A breakdown's key has no hyphen, so the first one in the code is where its value starts.
    """
    if not breakdown:
        return TOTAL
    key, _sep, value = breakdown.partition("=")
    return f"{key}-{value}".upper()


def breakdown_from_code(code: str) -> str | None:
    """The breakdown a code stands for, or None when it stands for none."""
    if code == TOTAL:
        return ""
    key, sep, value = code.lower().partition("-")
    breakdown = f"{key}={value}"
    try:
        breakdown_validator(breakdown)
    except ValidationError:
        return None
    return breakdown if sep and len(breakdown) <= Observation._meta.get_field("breakdown").max_length else None


def breakdown_name(breakdown: str) -> str:
    key, _sep, value = breakdown.partition("=")
    return f"{key.replace('_', ' ').capitalize()}: {value.replace('_', ' ')}"


# The published structure ------------------------------------------------------------------------------------------


@dataclass
class Structure:
    """The portal's SDMX structures: its structure message, and the two dataflows with their data structures."""

    message: sdmx_message.StructureMessage
    indicators: model.DataflowDefinition
    mobility: model.DataflowDefinition


def _agency() -> common.Agency:
    return common.Agency(id=AGENCY_ID, name=AGENCY_NAME)


def _maintained(cls, id: str, name: str, **kwargs):
    return cls(id=id, name=name, maintainer=_agency(), version=VERSION, is_final=True,
               is_external_reference=False, **kwargs)


def _codelist(id: str, name: str, codes: list[tuple[str, str]]) -> common.Codelist:
    codelist = _maintained(common.Codelist, id, name)
    for code, code_name in codes:
        codelist.append(common.Code(id=code, name=code_name))
    return codelist


CONCEPTS = {
    "INDICATOR": "Indicator of the ASEM Education Strategy 2030",
    "REF_AREA": "Reference area: an ASEM partner, or ASEM as a whole",
    "BREAKDOWN": "Breakdown of the indicator (_T: the total)",
    "TIME_PERIOD": "Year",
    "OBS_VALUE": "Observation value",
    "UNIT_MEASURE": "Unit of measure",
    "COVERAGE": "Partners an ASEM value made from partners' values rests on",
    "SOURCE": "Source of the value",
    "DEMO": "Synthetic demonstration data (true), not real figures",
    "DIRECTION": "Direction of mobility between Asia and Europe",
    "MODE": "Mode of delivery",
    "LEVEL": "Level of education or kind of participant",
    "STATISTIC": "What is counted",
}


def _dsd(id: str, name: str, concepts: common.ConceptScheme, dimensions: list[tuple[str, common.Codelist]],
         attributes: list[str]) -> model.DataStructureDefinition:
    dsd = _maintained(model.DataStructureDefinition, id, name)
    for order, (concept, codelist) in enumerate(dimensions):
        dsd.dimensions.append(common.Dimension(
            id=concept, concept_identity=concepts[concept], order=order,
            local_representation=common.Representation(enumerated=codelist)))
    dsd.dimensions.append(common.TimeDimension(
        id="TIME_PERIOD", concept_identity=concepts["TIME_PERIOD"], order=len(dimensions)))
    dsd.measures.append(model.PrimaryMeasure(id="OBS_VALUE", concept_identity=concepts["OBS_VALUE"]))
    for concept in attributes:
        dsd.attributes.append(common.DataAttribute(
            id=concept, concept_identity=concepts[concept], related_to=model.PrimaryMeasureRelationship(),
            usage_status=common.UsageStatus.conditional))
    return dsd


def build_structure() -> Structure:
    """The structure message of the portal's two dataflows, their data structures, codelists and concepts.

    Three queries: the indicators, the partners and the breakdowns observations hold.
    """
    indicators = list(Indicator.objects.order_by("code").values_list("code", "name"))
    partners = list(Partner.objects.order_by("code").values_list("code", "name"))
    held = Observation.objects.exclude(breakdown="").order_by().values_list("breakdown", flat=True).distinct()
    breakdowns = sorted(set(KNOWN_BREAKDOWNS) | set(held))

    concepts = _maintained(common.ConceptScheme, "CS_ASEM_EDUCATION", "Concepts of the ASEM Education Portal")
    for id, name in CONCEPTS.items():
        concepts.append(common.Concept(id=id, name=name))
    codelists = {
        "INDICATOR": _codelist("CL_INDICATOR", "Indicators", [(indicator_code_id(c), n) for c, n in indicators]),
        "REF_AREA": _codelist("CL_AREA", "ASEM and its partners", [(ASEM_AREA, "ASEM as a whole"), *partners]),
        "BREAKDOWN": _codelist("CL_BREAKDOWN", "Breakdowns", [
            (TOTAL, "Total"), *[(breakdown_code(b), breakdown_name(b)) for b in breakdowns]]),
        "DIRECTION": _codelist("CL_DIRECTION", "Directions", [
            *[(value.upper(), str(label)) for value, label in Direction.choices],
            (NOT_APPLICABLE, "Partners whose regions name no direction")]),
        "MODE": _codelist("CL_MODE", "Modes of delivery",
                          [(v.upper(), str(label)) for v, label in DeliveryMode.choices]),
        "LEVEL": _codelist("CL_LEVEL", "Levels", [(v.upper(), str(label)) for v, label in MobilityLevel.choices]),
        "STATISTIC": _codelist("CL_MOBILITY_STATISTIC", "Mobility statistics",
                               [(code, name) for code, (_field, name) in MOBILITY_STATISTICS.items()]),
    }
    indicators_dsd = _dsd(
        f"DSD_{INDICATORS}", "Indicators of the ASEM Education Strategy 2030", concepts,
        [(name, codelists[name]) for name in INDICATOR_DIMENSIONS[:-1]], list(INDICATOR_ATTRIBUTES))
    mobility_dsd = _dsd(
        f"DSD_{MOBILITY}", "Asia-Europe mobility: the public flows summed", concepts,
        [(name, codelists[name]) for name in MOBILITY_DIMENSIONS[:-1]], list(MOBILITY_ATTRIBUTES))
    indicators_flow = _maintained(model.DataflowDefinition, f"DF_{INDICATORS}",
                                  "Indicators of the ASEM Education Strategy 2030", structure=indicators_dsd)
    mobility_flow = _maintained(model.DataflowDefinition, f"DF_{MOBILITY}", "Asia-Europe mobility",
                                structure=mobility_dsd)
    structure_message = sdmx_message.StructureMessage(header=_header("ASEM-STRUCTURE"))
    for artefact in (*codelists.values(), concepts, indicators_dsd, mobility_dsd, indicators_flow, mobility_flow):
        structure_message.add(artefact)
    return Structure(message=structure_message, indicators=indicators_flow, mobility=mobility_flow)


def _header(id: str, *, demo: bool = False) -> sdmx_message.Header:
    header = sdmx_message.Header(id=id, prepared=timezone.now().replace(microsecond=0), sender=_agency())
    if demo:
        header.source = f"{AGENCY_NAME}: {DEMO_TEXT}"
    return header


# Data out ---------------------------------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    """A value as SDMX writes it: a whole number without a decimal point, any other exactly."""
    return int(value) if float(value).is_integer() else value


def _observation(dsd, keys: dict[str, str], value, attributes: dict[str, str]) -> model.Observation:
    return model.Observation(
        dimension=dsd.make_key(common.Key, keys), value=value, value_for=dsd.measures[0],
        attached_attribute={
            name: common.AttributeValue(value=text, value_for=dsd.attributes.get(name))
            for name, text in attributes.items() if text not in (None, "")
        },
    )


def _data_message(flow, observations: list[model.Observation], *, id: str, demo: bool) -> sdmx_message.DataMessage:
    data_set = model.StructureSpecificDataSet(structured_by=flow.structure, described_by=flow,
                                              action=common.ActionType.information)
    data_set.add_obs(observations)
    return sdmx_message.DataMessage(header=_header(id, demo=demo), data=[data_set], dataflow=flow,
                                    observation_dimension=model.AllDimensions)


def indicator_observations(indicator: Indicator) -> QuerySet[Observation]:
    """An indicator's every observation, ASEM's and each partner's, headline and breakdowns (all are public)."""
    return indicator.observations.select_related("partner").order_by("partner__code", "breakdown", "year", "pk")


@dataclass
class DataTable:
    """A data message's observations as the codes it sends, in its order: what SDMX-CSV is written from directly,
    and what sdmx1's message is built from for SDMX-ML. Reading it costs no query of the structure's."""

    flow_id: str
    dimensions: tuple[str, ...]  # TIME_PERIOD last, as in the data structure
    attributes: tuple[str, ...]
    id: str
    demo: bool
    # Each observation: its key's codes (one for each dimension), its value, its attributes' texts ("" for none).
    observations: list[tuple[tuple[str, ...], int | float, tuple[str, ...]]]


def indicator_table(indicator: Indicator) -> DataTable:
    """An indicator's observations as codes of the indicators' dataflow. One query."""
    code = indicator_code_id(indicator.code)
    demo = DEMO_VALUE if indicator.is_demo else ""
    rows = indicator_observations(indicator).values_list("partner__code", "breakdown", "year", "value", "coverage",
                                                         "source")
    return DataTable(
        flow_id=f"DF_{INDICATORS}", dimensions=INDICATOR_DIMENSIONS, attributes=INDICATOR_ATTRIBUTES,
        id=f"ASEM-INDICATOR-{code}", demo=indicator.is_demo,
        observations=[
            ((code, partner or ASEM_AREA, breakdown_code(breakdown), str(year)), _number(value),
             (indicator.unit, "" if coverage is None else str(coverage), source or indicator.data_source, demo))
            for partner, breakdown, year, value, coverage, source in rows
        ],
    )


def mobility_totals() -> list[dict]:
    """The public flows summed per year, direction, mode and level (mobility's own summary: from the kept totals
    while they are current), each with whether any demonstration flow is in it. Three queries."""
    rows = flow_summary(flows(), list(TOTAL_GROUPS), filters={})
    # The kept totals count no demonstration rows by mode and level: those few are read from the flows themselves.
    demo = set(flows().filter(is_demo=True).order_by().annotate(direction=direction_expression())
               .values_list(*TOTAL_GROUPS).distinct())
    return [{**row, "demo": tuple(row[name] for name in TOTAL_GROUPS) in demo} for row in rows]


def mobility_table() -> DataTable:
    """The mobility totals of the public flows as codes of the mobility dataflow. Three queries."""
    rows = mobility_totals()
    observations = []
    for row in rows:
        key = ((row["direction"] or NOT_APPLICABLE).upper(), row["mode"].upper(), row["level"].upper())
        for statistic, (name, _label) in MOBILITY_STATISTICS.items():
            if row[name] is not None:
                observations.append(((*key, statistic, str(row["year"])), int(row[name]),
                                     (DEMO_VALUE if row["demo"] else "",)))
    return DataTable(flow_id=f"DF_{MOBILITY}", dimensions=MOBILITY_DIMENSIONS, attributes=MOBILITY_ATTRIBUTES,
                     id="ASEM-MOBILITY", demo=any(row["demo"] for row in rows), observations=observations)


def table_message(table: DataTable, *, structure: Structure | None = None) -> sdmx_message.DataMessage:
    """A table as sdmx1's data message of its dataflow. Three queries, for the structure, unless it is given."""
    structure = structure or build_structure()
    flow = structure.indicators if table.flow_id == structure.indicators.id else structure.mobility
    dsd = flow.structure
    observations = [
        _observation(dsd, dict(zip(table.dimensions, key, strict=True)), value,
                     dict(zip(table.attributes, attributes, strict=True)))
        for key, value, attributes in table.observations
    ]
    return _data_message(flow, observations, id=table.id, demo=table.demo)


def to_sdmx_ml(obj) -> bytes:
    """A message as SDMX-ML 2.1, written by sdmx1."""
    return sdmx.to_xml(obj, pretty_print=True)


def table_to_sdmx_csv(table: DataTable) -> bytes:
    """A table as SDMX-CSV 2.0.0, character for character what sdmx1 writes of its message (sdmx.to_csv, the
    values as the SDMX-ML has them: 40, not 40.0), without building one object for each observation: a tenth of the
    time for the mobility totals' two thousand."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *table.dimensions, "OBS_VALUE", *table.attributes])
    structure_id = f"{AGENCY_ID}:{table.flow_id}({VERSION})"
    writer.writerows(
        ["dataflow", structure_id, "I", *key, str(_number(float(value))), *attributes]
        for key, value, attributes in table.observations
    )
    return out.getvalue().encode("utf-8")


# Data in ----------------------------------------------------------------------------------------------------------


class SdmxFileInvalid(Exception):
    """A data message that cannot be imported: problems lists each, by observation where one is at fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:PROBLEMS_SHOWN]
        if len(problems) > PROBLEMS_SHOWN:
            shown.append(f"… and {len(problems) - PROBLEMS_SHOWN} more problems.")
        self.messages = shown
        super().__init__("; ".join(shown))


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES


# Nothing an SDMX message holds needs a document type: one is refused before sdmx1 reads the message, so neither an
# entity that expands a thousandfold nor one that reads a file or an address is ever expanded.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _check_xml(content: bytes) -> None:
    try:
        tree = etree.parse(io.BytesIO(content), _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise SdmxFileInvalid([f"The file is not well-formed XML: {exc}."]) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SdmxFileInvalid(["The XML declares a document type (<!DOCTYPE>): an SDMX message has none, and its "
                               "entities are never expanded. Remove it and upload the file again."])


def is_xml(content: bytes) -> bool:
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def read_message(content: bytes, structure: Structure) -> sdmx_message.DataMessage:
    """An SDMX-ML or SDMX-CSV data message of the indicators' dataflow, read by sdmx1: which one, from the content.

    Raises SdmxFileInvalid, saying what is wrong, for anything that is not one.
    """
    if len(content) > max_upload_bytes():
        raise SdmxFileInvalid([f"The file is larger than {max_upload_bytes():,} bytes, the most an import takes."])
    if not content.strip():
        raise SdmxFileInvalid(["The file is empty."])
    xml = is_xml(content)
    if xml:
        _check_xml(content)
    else:
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SdmxFileInvalid(["The file is neither SDMX-ML (XML) nor SDMX-CSV text in UTF-8."]) from None
        content = content.removeprefix(b"\xef\xbb\xbf")
    flow = structure.indicators
    try:
        if xml:
            result = sdmx.read_sdmx(io.BytesIO(content), format="XML", structure=flow.structure)
        else:
            result = sdmx.read_sdmx(io.BytesIO(content), format="CSV", structure=flow)
    except Exception as exc:  # sdmx1 raises many kinds on a malformed message: each is the file's fault
        kind = "SDMX-ML" if xml else "SDMX-CSV 2.0.0"
        detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise SdmxFileInvalid([f"The file is not an {kind} data message sdmx1 can read: {detail}"]) from None
    if not isinstance(result, sdmx_message.DataMessage):
        raise SdmxFileInvalid(["The file is an SDMX message, but not a data message: send one with observations."])
    return result


@dataclass(frozen=True)
class Row:
    """One observation of a message, as the portal names it."""

    partner: str | None  # a partner's code, or None for ASEM as a whole
    breakdown: str
    year: int
    value: float
    source: str

    @property
    def label(self) -> str:
        return f"{self.partner or ASEM_AREA} {breakdown_code(self.breakdown)} {self.year}"


@dataclass(frozen=True)
class Change:
    """What an import does to one observation: added, changed (from old to new) or unchanged."""

    action: str
    partner: str | None
    breakdown: str
    year: int
    value: float
    source: str
    old_value: float | None = None
    old_source: str | None = None

    @property
    def ref_area(self) -> str:
        return self.partner or ASEM_AREA

    @property
    def breakdown_code(self) -> str:
        return breakdown_code(self.breakdown)


ADDED, CHANGED, UNCHANGED, SKIPPED = "added", "changed", "unchanged", "skipped"


@dataclass
class ImportResult:
    indicator: Indicator
    dry_run: bool
    digest: str
    changes: list[Change] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def _of(self, action: str) -> list[Change]:
        return [change for change in self.changes if change.action == action]

    @property
    def added(self) -> list[Change]:
        return self._of(ADDED)

    @property
    def changed(self) -> list[Change]:
        return self._of(CHANGED)

    @property
    def unchanged(self) -> list[Change]:
        return self._of(UNCHANGED)

    @property
    def counts(self) -> dict[str, int]:
        return {action: len(self._of(action)) for action in (ADDED, CHANGED, UNCHANGED)}

    def __str__(self):
        text = (f"{self.indicator.code}: {len(self.added)} observations added, {len(self.changed)} changed, "
                f"{len(self.unchanged)} unchanged")
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text + (" (a dry run: nothing was written)" if self.dry_run else "")


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _text(attribute) -> str:
    return "" if attribute is None or attribute.value is None else str(attribute.value).strip()


def _header_source(data_message: sdmx_message.DataMessage) -> str:
    """Who sent a message and its id, as its header says: the source of a value the message gives none for."""
    header = data_message.header
    sender = header.sender
    who = ""
    if sender is not None and getattr(sender, "id", None) not in (None, "", "none"):
        who = str(sender.name) if str(sender.name or "") else sender.id
    parts = [who, f"message {header.id}" if header.id and header.id != "none" else ""]
    return ", ".join(part for part in parts if part)


def message_rows(data_message: sdmx_message.DataMessage, *, indicator: Indicator, source: str,
                 partners: set[str]) -> list[Row]:
    """The message's observations of the indicator as rows; SdmxFileInvalid naming each observation at fault."""
    fallback = source.strip() or _header_source(data_message)
    expected = indicator_code_id(indicator.code)
    problems, rows = [], []
    observations = [(data_set, o) for data_set in data_message.data for o in data_set.obs]
    if not observations:
        raise SdmxFileInvalid(["The message holds no observations."])
    for data_set, observation in observations:
        key = {kv.id: str(kv.value) for kv in observation.key}
        label = ".".join(key.get(name, "?") for name in ("INDICATOR", "REF_AREA", "BREAKDOWN")) + \
            f" {key.get('TIME_PERIOD', '?')}"
        wrong = []
        if data_set.action in (common.ActionType.delete,):
            wrong.append("the message deletes it: an import only adds and changes observations")
        missing = [name for name in ("INDICATOR", "REF_AREA", "BREAKDOWN", "TIME_PERIOD") if not key.get(name)]
        if missing:
            wrong.append(f"it has no {', '.join(missing)}")
        if key.get("INDICATOR") and key["INDICATOR"] != expected:
            wrong.append(f"INDICATOR {key['INDICATOR']} is not {expected}, the indicator being imported")
        area = key.get("REF_AREA", "")
        if area and area != ASEM_AREA and area not in partners:
            wrong.append(f"REF_AREA {area} is neither ASEM nor the code of an ASEM partner")
        breakdown = breakdown_from_code(key.get("BREAKDOWN", "")) if key.get("BREAKDOWN") else None
        if key.get("BREAKDOWN") and breakdown is None:
            wrong.append(f"BREAKDOWN {key['BREAKDOWN']} is neither {TOTAL} nor a breakdown KEY-VALUE such as "
                         "REGION-ASIA")
        period = key.get("TIME_PERIOD", "")
        year = int(period) if period.isascii() and period.isdigit() and len(period) == 4 else None
        if period and year is None:
            wrong.append(f"TIME_PERIOD {period} is not a year")
        elif year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            wrong.append(f"the year {year} is outside {FIRST_YEAR} to {LAST_YEAR}")
        try:
            value = float(observation.value)
        except (TypeError, ValueError):
            value = None
        if value is None or not math.isfinite(value):
            wrong.append(f"OBS_VALUE {observation.value!r} is not a finite number")
        elif indicator.kind == Indicator.Kind.COUNT and value != round(value):
            wrong.append(f"{indicator.code} is a count of {indicator.unit}: {_number(value)} is not a whole number")
        if wrong:
            problems.append(f"{label}: {'; '.join(wrong)}.")
            continue
        own_source = _text(observation.attached_attribute.get("SOURCE"))
        row_source = (source.strip() or own_source or fallback)[:Observation._meta.get_field("source").max_length]
        rows.append(Row(partner=None if area == ASEM_AREA else area, breakdown=breakdown, year=year, value=value,
                        source=row_source))
    if problems:
        raise SdmxFileInvalid(problems)
    seen, duplicates = set(), []
    for row in rows:
        key = (row.partner, row.breakdown, row.year)
        if key in seen:
            duplicates.append(f"{indicator_code_id(indicator.code)}.{row.label}: the message gives this observation "
                              "more than once.")
        seen.add(key)
    if duplicates:
        raise SdmxFileInvalid(duplicates)
    if not any(row.source for row in rows):
        raise SdmxFileInvalid(["The message names no source (no SOURCE attribute, no sender in its header): give "
                               "the source of its values."])
    return rows


def _require_secretariat(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat may import observations.")


def import_observations(*, user, indicator: Indicator, content: bytes, source: str = "",
                        dry_run: bool = True) -> ImportResult:
    """Load an SDMX-CSV or SDMX-ML data message into the indicator's observations.

    Every observation is checked (the indicator, a partner's code, the year, a finite value, a count whole, the
    breakdowns adding up by the indicator's rules, nothing given twice, and whose an observation may be) before
    anything is written; SdmxFileInvalid lists what is wrong, naming each observation. The result lists each
    observation as added, changed (old and new value) or unchanged. A dry run writes nothing; a real one writes
    every change in one transaction, each observation keeping its source (the source given, else the message's
    SOURCE attribute, else its header's sender and id), then makes the ASEM series again when partners report the
    indicator, and drops what is cached. The ASEM headline of an indicator partners report is made from their
    values, never imported: its rows are skipped and said so.
    """
    _require_secretariat(user)
    structure = build_structure()
    data_message = read_message(content, structure)
    partners = dict(Partner.objects.values_list("code", "pk"))
    rows = message_rows(data_message, indicator=indicator, source=source, partners=set(partners))
    with transaction.atomic():
        if not dry_run:
            indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        return _apply(indicator=indicator, rows=rows, partners=partners, user=user, dry_run=dry_run,
                      digest=digest_of(content))


def _apply(*, indicator: Indicator, rows: list[Row], partners: dict[str, int], user, dry_run: bool,
           digest: str) -> ImportResult:
    result = ImportResult(indicator=indicator, dry_run=dry_run, digest=digest)
    existing = {(o.partner.code if o.partner_id else None, o.breakdown, o.year): o
                for o in indicator.observations.select_related("partner").order_by()}
    problems = []
    kept = []
    for row in rows:
        candidate = Observation(indicator=indicator, partner_id=partners.get(row.partner), year=row.year,
                                value=row.value, breakdown=row.breakdown, source=row.source)
        if indicator.is_partner_reported and row.partner is None and not row.breakdown:
            result.skipped.append(f"{row.label}: the ASEM value of {indicator.code} is made from the partners' "
                                  "values, not imported.")
            continue
        whose = objective_services.observation_problems(candidate)
        if whose:
            problems.append(f"{indicator_code_id(indicator.code)}.{row.label}: "
                            f"{' '.join(m for messages in whose.values() for m in messages)}")
            continue
        kept.append(row)
    # A count's breakdowns must add up with its total, each year of each series, as it will be once imported.
    years: dict[tuple[str | None, int], dict[str, float]] = defaultdict(dict)
    for (partner, breakdown, year), observation in existing.items():
        years[(partner, year)][breakdown] = observation.value
    for row in kept:
        years[(row.partner, row.year)][row.breakdown] = row.value
    touched = {(row.partner, row.year) for row in kept}
    for partner, year in sorted(touched, key=lambda key: (key[0] or "", key[1])):
        for problem in indicator.breakdown_problems(year, years[(partner, year)]):
            problems.append(f"{indicator_code_id(indicator.code)}.{partner or ASEM_AREA} {year}: {problem}")
    if problems:
        raise SdmxFileInvalid(problems)

    to_create, to_update, labels = [], [], {}
    for row in kept:
        observation = existing.get((row.partner, row.breakdown, row.year))
        fields = {"partner": row.partner, "breakdown": row.breakdown, "year": row.year, "value": row.value,
                  "source": row.source}
        if observation is None:
            result.changes.append(Change(ADDED, **fields))
            observation = Observation(indicator=indicator, partner_id=partners.get(row.partner), year=row.year,
                                      value=row.value, breakdown=row.breakdown, source=row.source, is_computed=False)
            to_create.append(observation)
        elif observation.value == row.value and observation.source == row.source and not observation.is_computed:
            result.changes.append(Change(UNCHANGED, **fields, old_value=observation.value,
                                         old_source=observation.source))
            continue
        else:
            result.changes.append(Change(CHANGED, **fields, old_value=observation.value,
                                         old_source=observation.source))
            observation.value, observation.source, observation.is_computed = row.value, row.source, False
            to_update.append(observation)
        labels[id(observation)] = row.label
    for observation in to_create + to_update:
        observation.breakdowns_checked_by_formset = True  # checked above, against the rows as they will be
        try:
            observation.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            problems.append(f"{indicator_code_id(indicator.code)}.{labels[id(observation)]}: {' '.join(exc.messages)}")
    if problems:
        raise SdmxFileInvalid(problems)
    if dry_run or not (to_create or to_update):
        return result
    history_user = user if user.is_authenticated else None
    reason = f"Imported from an SDMX message ({digest[:12]})"
    with changes.without_refresh():
        if to_create:
            bulk_create_with_history(to_create, Observation, batch_size=500, default_user=history_user,
                                     default_change_reason=reason)
        if to_update:
            bulk_update_with_history(to_update, Observation, ["value", "source", "is_computed"], batch_size=500,
                                     default_user=history_user, default_change_reason=reason)
        if indicator.is_partner_reported:
            objective_services.recompute_partner_aggregates(indicators=[indicator])
        changes.data_changed(refresh=False)
    return result
