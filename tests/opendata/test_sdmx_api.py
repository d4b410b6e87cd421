"""The SDMX reads of the API: the published structure, an indicator's observations and the mobility totals."""

import io

import pandas as pd
import pytest
import sdmx
from django.db import connection

from objectives.models import Observation, Priority
from tests import factories
from tests.api.conftest import client_for

CSV = "application/vnd.sdmx.data+csv;version=2.0.0"
SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"


@pytest.fixture
def anonymous():
    return client_for()


@pytest.fixture
def indicator(strategy, partner_de):
    indicator = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.x", kind="count",
                                           aggregation="sum", unit="participants", data_source="Ministries")
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2023, value=40, source="Destatis")
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2023, value=25, breakdown="sex=female")
    Observation.objects.create(indicator=indicator, partner=None, year=2023, value=40, is_computed=True, coverage=1)
    return indicator


def read(content: bytes, format: str = "XML", structure=None):
    return sdmx.read_sdmx(io.BytesIO(content), format=format, structure=structure)


def rows(message) -> list[dict]:
    return sorted(({**{kv.id: str(kv.value) for kv in o.key}, "OBS_VALUE": str(o.value),
                    **{name: str(value.value) for name, value in o.attached_attribute.items()}}
                   for data_set in message.data for o in data_set.obs), key=lambda row: sorted(row.items()))


