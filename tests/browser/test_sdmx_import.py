"""Sam imports an SDMX file from an indicator's admin page, on a desktop and on a phone: the form and the list of
what would change fit the screen and pass the accessibility checks."""

import pytest

from objectives.models import Indicator
from tests.browser.fixtures import PHONE, look_at, sign_in

pytestmark = pytest.mark.browser

MESSAGE = ("STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,BREAKDOWN,TIME_PERIOD,OBS_VALUE,SOURCE\r\n"
           "dataflow,ASEM_EDU:DF_ASEM_INDICATORS(1.0),I,1_1_a,ASEM,_T,2030,1,A statistics office's release\r\n")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_sam_checks_an_sdmx_file_then_applies_it(new_tab, portal_data, secretariat, tmp_path, viewport):
    indicator = Indicator.objects.get(code="1.1.a")
    indicator.aggregation = Indicator.Aggregation.ASEM
    indicator.save()
    file = tmp_path / "release.csv"
    file.write_text(MESSAGE)
    tab = new_tab(PHONE) if viewport == "phone" else new_tab()
    page = tab.page
    sign_in(page, secretariat)

    page.goto(f"/admin/objectives/indicator/{indicator.pk}/change/")
    page.get_by_role("link", name="Import SDMX").click()
    look_at(tab, f"sdmx-import-form-{viewport}")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.set_input_files("#id_file", str(file))
    page.get_by_role("button", name="Check what it would change").click()

    assert "Applying it adds 1 observations" in page.content()
    look_at(tab, f"sdmx-import-changes-{viewport}")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.get_by_role("button", name="Apply these changes").click()
    assert indicator.observations.get(year=2030).source == "A statistics office's release"
