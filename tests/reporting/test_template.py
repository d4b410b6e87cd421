"""Germany's return as a file: the workbook and the CSV come pre-filled with what the return holds, and a filled
file read back gives its values, flows, answers and version, or every problem with its sheet, row and column."""

import io

import pytest
from openpyxl import load_workbook

from reporting import services as reporting
from reporting import template
from reporting.models import Answer, ReturnValue
from reporting.template import TemplateInvalid, build_csv, build_xlsx, read_filled
from tests.spreadsheets import with_huge_header_cell


@pytest.fixture
def filled_de_return(de_return, alice, reported_indicators):
    """Germany's draft as alice saved it twice: two values (one with a note), a flow to Thailand, then an answer."""
    reporting.save_return(report=de_return, user=alice, version=0, values={("2.2.p", 2024): 12, ("3.3.p", 2025): 61.5},
                          flows=[{"year": 2025, "origin": "DE", "destination": "TH", "mode": "physical",
                                  "level": "tvet", "participants": 40, "female": 18, "programme": "ASEM-DUO",
                                  "source": "Federal agency"}])
    reporting.save_return(report=de_return, user=alice, version=1, answers={1: "Two new TVET partnerships."})
    # Notes come with values prefilled from elsewhere: a return's own saves keep them and add none.
    ReturnValue.objects.filter(report=de_return, indicator__code="2.2.p").update(
        note="From the federal statistics office")
    return de_return


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def changed(report, **cells) -> bytes:
    """The return's workbook with some cells typed over: changed(report, Values__E2=5, Flows__A2=2019)."""
    workbook = workbook_of(build_xlsx(report))
    for where, value in cells.items():
        sheet, coordinate = where.split("__")
        workbook[sheet][coordinate] = value
    return saved(workbook)


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def problems(report, content: bytes, **kwargs) -> list[str]:
    with pytest.raises(TemplateInvalid) as caught:
        read_filled(report=report, file=content, **kwargs)
    return caught.value.messages


# Building ---------------------------------------------------------------------------------------------------------


def test_the_workbook_has_an_about_sheet_then_values_flows_and_answers(filled_de_return):
    workbook = workbook_of(build_xlsx(filled_de_return))

    assert workbook.sheetnames == ["About", "Values", "Flows", "Answers"]
    about = {row[0]: row[1] for row in rows_of(workbook["About"]) if row[0]}
    assert about["partner"] == "DE"
    assert about["round"] == "stocktaking-2027"
    assert about["deadline"] == filled_de_return.round.deadline.isoformat()
    assert about["version"] == 2
    assert about["licence"] == "CC BY 4.0"
    assert about["cite as"] == "ASEM Education Portal, ASEM Education Process."
    assert "Germany's return to Stocktaking 2027" in rows_of(workbook["About"])[0][0]


def test_the_values_sheet_has_a_row_for_each_indicator_and_year_with_the_returns_values(filled_de_return):
    rows = rows_of(workbook_of(build_xlsx(filled_de_return))["Values"])

    assert rows[0] == ["indicator", "indicator name", "unit", "year", "value", "note"]
    assert len(rows) == 1 + 3 * 3
    assert ["2.2.p", "TVET programmes co-designed with industry", "programmes", 2024, 12,
            "From the federal statistics office"] in rows
    assert ["3.3.p", "Adults with basic digital skills", "%", 2025, 61.5, None] in rows
    assert ["2.1.p", "Partners with a national lifelong learning strategy", "partners", 2026, None, None] in rows


def test_the_flows_and_answers_sheets_hold_the_returns_flows_and_the_rounds_questions(filled_de_return):
    workbook = workbook_of(build_xlsx(filled_de_return))

    assert rows_of(workbook["Flows"]) == [
        ["year", "origin", "destination", "mode", "level", "participants", "female", "fewer_opportunities",
         "programme", "source"],
        [2025, "DE", "TH", "physical", "tvet", 40, 18, None, "ASEM-DUO", "Federal agency"],
    ]
    assert rows_of(workbook["Answers"]) == [
        ["number", "question", "required", "answer"],
        [1, "What were the highlights?", "yes", "Two new TVET partnerships."],
        [2, "What good practice would you share?", "no", None],
    ]