def test_the_structure_is_an_sdmx_ml_message_naming_every_indicator_partner_and_breakdown(anonymous, indicator,
                                                                                          django_assert_num_queries):
    # Expect 3 queries: the indicators, the partners, the breakdowns observations hold
    with django_assert_num_queries(3):
        response = anonymous.get("/api/v1/sdmx/structure/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.sdmx.structure+xml;version=2.1"
    structure = read(response.content)
    assert set(structure.dataflow) == {"DF_ASEM_INDICATORS", "DF_ASEM_MOBILITY"}
    dsd = structure.structure["DSD_ASEM_INDICATORS"]
    assert [d.id for d in dsd.dimensions] == ["INDICATOR", "REF_AREA", "BREAKDOWN", "TIME_PERIOD"]
    assert {a.id for a in dsd.attributes} == {"UNIT_MEASURE", "COVERAGE", "SOURCE", "DEMO"}
    assert "1_1_x" in structure.codelist["CL_INDICATOR"]
    assert {"ASEM", "DE"} <= set(structure.codelist["CL_AREA"].items)
    assert {"_T", "SEX-FEMALE", "REGION-ASIA"} <= set(structure.codelist["CL_BREAKDOWN"].items)
    mobility = structure.structure["DSD_ASEM_MOBILITY"]
    assert [d.id for d in mobility.dimensions] == ["DIRECTION", "MODE", "LEVEL", "STATISTIC", "TIME_PERIOD"]


@pytest.mark.parametrize("asked, media_type", [
    ({}, SPECIFIC), ({"format": "sdmx-ml"}, SPECIFIC), ({"format": "sdmx-csv"}, CSV),
    ({"HTTP_ACCEPT": CSV}, CSV), ({"HTTP_ACCEPT": "application/vnd.sdmx.data+csv"}, CSV),
    ({"HTTP_ACCEPT": SPECIFIC}, SPECIFIC), ({"HTTP_ACCEPT": "application/xml"}, "application/xml"),
])
def test_an_indicator_comes_in_the_format_asked_for(anonymous, indicator, asked, media_type):
    query = {key: value for key, value in asked.items() if key == "format"}
    headers = {key: value for key, value in asked.items() if key != "format"}

    response = anonymous.get("/api/v1/indicators/1.1.x/sdmx/", query, **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == media_type


def test_an_indicators_message_holds_asems_and_each_partners_values_with_their_attributes(anonymous, indicator):
    structure = read(anonymous.get("/api/v1/sdmx/structure/").content)

    message = read(anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv").content, "CSV",
                   structure.dataflow["DF_ASEM_INDICATORS"])

    found = sorted(({k: v for k, v in row.items() if v} for row in rows(message)),
                   key=lambda row: (row["REF_AREA"], row["BREAKDOWN"]))
    assert found == [
        {"INDICATOR": "1_1_x", "REF_AREA": "ASEM", "BREAKDOWN": "_T", "TIME_PERIOD": "2023", "OBS_VALUE": "40",
         "UNIT_MEASURE": "participants", "COVERAGE": "1", "SOURCE": "Ministries"},
        {"INDICATOR": "1_1_x", "REF_AREA": "DE", "BREAKDOWN": "SEX-FEMALE", "TIME_PERIOD": "2023", "OBS_VALUE": "25",
         "UNIT_MEASURE": "participants", "SOURCE": "Ministries"},
        {"INDICATOR": "1_1_x", "REF_AREA": "DE", "BREAKDOWN": "_T", "TIME_PERIOD": "2023", "OBS_VALUE": "40",
         "UNIT_MEASURE": "participants", "SOURCE": "Destatis"},
    ]


def test_an_indicators_message_costs_the_same_few_queries_however_many_observations(anonymous, indicator,
                                                                                    django_assert_num_queries):
    # Expect 2 queries: the indicator, then its observations with their partners' codes (SDMX-CSV is written
    # without the structure)
    with django_assert_num_queries(2):
        anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv")
    for year in range(2000, 2020):
        Observation.objects.create(indicator=indicator, partner=indicator.observations.first().partner, year=year,
                                   value=year)
    with django_assert_num_queries(2):
        response = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv")
    assert response.content.count(b"\r\n") == 24
    # Expect 5 queries: the indicator, its observations, then the structure's three (indicators, partners,
    # breakdowns) that sdmx1's SDMX-ML is built on
    with django_assert_num_queries(5):
        response = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-ml")
    assert response.content.count(b"<Obs ") == 23


def sdmx1_csv(message) -> bytes:
    """A data message as sdmx1 writes SDMX-CSV, whole numbers as SDMX-ML writes them (40, not 40.0)."""
    table = sdmx.to_csv(message.data[0], rtype=pd.DataFrame, attributes="o")
    table["OBS_VALUE"] = table["OBS_VALUE"].map(lambda value: "" if pd.isna(value) else str(
        int(float(value)) if float(value).is_integer() else float(value)))
    return table.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def test_the_sdmx_csv_is_character_for_character_what_sdmx1_writes(anonymous, indicator, flows, partner_de):
    from opendata import sdmx as portal_sdmx

    Observation.objects.create(indicator=indicator, partner=partner_de, year=2024, value=12.5,
                               source='Destatis, "revised"')

    for path, table in [("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv", portal_sdmx.indicator_table(indicator)),
                        ("/api/v1/mobility/sdmx/?format=sdmx-csv", portal_sdmx.mobility_table())]:
        assert anonymous.get(path).content == sdmx1_csv(portal_sdmx.table_message(table))
    assert b',12.5,participants,,"Destatis, ""revised""",\r\n' in anonymous.get(
        "/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv").content


def test_a_message_unchanged_since_it_was_read_is_not_sent_again(anonymous, indicator):
    first = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv")

    again = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    Observation.objects.filter(indicator=indicator, partner__isnull=False, breakdown="").update(value=41)
    assert anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv",
                         HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_an_unknown_format_is_a_400_naming_format_and_an_unknown_indicator_a_404(anonymous, indicator):
    response = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=xlsx")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == "format"
    missing = anonymous.get("/api/v1/indicators/9.9.z/sdmx/?format=sdmx-csv")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No indicator has this code."


def test_demonstration_values_say_so_in_the_message_and_real_ones_never_do(anonymous, indicator):
    real = anonymous.get("/api/v1/indicators/1.1.x/sdmx/").content
    indicator.is_demo = True
    indicator.save()

    demo = anonymous.get("/api/v1/indicators/1.1.x/sdmx/").content

    assert b"DEMO=" not in real and b"demonstration" not in real
    assert demo.count(b'DEMO="true"') == 3
    assert b"Synthetic demonstration data" in demo


@pytest.fixture
def flows(partner_de, partner_th):
    factories.MobilityFlowFactory(year=2024, origin=partner_th, destination=partner_de, participants=100, female=60,
                                  fewer_opportunities=None, is_public=True)
    factories.MobilityFlowFactory(year=2024, origin=partner_th, destination=partner_de, participants=20, female=5,
                                  fewer_opportunities=2, is_public=True)
    # The origin's own report of a route the host reported too: not the public figure.
    factories.MobilityFlowFactory(year=2024, origin=partner_th, destination=partner_de, participants=999,
                                  reported_by=partner_th, is_public=False)


def sums(message) -> dict:
    return {(row["DIRECTION"], row["MODE"], row["LEVEL"], row["STATISTIC"], row["TIME_PERIOD"]): row["OBS_VALUE"]
            for row in rows(message)}


def test_the_mobility_totals_sum_the_public_flows_only(anonymous, flows, django_assert_num_queries):
    structure = read(anonymous.get("/api/v1/sdmx/structure/").content)

    # Expect 3 queries: whether the kept totals are current, the sums, the demo flows' groups
    with django_assert_num_queries(3):
        response = anonymous.get("/api/v1/mobility/sdmx/?format=sdmx-csv")

    assert response.status_code == 200
    message = read(response.content, "CSV", structure.dataflow["DF_ASEM_MOBILITY"])
    assert sums(message) == {
        ("ASIA_TO_EUROPE", "PHYSICAL", "HIGHER_EDUCATION", "PARTICIPANTS", "2024"): "120",
        ("ASIA_TO_EUROPE", "PHYSICAL", "HIGHER_EDUCATION", "FEMALE", "2024"): "65",
        ("ASIA_TO_EUROPE", "PHYSICAL", "HIGHER_EDUCATION", "FEWER_OPPORTUNITIES", "2024"): "2",
    }
    assert b"DEMO" not in response.content.splitlines()[1]


def test_the_kept_totals_give_the_same_message_as_the_flows(anonymous, flows, partner_de, partner_th):
    from mobility import selectors, totals

    factories.MobilityFlowFactory(year=2025, origin=partner_de, destination=partner_th, is_demo=True, is_public=True)
    flow = read(anonymous.get("/api/v1/sdmx/structure/").content).dataflow["DF_ASEM_MOBILITY"]
    summed = anonymous.get("/api/v1/mobility/sdmx/?format=sdmx-csv").content

    totals.rebuild()

    assert selectors.totals_current()
    kept = anonymous.get("/api/v1/mobility/sdmx/?format=sdmx-csv").content
    assert rows(read(kept, "CSV", flow)) == rows(read(summed, "CSV", flow))
    assert kept.count(b",true\r\n") == 3


def test_mobility_totals_with_demonstration_flows_say_so(anonymous, flows, partner_de, partner_th):
    factories.MobilityFlowFactory(year=2025, origin=partner_de, destination=partner_th, is_demo=True, is_public=True)

    response = anonymous.get("/api/v1/mobility/sdmx/")

    assert response.status_code == 200
    assert response.content.count(b'DEMO="true"') == 3  # 2025's three statistics, not 2024's
    assert b"Synthetic demonstration data" in response.content


def test_no_sdmx_read_touches_the_database_to_write(anonymous, indicator, flows):
    before = Observation.objects.count()
    with connection.execute_wrapper(lambda execute, sql, *args: (
            pytest.fail(f"wrote: {sql}") if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            else execute(sql, *args))):
        for url in ("/api/v1/sdmx/structure/", "/api/v1/indicators/1.1.x/sdmx/", "/api/v1/mobility/sdmx/"):
            assert anonymous.get(url).status_code == 200
    assert Observation.objects.count() == before
