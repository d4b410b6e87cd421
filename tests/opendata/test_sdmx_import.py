"""Importing an SDMX data message into an indicator's observations: the service's checks and the API's write."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection

from core import changes
from objectives.models import Indicator, Observation, Priority
from opendata.sdmx import SdmxFileInvalid, import_observations
from tests import factories
from tests.api.conftest import client_for

HEADER = "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE,SOURCE\r\n"


def message(*rows: str, indicator: str = "1_1_x") -> bytes:
    """An SDMX-CSV 2.0.0 message of the rows: REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE,SOURCE each."""
    return (HEADER + "".join(f"dataflow,ASEM_EDU:DF_ASEM_INDICATORS(1.0),I,{indicator},{row}\r\n" for row in rows)) \
        .encode()


@pytest.fixture
def indicator(strategy, partner_de, partner_th):
    return factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.x", kind="count",
                                      aggregation="sum", unit="participants")


@pytest.fixture
def asem_indicator(strategy):
    return factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.y", kind="percentage",
                                      unit="%")


def ours():
    """The observations of this file's indicators (the strategy ships others)."""
    return Observation.objects.filter(indicator__code__in=["1.1.x", "1.1.y"])


def snapshot() -> set[tuple]:
    return set(ours().values_list("indicator__code", "partner__code", "breakdown", "year", "value",
                                               "source"))


# The service ----------------------------------------------------------------------------------------------------


def test_a_dry_run_lists_what_would_change_and_writes_nothing(indicator, partner_de, secretariat):
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2023, value=40, source="Destatis")
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2024, value=50, source="Destatis")
    before = snapshot()

    result = import_observations(user=secretariat, indicator=indicator, dry_run=True, content=message(
        "DE,_T,2023,40,Destatis", "DE,_T,2024,55,Destatis", "TH,_T,2024,30,NSO Thailand"))

    assert snapshot() == before
    assert [(c.ref_area, c.year, c.value) for c in result.added] == [("TH", 2024, 30)]
    assert [(c.ref_area, c.year, c.old_value, c.value) for c in result.changed] == [("DE", 2024, 50, 55)]
    assert [(c.ref_area, c.year) for c in result.unchanged] == [("DE", 2023)]
    assert "1 observations added, 1 changed, 1 unchanged (a dry run: nothing was written)" in str(result)


def test_an_import_writes_every_change_keeps_each_source_and_makes_the_asem_value_again(
        indicator, partner_de, secretariat, django_capture_on_commit_callbacks):
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2024, value=50, source="Destatis")
    # The setting up announced its changes for when the test's own transaction commits, which it never does: let
    # them go, so what the import announces is what is seen.
    connection.run_on_commit.clear()
    generation = changes.generation()

    with django_capture_on_commit_callbacks(execute=True):
        import_observations(user=secretariat, indicator=indicator, dry_run=False, content=message(
            "DE,_T,2024,55,Destatis 2026", "TH,_T,2024,30,NSO Thailand"))

    assert set(ours().filter(partner__isnull=False).values_list("partner__code", "value", "source")) \
        == {("DE", 55, "Destatis 2026"), ("TH", 30, "NSO Thailand")}
    asem = Observation.objects.get(indicator=indicator, partner=None, year=2024, breakdown="")
    assert (asem.value, asem.coverage, asem.is_computed) == (85, 2, True)
    assert changes.generation() != generation  # what was cached of the old values is dropped
    history = ours().get(partner=partner_de).history.first()
    assert history.history_user == secretariat


def test_the_source_given_wins_and_without_any_the_headers_sender_and_id_are_the_source(asem_indicator,
                                                                                          secretariat):
    given = b"STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE\r\n" \
        b"dataflow,ASEM_EDU:DF_ASEM_INDICATORS(1.0),I,1_1_y,ASEM,_T,2024,41.5\r\n"
    import_observations(user=secretariat, indicator=asem_indicator, dry_run=False, content=given,
                        source="UIS, September 2026 release")
    assert Observation.objects.get(indicator=asem_indicator).source == "UIS, September 2026 release"

    xml = (b'<?xml version="1.0"?><mes:StructureSpecificData '
           b'xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
           b'xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">'
           b'<mes:Header><mes:ID>UIS-2026-09</mes:ID><mes:Test>false</mes:Test>'
           b'<mes:Prepared>2026-09-01T00:00:00</mes:Prepared><mes:Sender id="UIS"/>'
           b'<mes:Structure structureID="DSD_ASEM_INDICATORS" dimensionAtObservation="AllDimensions"><com:Structure>'
           b'<URN>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructureDefinition=ASEM_EDU:DSD_ASEM_INDICATORS(1.0)'
           b'</URN></com:Structure></mes:Structure></mes:Header>'
           b'<mes:DataSet structureRef="DSD_ASEM_INDICATORS">'
           b'<Obs INDICATOR="1_1_y" REF_AREA="ASEM" BREAKDOWN="_T" TIME_PERIOD="2025" OBS_VALUE="43"/>'
           b'</mes:DataSet></mes:StructureSpecificData>')
    import_observations(user=secretariat, indicator=asem_indicator, dry_run=False, content=xml)
    assert Observation.objects.get(indicator=asem_indicator, year=2025).source == "UIS, message UIS-2026-09"


