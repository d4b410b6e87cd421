"""The report's use of the reporting round: the partners' values, what the ASEM value rests on, what they said.

The round (tests/reports/conftest.py, build_round) covers 2024 to 2026; the report below is for 2024 to 2025.
Worked by hand from its returns, counting only approved values (France's and Italy's from before the round,
Germany's and Japan's approved in it; Thailand's submitted 100 and Korea's draft 200 count nowhere):

- 2.2.p, a sum: 2024 is Germany 10 + France 7 + Italy 3 = 20, on 3 partners; 2025 is Germany 12 + France 8 +
  Japan 5 = 25, on 3.
- 3.3.p, a mean: 2024 is Italy's 50, on 1; 2025 is (Germany 70 + France 60) / 2 = 65, on 2.
- 2.1.p, a count of yes: 2024 is 0 (Italy said no), on 1; 2025 is 2 (Germany and France), on 2.
"""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.template import Context, Template, engines
from django.utils.html import escape
from rest_framework.test import APIClient

from reporting.models import Round
from reports.data import Period
from reports.exports import build_csv, build_xlsx
from reports.selectors import stocktaking_report
from reports.templatetags.report_tables import partner_value_rows
from tests.csv_files import without_licence
from tests.reports.conftest import ESCAPED_ANSWER, NEVER_SHOWN, build_round
from tests.reports.html import table

PERIOD = "from=2024&to=2025"
AS_DRAWN = Path(__file__).parent / "partner_value_rows_as_drawn.html"  # the loop the filter replaced
BANNER = 'class="demo-banner"'


