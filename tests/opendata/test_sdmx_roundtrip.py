"""The issue's proof: a message sdmx1 writes from the published structure imports into an indicator and exports back
equal, as SDMX-CSV and as SDMX-ML, values, periods and breakdowns alike."""

import io

import pandas as pd
import pytest
import sdmx
from sdmx import message as sdmx_message
from sdmx.model import common
from sdmx.model import v21 as model

from objectives.models import Indicator, Observation
from opendata.sdmx import import_observations
from tests import factories
from tests.api.conftest import client_for

# What a statistics office publishes: Germany's and Thailand's values, and ASEM's by region, with their sources.
# Partners report the indicator, so ASEM's headline is the sum of theirs, and its regions add up to it.
PUBLISHED = [
    ("DE", "_T", "2023", 1200, "Destatis"), ("DE", "_T", "2024", 1350, "Destatis"),
    ("DE", "SEX-FEMALE", "2024", 700, "Destatis"), ("TH", "_T", "2024", 640, "Statistics Thailand"),
    ("ASEM", "REGION-ASIA", "2024", 640, "Eurostat"), ("ASEM", "REGION-EUROPE", "2024", 1350, "Eurostat"),
]


@pytest.fixture
def indicator(strategy):
    from objectives.models import Priority

    return factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.x", kind="count",
                                      unit="participants", aggregation="sum")


@pytest.fixture
def published_structure(db, indicator):
    """The structure as /api/v1/sdmx/structure/ publishes it, read by sdmx1."""
    response = client_for().get("/api/v1/sdmx/structure/")
    assert response.status_code == 200
    return sdmx.read_sdmx(io.BytesIO(response.content), format="XML")


def data_set_from(structure, rows, data_set_class=model.StructureSpecificDataSet):
    flow = structure.dataflow["DF_ASEM_INDICATORS"]
    dsd = flow.structure
    data_set = data_set_class(structured_by=dsd, described_by=flow)
    data_set.add_obs([
        model.Observation(
            dimension=dsd.make_key(common.Key, {"INDICATOR": "1_1_x", "REF_AREA": area, "BREAKDOWN": breakdown,
                                                "TIME_PERIOD": period}),
            value=value, value_for=dsd.measures[0],
            attached_attribute={"SOURCE": common.AttributeValue(value=source, value_for=dsd.attributes.get("SOURCE"))},
        )
        for area, breakdown, period, value, source in rows
    ])
    return data_set


def observations_of(content: bytes, structure, format: str) -> set[tuple]:
    flow = structure.dataflow["DF_ASEM_INDICATORS"]
    read = sdmx.read_sdmx(io.BytesIO(content), format=format,
                          structure=flow if format == "CSV" else flow.structure)
    return {
        (key["REF_AREA"], key["BREAKDOWN"], key["TIME_PERIOD"], float(o.value),
         o.attached_attribute["SOURCE"].value if "SOURCE" in o.attached_attribute else "")
        for data_set in read.data for o in data_set.obs
        for key in [{kv.id: str(kv.value) for kv in o.key}]
    }


def expected(rows) -> set[tuple]:
    return {(area, breakdown, period, float(value), source) for area, breakdown, period, value, source in rows}


def test_an_sdmx_csv_message_sdmx1_writes_from_the_structure_imports_and_exports_back_equal(
        published_structure, indicator, secretariat):
    table = sdmx.to_csv(data_set_from(published_structure, PUBLISHED), rtype=pd.DataFrame, attributes="o")
    content = table.to_csv(index=False).encode()

    result = import_observations(user=secretariat, indicator=indicator, content=content, dry_run=False)

    assert len(result.added) == 6
    assert Observation.objects.get(indicator=indicator, partner__code="DE", year=2024, breakdown="sex=female").value \
        == 700
    assert Observation.objects.get(indicator=indicator, partner=None, year=2024, breakdown="region=asia").source \
        == "Eurostat"
    anonymous = client_for()
    as_csv = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv")
    as_xml = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-ml")
    assert as_csv.status_code == as_xml.status_code == 200
    assert as_csv["Content-Type"] == "application/vnd.sdmx.data+csv;version=2.0.0"
    # Beside what was imported, ASEM's headline: the sum of the partners' values, which the portal makes itself.
    asem = {("ASEM", "_T", "2023", 1200.0, ""), ("ASEM", "_T", "2024", 1990.0, "")}
    assert observations_of(as_csv.content, published_structure, "CSV") == expected(PUBLISHED) | asem
    assert observations_of(as_xml.content, published_structure, "XML") == expected(PUBLISHED) | asem


def sdmx_ml(structure, data_set) -> bytes:
    header = sdmx_message.Header(id="DESTATIS-2026-07", sender=common.Agency(id="DESTATIS"))
    content = sdmx.to_xml(sdmx_message.DataMessage(header=header, data=[data_set],
                                                   dataflow=structure.dataflow["DF_ASEM_INDICATORS"]))
    if isinstance(data_set, model.GenericDataSet):
        # sdmx1 2.28 names every data message's root StructureSpecificData; a generic one's is GenericData.
        content = content.replace(b"mes:StructureSpecificData", b"mes:GenericData")
    return content


@pytest.mark.parametrize("data_set_class", [model.StructureSpecificDataSet, model.GenericDataSet])
def test_an_sdmx_ml_message_round_trips_too(published_structure, indicator, secretariat, data_set_class):
    content = sdmx_ml(published_structure, data_set_from(published_structure, PUBLISHED, data_set_class))

    import_observations(user=secretariat, indicator=indicator, content=content, dry_run=False)

    exported = client_for().get("/api/v1/indicators/1.1.x/sdmx/",
                                HTTP_ACCEPT="application/vnd.sdmx.structurespecificdata+xml;version=2.1")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
    asem = {("ASEM", "_T", "2023", 1200.0, ""), ("ASEM", "_T", "2024", 1990.0, "")}
    assert observations_of(exported.content, published_structure, "XML") == expected(PUBLISHED) | asem


def test_the_portals_own_export_imports_as_it_was(strategy, secretariat):
    from objectives.models import Priority

    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.y", kind="count")
    Observation.objects.create(indicator=indicator, partner=None, year=2022, value=15.0, source="Ministry")
    Observation.objects.create(indicator=indicator, partner=None, year=2022, value=9.0, breakdown="region=asia",
                               source="Ministry")
    exported = client_for().get("/api/v1/indicators/1.1.y/sdmx/?format=sdmx-csv").content
    Observation.objects.filter(indicator=indicator).delete()

    result = import_observations(user=secretariat, indicator=indicator, content=exported, dry_run=False)

    assert len(result.added) == 2
    observations = Indicator.objects.get(pk=indicator.pk).observations
    assert set(observations.values_list("year", "breakdown", "value", "source")) == {
        (2022, "", 15.0, "Ministry"), (2022, "region=asia", 9.0, "Ministry")}