def check(indicator, secretariat, content: bytes) -> list[str]:
    with pytest.raises(SdmxFileInvalid) as refused:
        import_observations(user=secretariat, indicator=indicator, dry_run=True, content=content)
    return refused.value.messages


@pytest.mark.parametrize("row, problem", [
    ("XX,_T,2024,10,Office", "1_1_x.XX._T 2024: REF_AREA XX is neither ASEM nor the code of an ASEM partner."),
    ("DE,_T,2024-Q1,10,Office", "1_1_x.DE._T 2024-Q1: TIME_PERIOD 2024-Q1 is not a year."),
    ("DE,_T,1900,10,Office", "1_1_x.DE._T 1900: the year 1900 is outside 1990 to 2100."),
    ("DE,_T,2024,NaN,Office", "1_1_x.DE._T 2024: OBS_VALUE 'NaN' is not a finite number."),
    ("DE,_T,2024,ten,Office", "1_1_x.DE._T 2024: OBS_VALUE 'ten' is not a finite number."),
    ("DE,_T,2024,10.5,Office", "1_1_x.DE._T 2024: 1.1.x is a count of participants: 10.5 is not a whole number."),
    ("DE,REGION,2024,10,Office", "1_1_x.DE.REGION 2024: BREAKDOWN REGION is neither _T nor a breakdown KEY-VALUE "
                                 "such as REGION-ASIA."),
])
def test_each_bad_observation_is_named_with_what_is_wrong_and_nothing_is_written(indicator, secretariat, row,
                                                                                  problem):
    assert check(indicator, secretariat, message("TH,_T,2024,30,NSO", row)) == [problem]
    assert not ours().exists()


def test_a_message_of_another_indicator_is_refused(indicator, secretariat):
    assert check(indicator, secretariat, message("DE,_T,2024,10,Office", indicator="1_1_a")) == [
        "1_1_a.DE._T 2024: INDICATOR 1_1_a is not 1_1_x, the indicator being imported."]


def test_an_observation_given_twice_is_refused(indicator, secretariat):
    assert check(indicator, secretariat, message("DE,_T,2024,10,A", "DE,_T,2024,11,B")) == [
        "1_1_x.DE _T 2024: the message gives this observation more than once."]


def test_a_counts_parts_must_add_up_to_its_total_with_what_is_there(indicator, partner_de, secretariat):
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2024, value=50)

    problems = check(indicator, secretariat, message("DE,SEX-FEMALE,2024,60,Office"))

    assert problems == ["1_1_x.DE 2024: The parts by sex of 2024 add up to 60 participants, more than the total of "
                        "50: the parts of a count cannot exceed its total."]


def test_a_partners_value_of_an_indicator_measured_for_asem_as_a_whole_is_refused(asem_indicator, secretariat,
                                                                                   partner_de):
    problems = check(asem_indicator, secretariat, message("DE,_T,2024,41.5,Office", indicator="1_1_y"))

    assert problems == ["1_1_y.DE _T 2024: 1.1.y is measured for ASEM as a whole: partners do not report it, so its "
                        "observations name no partner."]


def test_asems_value_of_an_indicator_partners_report_is_theirs_to_make_and_skipped(indicator, secretariat):
    result = import_observations(user=secretariat, indicator=indicator, dry_run=False,
                                 content=message("ASEM,_T,2024,999,Office", "DE,_T,2024,10,Office"))

    assert result.skipped == ["ASEM _T 2024: the ASEM value of 1.1.x is made from the partners' values, not imported."]
    assert Observation.objects.get(indicator=indicator, partner=None).value == 10


@pytest.mark.parametrize("content, problem", [
    (b"", "The file is empty."),
    (b"<mes:Data", "The file is not well-formed XML"),
    (b"just,some\r\ncsv,text\r\n", "The file is not an SDMX-CSV 2.0.0 data message sdmx1 can read"),
    (b"\xff\xfe\x00bin", "The file is neither SDMX-ML (XML) nor SDMX-CSV text in UTF-8."),
    (HEADER.encode(), "The message holds no observations."),
    (b'<?xml version="1.0"?><mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
     b'<mes:Header><mes:ID>S</mes:ID><mes:Test>false</mes:Test><mes:Prepared>2026-01-01T00:00:00</mes:Prepared>'
     b'<mes:Sender id="X"/></mes:Header></mes:Structure>', "not a data message"),
])
def test_a_file_that_is_no_data_message_is_refused_saying_why(indicator, secretariat, content, problem):
    assert problem in check(indicator, secretariat, content)[0]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<mes:GenericData xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"><mes:Header>