def test_a_round_without_flows_gets_no_flows_sheet(filled_de_return):
    filled_de_return.round.includes_flows = False
    filled_de_return.round.save()

    assert workbook_of(build_xlsx(filled_de_return)).sheetnames == ["About", "Values", "Answers"]


def test_the_csv_is_the_values_table_alone_and_its_licence(filled_de_return):
    lines = build_csv(filled_de_return).decode().splitlines()

    assert lines[0] == "indicator,indicator name,unit,year,value,note"
    assert "2.2.p,TVET programmes co-designed with industry,programmes,2024,12,From the federal statistics office" \
        in lines
    assert len(lines) == 11
    assert lines[-1].startswith("# Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Cite as: ")


def test_text_a_spreadsheet_would_run_is_quoted_in_the_file_and_read_back_as_it_was(filled_de_return):
    ReturnValue.objects.filter(year=2024).update(note="=HYPERLINK(\"http://evil.example\")")
    Answer.objects.update(text="+more partnerships")

    content = build_xlsx(filled_de_return)
    workbook = workbook_of(content)

    assert workbook["Values"]["F5"].value == "'=HYPERLINK(\"http://evil.example\")"
    assert workbook["Values"]["F5"].data_type == "s"
    assert workbook["Answers"]["D2"].value == "'+more partnerships"
    assert "'=HYPERLINK" in build_csv(filled_de_return).decode()
    filled = read_filled(report=filled_de_return, file=content)
    assert filled.notes["2.2.p", 2024] == "=HYPERLINK(\"http://evil.example\")"
    assert filled.answers[1] == "+more partnerships"


# Reading back -----------------------------------------------------------------------------------------------------


def test_a_downloaded_workbook_reads_back_as_the_return_holds_it(filled_de_return):
    filled = read_filled(report=filled_de_return, file=build_xlsx(filled_de_return), filename="return.xlsx")

    assert filled.version == 2
    assert filled.values["2.2.p", 2024] == 12
    assert filled.values["3.3.p", 2025] == 61.5
    assert filled.values["2.1.p", 2026] is None
    assert len(filled.values) == 9
    assert filled.notes["2.2.p", 2024] == "From the federal statistics office"
    assert filled.flows == [{"year": 2025, "origin": "DE", "destination": "TH", "mode": "physical", "level": "tvet",
                             "programme": "ASEM-DUO", "participants": 40, "female": 18, "fewer_opportunities": None,
                             "source": "Federal agency"}]
    assert filled.answers == {1: "Two new TVET partnerships.", 2: ""}
    assert filled.counts() == (2, 1, 1)
    assert filled.notes_left_out == 0


def test_a_note_typed_in_the_file_is_counted_as_left_out(filled_de_return):
    filled = read_filled(report=filled_de_return, file=changed(filled_de_return, Values__F8="Survey of 2024",
                                                               Values__F5="From the federal statistics office"))

    assert filled.notes_left_out == 1


def test_a_csv_reads_back_its_values_and_takes_the_version_from_the_form(filled_de_return):
    filled = read_filled(report=filled_de_return, file=build_csv(filled_de_return), filename="return.csv",
                         version="2")

    assert filled.version == 2
    assert filled.values["2.2.p", 2024] == 12
    assert filled.flows is None
    assert filled.answers is None


def test_the_workbooks_version_counts_over_the_forms(filled_de_return):
    filled = read_filled(report=filled_de_return, file=build_xlsx(filled_de_return), version="7")

    assert filled.version == 2


def test_a_value_typed_with_a_decimal_comma_is_read_as_a_number(filled_de_return):
    filled = read_filled(report=filled_de_return, file=changed(filled_de_return, Values__E8="62,5"))

    assert filled.values["3.3.p", 2024] == 62.5


def test_a_workbook_without_a_flows_sheet_leaves_the_flows_as_they_are(filled_de_return):
    workbook = workbook_of(build_xlsx(filled_de_return))
    del workbook["Flows"]

    filled = read_filled(report=filled_de_return, file=saved(workbook))

    assert filled.flows is None


