"""The secretariat imports an SDMX message from an indicator's admin page: a dry run first, then exactly that file."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from objectives.models import Observation, Priority
from tests import factories

IMPORT = "/data/sdmx/import/1.1.x/"
HEADER = "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE,SOURCE\r\n"


def message(*rows: str) -> bytes:
    return (HEADER + "".join(f"dataflow,ASEM_EDU:DF_ASEM_INDICATORS(1.0),I,1_1_x,{row}\r\n" for row in rows)).encode()


@pytest.fixture
def indicator(strategy, partner_de, partner_th):
    return factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.x", kind="count",
                                      aggregation="sum", unit="participants")


def ours():
    return Observation.objects.filter(indicator__code="1.1.x")


def check(client, content: bytes, source: str = ""):
    return client.post(IMPORT, {"file": SimpleUploadedFile("values.csv", content), "source": source})


def confirm_fields(page: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(token|digest|source)" value="([^"]*)"', page))


@pytest.mark.parametrize("who", [None, "alice", "bob"])
def test_nobody_but_the_secretariat_reaches_the_import(who, request, client, indicator):
    if who:
        client.force_login(request.getfixturevalue(who))

    shown = client.get(IMPORT)
    posted = check(client, message("DE,_T,2024,10,Office"))

    assert shown.status_code == posted.status_code == 302
    assert posted["Location"].startswith("/admin/login/")
    assert not ours().exists()


def test_staff_outside_the_secretariat_are_refused(client, indicator):
    client.force_login(factories.UserFactory(username="sid", is_staff=True))

    assert client.get(IMPORT).status_code == 403
    assert check(client, message("DE,_T,2024,10,Office")).status_code == 403
    assert not ours().exists()


def test_the_indicators_page_links_to_the_import(client, indicator, secretariat):
    client.force_login(secretariat)

    page = client.get(f"/admin/objectives/indicator/{indicator.pk}/change/").content.decode()

    assert f'href="{IMPORT}"' in page and "Import SDMX" in page


def test_a_dry_run_lists_the_changes_and_applying_writes_exactly_that_file(client, indicator, secretariat,
                                                                           partner_de):
    Observation.objects.create(indicator=indicator, partner=partner_de, year=2024, value=50, source="Destatis")
    client.force_login(secretariat)

    checked = check(client, message("DE,_T,2024,55,Destatis", "TH,_T,2024,30,NSO"), source="Offices, 2026")

    assert checked.status_code == 200
    page = checked.content.decode()
    assert "Applying it adds 1 observations and changes 1; 0 stay as they are." in page
    assert re.search(r"<td>changed</td><td>DE</td><td>_T</td><td>2024</td><td>50.0</td><td>55.0</td>", page)
    assert ours().get(partner=partner_de).value == 50  # nothing written yet
    applied = client.post(IMPORT, confirm_fields(page))
    assert applied.status_code == 302
    assert applied["Location"] == f"/admin/objectives/indicator/{indicator.pk}/change/"
    assert set(ours().filter(partner__isnull=False).values_list("partner__code", "value", "source")) == {
        ("DE", 55, "Offices, 2026"), ("TH", 30, "Offices, 2026")}
    assert "Imported the SDMX message: 1.1.x: 1 observations added, 1 changed" in \
        client.get(applied["Location"]).content.decode()


def test_a_confirmation_naming_another_file_applies_nothing(client, indicator, secretariat):
    client.force_login(secretariat)
    fields = confirm_fields(check(client, message("DE,_T,2024,10,Office")).content.decode())

    refused = client.post(IMPORT, {**fields, "digest": "0" * 64})
    stale = client.post(IMPORT, {**fields, "token": "gone"})

    assert refused.status_code == stale.status_code == 400
    assert "The checked file is no longer kept: upload it again." in refused.content.decode()
    assert not ours().exists()


def test_each_problem_is_a_form_error_naming_the_observation(client, indicator, secretariat):
    client.force_login(secretariat)

    response = check(client, message("DE,_T,2024,10.5,Office", "XX,_T,2024,1,Office"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: the message has 2 problems." in page
    assert "1_1_x.DE._T 2024: 1.1.x is a count of participants: 10.5 is not a whole number." in page
    assert "1_1_x.XX._T 2024: REF_AREA XX is neither ASEM nor the code of an ASEM partner." in page
    assert not ours().exists()


def test_a_file_over_the_limit_is_a_form_error(client, indicator, secretariat, settings):
    settings.MAX_UPLOAD_BYTES = 100
    client.force_login(secretariat)

    response = check(client, message("DE,_T,2024,10,Office", "TH,_T,2024,10,Office"))

    assert response.status_code == 400
    assert "The file is larger than 100 bytes, the most an import takes." in response.content.decode()


# The command ----------------------------------------------------------------------------------------------------


def test_the_command_imports_as_a_secretariat_account_and_can_dry_run(indicator, secretariat, tmp_path, capsys):
    file = tmp_path / "values.csv"
    file.write_bytes(message("DE,_T,2024,10,Destatis"))

    call_command("import_sdmx", "1.1.x", str(file), "--user", "sam", "--dry-run")
    assert not ours().exists()
    call_command("import_sdmx", "1.1.x", str(file), "--user", "sam")

    output = capsys.readouterr().out
    assert "added: DE _T 2024: 10 (Destatis)" in output
    assert "1.1.x: 1 observations added, 0 changed, 0 unchanged (a dry run: nothing was written)" in output
    assert ours().get(partner__code="DE").value == 10


def test_the_command_refuses_an_account_outside_the_secretariat_and_a_bad_file(indicator, alice, secretariat,
                                                                                 tmp_path):
    file = tmp_path / "values.csv"
    file.write_bytes(message("DE,_T,2024,10.5,Destatis"))

    with pytest.raises(CommandError, match=re.escape("alice: Only the secretariat may import observations.")):
        call_command("import_sdmx", "1.1.x", str(file), "--user", "alice")
    with pytest.raises(CommandError, match=re.escape("10.5 is not a whole number")):
        call_command("import_sdmx", "1.1.x", str(file), "--user", "sam")
    assert not ours().exists()