<mes:ID>&lol4;</mes:ID></mes:Header></mes:GenericData>"""


def test_an_xml_bomb_and_an_external_entity_are_refused_without_being_expanded(indicator, secretariat, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the server's secret")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<mes:GenericData xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"><mes:Header>'
           '<mes:ID>&x;</mes:ID></mes:Header></mes:GenericData>').encode()

    for content in (BOMB, xxe):
        problems = check(indicator, secretariat, content)
        assert problems[0].startswith("The XML declares a document type (<!DOCTYPE>)")
        assert "lollol" not in problems[0] and "secret" not in problems[0]


def test_a_file_over_the_upload_limit_is_refused(indicator, secretariat, settings):
    settings.MAX_UPLOAD_BYTES = 100

    assert check(indicator, secretariat, message("DE,_T,2024,10,Office", "TH,_T,2024,10,Office")) == [
        "The file is larger than 100 bytes, the most an import takes."]


@pytest.mark.parametrize("who", [None, "alice", "bob"])
def test_only_the_secretariat_imports(indicator, request, who):
    user = request.getfixturevalue(who) if who else AnonymousUser()

    with pytest.raises(PermissionDenied):
        import_observations(user=user, indicator=indicator, dry_run=False, content=message("DE,_T,2024,10,Office"))
    assert not ours().exists()


# The API --------------------------------------------------------------------------------------------------------

URL = "/api/v1/indicators/1.1.x/sdmx/import/"


def upload(client, content: bytes, query: str = "", **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{URL}{query}", {"file": SimpleUploadedFile("values.csv", content), **data},
                       format="multipart")


@pytest.mark.parametrize("who, status", [(None, 401), ("alice", 403), ("bob", 403)])
def test_the_api_refuses_an_import_to_all_but_the_secretariat_and_writes_nothing(indicator, request, who, status):
    client = client_for(request.getfixturevalue(who) if who else None)

    response = upload(client, message("DE,_T,2024,10,Office"))

    assert response.status_code == status
    assert not ours().exists()


def test_the_secretariat_imports_through_the_api_and_reads_every_change(indicator, secretariat, partner_de):
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2024, value=50, source="Destatis")

    response = upload(client_for(secretariat), message("DE,_T,2024,55,Destatis", "TH,_T,2024,30,NSO"),
                      source="Statistics offices, 2026")

    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["added"], body["changed"], body["unchanged"]) == (False, 1, 1, 0)
    assert {"action": "changed", "ref_area": "DE", "breakdown": "", "year": 2024, "value": 55.0, "old_value": 50.0,
            "source": "Statistics offices, 2026", "old_source": "Destatis"} in body["changes"]
    assert ours().get(partner=partner_de).value == 55


def test_a_dry_run_through_the_api_writes_nothing(indicator, secretariat):
    response = upload(client_for(secretariat), message("DE,_T,2024,10,Office"), "?dry_run=true")

    assert response.status_code == 200
    assert (response.json()["dry_run"], response.json()["added"]) == (True, 1)
    assert not ours().exists()


def test_the_message_can_come_as_text_in_json(indicator, secretariat):
    response = client_for(secretariat).post(URL, {"content": message("DE,_T,2024,10,Office").decode(),
                                                  "source": "Destatis"}, format="json")

    assert response.status_code == 200
    assert ours().get(partner__code="DE").source == "Destatis"


def test_bad_input_is_a_400_naming_the_file_and_the_observation(indicator, secretariat):
    response = upload(client_for(secretariat), message("DE,_T,2024,10.5,Office"))

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "file"
    assert error["message"].startswith("1_1_x.DE._T 2024:")
    assert not ours().exists()


@pytest.mark.parametrize("send, field", [
    (lambda c: upload(c, BOMB), "file"), (lambda c: upload(c, b"<mes:Data"), "file"),
    (lambda c: upload(c, message("DE,_T,2024,10,Office"), "?dry_run=perhaps"), "dry_run"),
    (lambda c: c.post(URL, {"source": "x"}, format="json"), "content"),
    (lambda c: c.post(URL, {"source": "x"}, format="multipart"), "file"),
])
def test_malformed_input_is_a_400_never_a_500(indicator, secretariat, send, field):
    response = send(client_for(secretariat))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_a_file_over_the_limit_is_a_413(indicator, secretariat, settings):
    settings.MAX_UPLOAD_BYTES = 100

    response = upload(client_for(secretariat), message("DE,_T,2024,10,Office", "TH,_T,2024,10,Office"))

    assert response.status_code == 413
    assert not ours().exists()


def test_an_unknown_indicator_is_a_404(indicator, secretariat):
    response = client_for(secretariat).post("/api/v1/indicators/9.9.z/sdmx/import/",
                                            {"content": "x"}, format="json")

    assert response.status_code == 404


def test_how_to_import_is_described_to_anyone(indicator):
    response = client_for().get(URL)

    assert response.status_code == 200
    assert response.json()["structure"] == "http://testserver/api/v1/sdmx/structure/"
    assert response.json()["dataflow"] == "DF_ASEM_INDICATORS"


def test_the_next_export_shows_what_was_imported(indicator, secretariat):
    anonymous = client_for()
    first = anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv")
    assert b",DE," not in first.content

    upload(client_for(secretariat), message("DE,_T,2024,10,Office"))

    assert b",DE,_T,2024,10," in anonymous.get("/api/v1/indicators/1.1.x/sdmx/?format=sdmx-csv").content
    assert Indicator.objects.get(code="1.1.x").observations.count() == 2  # Germany's, and ASEM's made from it