def test_an_emptied_flows_sheet_reports_no_flows(filled_de_return):
    workbook = workbook_of(build_xlsx(filled_de_return))
    workbook["Flows"].delete_rows(2)

    filled = read_filled(report=filled_de_return, file=saved(workbook))

    assert filled.flows == []


# Every kind of bad cell, named by sheet, row and column ------------------------------------------------------------


def test_a_bad_cell_is_named_by_its_sheet_row_and_column(filled_de_return):
    assert problems(filled_de_return, changed(filled_de_return, Values__E7="many")) == [
        "Values sheet, row 7, column E (value): 'many' is not a number: type the value in digits, such as 1250 "
        "or 42.5."]


def test_a_bad_cell_in_a_csv_is_named_by_its_row_and_column(filled_de_return):
    content = build_csv(filled_de_return).replace(b"2024,12,", b"2024,twelve,")

    assert problems(filled_de_return, content, filename="return.csv", version=2) == [
        "Row 5, column E (value): 'twelve' is not a number: type the value in digits, such as 1250 or 42.5."]


@pytest.mark.parametrize(("cells", "message"), [
    ({"Values__A2": "9.9.z"},
     "Values sheet, row 2, column A (indicator): '9.9.z' is not an indicator of Stocktaking 2027: use one of 2.1.p, "
     "2.2.p, 3.3.p."),
    ({"Values__D2": 2019},
     "Values sheet, row 2, column D (year): 2019 is outside Stocktaking 2027's years: use a year from 2024 to 2026."),
    ({"Values__D2": "last year"}, "Values sheet, row 2, column D (year): 'last year' is not a year."),
    ({"Values__E8": 101}, "Values sheet, row 8, column E (value): "),
    ({"Values__E5": -3}, "Values sheet, row 5, column E (value): "),
    ({"Values__E5": 2.5}, "Values sheet, row 5, column E (value): "),
    ({"Values__F5": "x" * 301}, "Values sheet, row 5, column F (note): the text is 301 characters long; at most 300."),
    ({"Values__D3": 2024},
     "Values sheet, row 3, column A (indicator): this row repeats row 2: 2.1.p has one value for 2024."),
    ({"Flows__B2": "XX"}, "Flows sheet, row 2, column B (origin): 'XX' is not an ASEM partner code"),
    ({"Flows__G2": 99}, "Flows sheet, row 2, column G (female): 99 female participants are more than the 40"),
    ({"Flows__F2": -1}, "Flows sheet, row 2, column F (participants): -1 is negative"),
    ({"Flows__B2": "JP"}, "Flows sheet, row 2: you may not report the flow JP to TH: you report for DE"),
    ({"Flows__A2": 2023},
     "Flows sheet, row 2, column A (year): 2023 is outside Stocktaking 2027's years: a flow in this return is for a "
     "year from 2024 to 2026."),
    ({"Answers__A3": 7},
     "Answers sheet, row 3, column A (number): '7' is not the number of one of Stocktaking 2027's questions: use 1, "
     "2."),
    ({"About__B6": "latest"}, "About sheet, row 6, column B (version): 'latest' is not a version"),
    ({"About__B2": "FR"},
     "About sheet, row 2, column B (partner): this file is the return of 'FR', not of Germany (DE)"),
    ({"Values__F1": "comment"}, "Values sheet, row 1, column F: 'comment' is not a column of the Values sheet"),
])
def test_every_kind_of_bad_cell_is_refused_saying_where_and_why(filled_de_return, cells, message):
    [problem] = problems(filled_de_return, changed(filled_de_return, **cells))

    assert problem.startswith(message)


@pytest.mark.parametrize(("value", "why"), [(101, "0 to 100"), (-3, "0"), (2.5, "whole")])
def test_a_share_above_100_and_a_count_below_0_or_not_whole_say_so(filled_de_return, value, why):
    # Row 8 is 3.3.p for 2024, a percentage; row 5 is 2.2.p for 2024, a count.
    cell = "Values__E8" if value == 101 else "Values__E5"

    [problem] = problems(filled_de_return, changed(filled_de_return, **{cell: value}))

    assert why in problem