def page(client, query=PERIOD) -> str:
    response = client.get(f"/reports/stocktaking/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_indicator_shows_its_asem_value_and_how_many_partners_it_rests_on(client, round_scenario):
    rows = table(page(client), "round-indicators")

    assert rows[0][2:] == ["2024", "2025"]
    by_code = {row[0].split()[0]: row[2:] for row in rows[1:]}
    assert by_code == {
        "2.1.p": ["0 rests on 1 of 53 partners", "2 rests on 2 of 53 partners"],
        "2.2.p": ["20 rests on 3 of 53 partners", "25 rests on 3 of 53 partners"],
        "3.3.p": ["50 rests on 1 of 53 partners", "65 rests on 2 of 53 partners"],
    }
    made_as = {row[0].split()[0]: row[1] for row in rows[1:]}
    assert made_as["2.2.p"] == "the sum of the partners' values"
    assert made_as["3.3.p"] == "the simple mean of the partners that reported"
    assert made_as["2.1.p"] == "how many partners report at least 1"


def test_the_partners_values_table_shows_each_partners_latest_approved_value_in_the_period(client, round_scenario):
    rows = table(page(client), "round-partner-values")

    assert rows[0] == ["Partner", "2.1.p", "2.2.p", "3.3.p"]
    assert rows[1:] == [
        ["France", "1 2025", "8 2025", "60 2025"],
        ["Germany", "1 2025", "12 2025", "70 2025"],
        ["Italy", "0 2024", "3 2024", "50 2024"],
        ["Japan", "–", "5 2025", "–"],
    ]


def test_the_partners_values_rows_are_written_as_the_template_loop_drew_them_and_escaped(client, round_scenario):
    rows = client.get(f"/reports/stocktaking/?{PERIOD}").context["report"].round.partner_rows
    rows[0].partner.name = "France <&> \"Co\""  # a name typed in the admin: escaped where it shows
    drawn = Template(AS_DRAWN.read_text(), engine=engines["django"].engine).render(Context({"rows": rows}))

    assert partner_value_rows(rows) == drawn
    assert "France &lt;&amp;&gt; &quot;Co&quot;" in drawn and '<td class="num">–</td>' in drawn


def test_it_says_who_has_reported(client, round_scenario):
    box = page(client).split('class="round-reported"')[1].split("</div>")[0]

    assert "2 of 53 partners' returns approved" in box
    assert ">Germany</a>, <a" in box and ">Japan</a>" in box
    for name in ("Thailand", "Korea", "France"):
        assert name not in box


def test_the_annex_quotes_each_approved_answer_by_question_escaped(client, round_scenario):
    text = page(client)
    annex = text.split('id="annex"')[1].split("</article>")[0]

    assert "Annex: What partners said" in annex
    first, second = annex.split('id="annex-question-1"')[1].split('id="annex-question-2"')
    assert "1. What were the highlights?" in first
    assert "We opened &lt;b&gt;12&lt;/b&gt; programmes &amp; more.<br>A second line." in first
    assert "<b>12</b>" not in text
    assert "Approved wording from Japan." in first
    assert first.index("Germany") < first.index("Japan")
    assert "2. What good practice would you share?" in second
    assert "Peer visits between colleges." in second and "Japan" not in second
    assert '<a href="#annex">' in text


def test_a_draft_a_submission_and_a_reworded_return_are_never_quoted(client, round_scenario):
    text = page(client)
    data = APIClient().get("/api/v1/reports/stocktaking/", {"from": 2024, "to": 2025}).content.decode()
    report = stocktaking_report(Period(2024, 2025))
    files = build_csv(report).decode("utf-8-sig") + str(list(_cells(build_xlsx(report))))

    for code, answer in NEVER_SHOWN.items():
        for where, content in (("page", text), ("api", data), ("files", files)):
            assert escape(answer) not in content and answer not in content, (code, where)


def test_the_files_and_the_api_hold_the_same_round_figures(round_scenario):
    report = stocktaking_report(Period(2024, 2025))

    blocks = _csv_blocks(build_csv(report))
    asem = {(row[0], row[4]): (row[5], row[6], row[7])
            for row in blocks["ASEM values from the partners' figures: Stocktaking 2027"][1:] if len(row) > 1}
    assert asem[("2.2.p", "2025")] == ("25", "3", "53")
    assert asem[("3.3.p", "2025")] == ("65", "2", "53")
    assert asem[("2.1.p", "2024")] == ("0", "1", "53")
    partners = blocks["Each partner's latest approved value in the period"]
    assert partners[0] == ["Partner code", "Partner", "Region", "2.1.p value", "2.1.p year", "2.2.p value",
                           "2.2.p year", "3.3.p value", "3.3.p year"]
    assert ["JP", "Japan", "Asia", "", "", "5", "2025", "", ""] in partners
    assert ["IT", "Italy", "Europe", "0", "2024", "3", "2024", "50", "2024"] in partners
    said = [row for row in blocks["What partners said: the answers of the approved returns"] if len(row) > 1]
    assert said[1:] == [["1", "What were the highlights?", "DE", "Germany", ESCAPED_ANSWER],
                        ["1", "What were the highlights?", "JP", "Japan", "Approved wording from Japan."],
                        ["2", "What good practice would you share?", "DE", "Germany", "Peer visits between colleges."]]

    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(report)))
    assert book.sheetnames[-3:] == ["Round", "Partner values", "What partners said"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert (summary["Reporting round"], summary["Partners' returns approved"]) == ("Stocktaking 2027", 2)

    data = APIClient().get("/api/v1/reports/stocktaking/", {"from": 2024, "to": 2025}).json()["round"]
    assert (data["name"], data["state"], data["returns"], data["partners"]) == ("Stocktaking 2027", "open", 53, 53)
    assert data["reported"] == ["DE", "JP"]
    by_code = {item["code"]: item for item in data["indicators"]}
    assert by_code["2.2.p"]["asem"] == [{"year": 2024, "value": 20.0, "coverage": 3},
                                        {"year": 2025, "value": 25.0, "coverage": 3}]
    assert {"partner": "IT", "year": 2024, "value": 50.0} in by_code["3.3.p"]["partners"]
    assert data["narratives"][0]["answers"] == [{"partner": "DE", "text": ESCAPED_ANSWER},
                                                {"partner": "JP", "text": "Approved wording from Japan."}]


def test_a_period_no_round_covers_has_no_round_section(client, round_scenario):
    text = page(client, "from=2021&to=2023")

    assert 'id="round"' not in text and 'id="annex"' not in text and 'href="#round"' not in text
    assert stocktaking_report(Period(2021, 2023)).round is None
    assert APIClient().get("/api/v1/reports/stocktaking/", {"from": 2021, "to": 2023}).json()["round"] is None


def test_a_round_being_prepared_is_not_shown(client, round_scenario):
    Round.objects.update(state=Round.State.DRAFT)

    assert 'id="round"' not in page(client)


def test_a_demo_round_shows_the_demo_banner(client, scenario, secretariat):
    build_round(secretariat, demo=True)

    text = page(client)

    assert BANNER in text
    notice = text.split('class="report-demo"')[1].split("</div>")[0]
    assert "the reporting round Stocktaking 2027" in notice
    assert stocktaking_report(Period(2024, 2025)).demo.round


def test_on_the_demo_data_the_report_shows_the_demo_round_and_its_coverage(client, demo_data):
    from objectives.models import Observation

    text = page(client)

    assert "Stocktaking 2027 (demo data)</a> asked the partners" in text
    asem = Observation.objects.get(indicator__code="2.2.a", partner=None, year=2025)
    row = next(row for row in table(text, "round-indicators")[1:] if row[0].startswith("2.2.a"))
    assert row[-1] == f"{asem.value:,.0f} rests on {asem.coverage} of 53 partners"
    assert asem.coverage < 53
    assert "Demo answer: " in text.split('id="annex"')[1]


@pytest.mark.parametrize("more", [0, 3])
def test_the_round_takes_the_same_number_of_queries_whatever_the_returns(client, scenario, secretariat,
                                                                        django_assert_num_queries, more):
    build_round(secretariat, more_approved=more)
    # Expect 31 queries on the page and 33 in the API: the report's own without a round (test_page.py,
    # test_api.py), and the round with its count of returns, its indicators, their observations in the period, its
    # questions, and its returns' approved versions
    with django_assert_num_queries(31):
        assert client.get(f"/reports/stocktaking/?{PERIOD}").status_code == 200
    with django_assert_num_queries(33):
        assert APIClient().get("/api/v1/reports/stocktaking/", {"from": 2024, "to": 2025}).status_code == 200


def _csv_blocks(content: bytes) -> dict[str, list[list[str]]]:
    blocks, title = {}, None
    for row in csv.reader(io.StringIO(without_licence(content.decode("utf-8-sig")))):
        if not row:
            title = None
        elif title is None:
            title = row[0].rsplit(", ", 1)[0]
            blocks[title] = []
        else:
            blocks[title].append(row)  # the header, the rows, and a notes' one cell each
    return blocks


def _cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from (value for value in row if value is not None)