def test_every_problem_in_a_file_is_listed_in_sheet_and_row_order(filled_de_return):
    content = changed(filled_de_return, Values__E2="n/a", Values__A4="0.0.x", Flows__C2="DE",
                      Answers__A2="one")

    messages = problems(filled_de_return, content)

    assert [message.split(":")[0] for message in messages] == [
        "Values sheet, row 2, column E (value)", "Values sheet, row 4, column A (indicator)",
        "Flows sheet, row 2, column C (destination)", "Answers sheet, row 2, column A (number)"]


def test_a_file_with_problems_made_from_an_older_version_says_that_too(filled_de_return):
    content = changed(filled_de_return, Values__E2="n/a")
    filled_de_return.version = 3
    filled_de_return.save()

    messages = problems(filled_de_return, content)

    assert messages[-1].startswith("About sheet, row 6, column B (version): the file was made from version 2 of "
                                   "the return, which has been saved since (it is at version 3)")


def test_a_clean_file_made_from_an_older_version_is_read_so_the_save_can_say_what_changed(filled_de_return):
    content = build_xlsx(filled_de_return)
    filled_de_return.version = 3
    filled_de_return.save()

    assert read_filled(report=filled_de_return, file=content).version == 2


def test_a_csv_without_the_forms_version_is_refused(filled_de_return):
    assert problems(filled_de_return, build_csv(filled_de_return), filename="return.csv") == [
        "The form did not say which version of the return the file was made from: reload the return's page and "
        "upload the file again."]


def test_a_mobility_flow_file_is_not_a_return(filled_de_return):
    from mobility.imports import template_xlsx

    assert problems(filled_de_return, template_xlsx(), version=2) == [
        "The workbook has none of a return's sheets (Values, Flows, Answers). Download the return's template, fill "
        "it in and upload that."]


def test_a_flows_sheet_in_a_round_without_flows_is_refused(filled_de_return):
    content = build_xlsx(filled_de_return)
    filled_de_return.round.includes_flows = False
    filled_de_return.round.save()

    assert problems(filled_de_return, content) == [
        "Flows sheet, row 2: Stocktaking 2027 does not ask for mobility flows: leave the Flows sheet empty."]


def test_a_sheet_missing_a_column_says_which(filled_de_return):
    workbook = workbook_of(build_xlsx(filled_de_return))
    workbook["Answers"].delete_cols(4)

    assert problems(filled_de_return, saved(workbook)) == [
        "Answers sheet, row 1: the Answers sheet lacks the columns answer. Its first row must name the columns: "
        "number, question, required, answer."]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty."),
    (b"PK\x03\x04 not really a zip", "The file is not a readable XLSX workbook"),
    (with_huge_header_cell(20), "no spreadsheet packs that tightly"),
])
def test_an_unreadable_file_is_refused_in_words(filled_de_return, content, message):
    [problem] = problems(filled_de_return, content, filename="return.xlsx")

    assert message in problem


def test_an_oversized_file_is_refused_before_it_is_read(filled_de_return, settings):
    settings.MAX_UPLOAD_BYTES = 1000

    [problem] = problems(filled_de_return, build_xlsx(filled_de_return))

    assert "more than the 1000 bytes an upload may be" in problem


def test_a_save_refused_by_the_services_rules_is_placed_back_in_the_file(filled_de_return):
    filled = read_filled(report=filled_de_return, file=build_xlsx(filled_de_return))

    located = filled.locate({"2.2.p/2024": ["Too high."], "flow/0/participants": ["Too many."],
                             "answer/1": ["Too short."], "__all__": ["Closed."]})

    assert [str(problem) for problem in located] == [
        "Values sheet, row 5, column E (value): Too high.", "Flows sheet, row 2, column F (participants): Too many.",
        "Answers sheet, row 2, column D (answer): Too short.", "Closed."]


def test_a_column_letter_runs_past_z():
    assert [template.column_letter(i) for i in (0, 4, 25, 26, 27, 701, 702)] == [
        "A", "E", "Z", "AA", "AB", "ZZ", "AAA"]
