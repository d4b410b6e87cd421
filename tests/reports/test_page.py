"""/reports/stocktaking/: every section, numbers a reader can check, and a sensible page for any period."""

import pytest
from django.utils import timezone
from django.utils.html import escape

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner
from objectives.models import Objective, Observation
from tests.reports import expected
from tests.reports.conftest import build_scenario
from tests.reports.html import number, table, tables

SECTIONS = ["The period at a glance", "Progress toward 2030",
            "Where the strategy is carried out: objectives by instruments", "Balance between Asia and Europe",
            "Partner participation", "The activities of the period", "About the data"]
BANNER = 'class="demo-banner"'


def get(client, query=""):
    return client.get(f"/reports/stocktaking/{'?' + query if query else ''}")


@pytest.fixture
def demo(demo_data):
    """The real strategy and the demo data (tests/conftest.py)."""


def test_on_the_demo_data_the_2024_to_2025_report_shows_every_section_and_names_the_empty_cells(client, demo):
    response = get(client, "from=2024&to=2025")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Stocktaking report 2024–2025" in page
    for heading in SECTIONS:
        assert f"{heading}</h2>" in page, heading
        assert heading in page.split('class="toc"')[1].split("</nav>")[0], f"{heading} is in the contents"
    ids = expected.period_ids(2024, 2025)
    empty = [(o, i) for o in Objective.objects.order_by("number") for i in Instrument.objects.order_by("number")
             if expected.cell(ids, o.number, i.slug) == 0]
    assert empty, "the demo data leaves some objective and instrument without an activity in 2024 to 2025"
    listed = page.split('class="empty-cells"')[1].split("</div>")[0]
    assert f"{len(empty)} objectives and instruments with no activity" in listed
    for objective, instrument in empty:
        assert escape(f"Objective {objective.number}, {objective.title}, through {instrument.name}") in listed
    assert page.count('class="num cell-empty"') == len(empty)
    # Demo data is marked: the banner, the report's own notice, and a tag on each demo activity.
    assert BANNER in page
    assert "Part of this report is demonstration data." in page
    demo_activities = Activity.objects.filter(pk__in=ids, is_demo=True).count()
    assert f"<li>{demo_activities} activities</li>" in page.split('class="report-demo"')[1].split("</div>")[0]


def test_each_number_on_the_page_equals_a_plain_aggregate_query(client, scenario):
    page = get(client, "from=2024&to=2025").content.decode()
    ids = expected.period_ids(2024, 2025)
    instruments = list(Instrument.objects.order_by("number"))

    matrix = table(page, "coverage-matrix")
    assert [cell for cell in matrix[0][1:-1]] == [i.name for i in instruments]
    for row, objective in zip(matrix[1:5], Objective.objects.order_by("number"), strict=True):
        assert [number(cell) for cell in row[1:-1]] == [expected.cell(ids, objective.number, i.slug)
                                                        for i in instruments], objective.number
        assert number(row[-1]) == expected.objective_total(ids, objective.number)
    assert [number(cell) for cell in matrix[5][1:-1]] == [expected.instrument_total(ids, i.slug) for i in instruments]
    assert number(matrix[5][-1]) == expected.activities(ids)

    balance = table(page, "balance-table")
    for row, objective in zip(balance[1:], [1, 2, 3, 4, None], strict=True):
        figures, sides = expected.participants(ids, objective), expected.partners_by_side(ids, objective)
        assert [number(row[i]) for i in (1, 2, 3, 4, 6, 7)] == [
            figures["activities"], figures["reporting"], figures["asia"], figures["europe"], sides["asia"],
            sides["europe"]], objective

    mobility = table(page, "mobility-table")
    assert [row[0] for row in mobility[1:]] == ["2024", "2025", "2024–2025"]
    for row, year in zip(mobility[1:], [2024, 2025, None], strict=True):
        assert [number(cell) for cell in row[1:5]] == list(expected.mobility(2024, 2025, year).values()), year

    partner_rows = [row for found in tables(page, "partner-table") for row in found[1:]]
    assert len(partner_rows) == Partner.objects.count() == 53
    names = {p.name: p.code for p in Partner.objects.all()}
    for row in partner_rows:
        code = names[row[0].removesuffix(" no activity")]
        assert [number(cell) for cell in row[1:]] == [
            expected.led(ids, code), expected.joined(ids, code),
            expected.led(ids, code) + expected.joined(ids, code)], code

    glance = page.split('id="summary"')[1].split("</section>")[0]
    assert f"<dd>{expected.activities(ids)}</dd>" in glance


def test_every_partner_without_an_activity_is_named(client, scenario):
    page = get(client, "from=2024&to=2025").content.decode()
    ids = expected.period_ids(2024, 2025)
    absent = [p for p in Partner.objects.order_by("region", "name")
              if expected.led(ids, p.code) + expected.joined(ids, p.code) == 0]

    box = page.split('class="absent-partners"')[1].split("</div>")[0]
    assert f"{len(absent)} partners with no activity in the period" in box
    for partner in absent:
        assert escape(partner.name) in box
    assert "Germany" not in box  # Germany leads the scenario's activities


def test_the_default_period_is_the_last_two_full_years(client, scenario):
    last = timezone.localdate().year - 1

    page = get(client).content.decode()

    assert f"Stocktaking report {last - 1}–{last}" in page
    assert f'name="from" value="{last - 1}"' in page
    assert f'name="to" value="{last}"' in page


def test_a_period_of_one_year_has_one_year_of_everything(client, scenario):
    response = get(client, "from=2025&to=2025")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Stocktaking report 2025" in page
    assert "As of 2024" in page and "As of 2025" in page
    assert [row[0] for row in table(page, "mobility-table")[1:]] == ["2025", "2025"]
    slugs = {a.slug for a in Activity.objects.filter(pk__in=expected.period_ids(2025, 2025))}
    assert scenario.planned.slug in slugs and scenario.multi.slug not in slugs
    assert f'href="/activities/{scenario.planned.slug}/"' in page
    assert f'href="/activities/{scenario.multi.slug}/"' not in page


def test_an_empty_period_says_so_section_by_section(client, strategy):
    Activity.objects.all().delete()
    Observation.objects.all().delete()  # load_strategy ships the OECD's students figures

    response = get(client, "from=2024&to=2025")

    assert response.status_code == 200
    page = response.content.decode()
    assert "No activity was published and no mobility was reported for 2024–2025." in page
    assert "No activity was under way in 2024–2025: every cell is empty." in page
    assert "No mobility was reported for 2024–2025." in page
    assert "53 partners with no activity in the period" in page
    assert page.count('class="num cell-empty"') == 24
    assert "No indicator has an observation after its baseline up to 2025" in page
    assert BANNER not in page


def test_a_period_with_only_demo_data_says_the_whole_report_is_synthetic(client, demo):
    Activity.objects.filter(is_demo=False).delete()
    MobilityFlow.objects.filter(is_demo=False).delete()

    page = get(client, "from=2024&to=2025").content.decode()

    assert "This period holds demonstration data only." in page
    assert BANNER in page
    assert page.count('<span class="tag demo">demo</span>') >= Activity.objects.filter(
        pk__in=expected.period_ids(2024, 2025)).count()


def test_a_period_before_any_data_renders_with_nothing_to_report(client, demo):
    response = get(client, "from=1995&to=1996")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Stocktaking report 1995–1996" in page
    assert "No activity was published and no mobility was reported for 1995–1996." in page
    assert "No indicator has an observation after its baseline up to 1996" in page
    assert "Insufficient data" in page
    assert BANNER in page  # the indicators listed are demo ones, and say so
    notice = page.split('class="report-demo"')[1].split("</div>")[0]
    assert "<li>15 indicators</li>" in notice and "activit" not in notice.split("<ul>")[1]


def test_without_the_strategy_the_page_still_renders(client, db):
    response = get(client, "from=2024&to=2025")

    assert response.status_code == 200
    page = response.content.decode()
    assert "The strategy has not been loaded" in page


@pytest.mark.parametrize(("query", "message"), [
    ("from=abc", "Give a year from 1990 to 2100, such as 2024."),
    ("from=2024.5", "Give a year from 1990 to 2100, such as 2024."),
    ("from=1800&to=1801", "Give a year from 1990 to 2100, such as 2024."),
    ("to=2101", "Give a year from 1990 to 2100, such as 2024."),
    ("from=99999999999999999999999", "Give a year from 1990 to 2100, such as 2024."),
    ("from=2025&to=2020", "The period cannot end before it starts: to (2020) is before from (2025)."),
])
def test_a_period_that_cannot_be_shown_gets_a_friendly_message_and_the_default_report(client, scenario, query,
                                                                                       message):
    response = get(client, query)

    assert response.status_code == 400
    page = response.content.decode()
    assert "That period cannot be shown" in page
    assert message in page
    last = timezone.localdate().year - 1
    assert f"Stocktaking report {last - 1}–{last}" in page


def test_from_alone_runs_to_the_last_full_year_and_to_alone_covers_two_years(client, scenario):
    last = timezone.localdate().year - 1
    assert f"Stocktaking report 2020–{last}" in get(client, "from=2020").content.decode()
    assert "Stocktaking report 2021–2022" in get(client, "to=2022").content.decode()
    assert f"Stocktaking report {last + 3}" in get(client, f"from={last + 3}").content.decode()


def test_the_downloads_are_offered_for_the_same_period(client, scenario):
    page = get(client, "from=2023&to=2024").content.decode()

    assert 'href="/reports/stocktaking/xlsx/?from=2023&amp;to=2024"' in page
    assert 'href="/reports/stocktaking/csv/?from=2023&amp;to=2024"' in page
    assert "built in the background" not in page
    assert "built in the background" in get(client, "from=2015&to=2024").content.decode()


def test_the_page_is_ready_to_print(client, scenario):
    page = get(client, "from=2024&to=2025").content.decode()

    assert '<link rel="stylesheet" href="/static/css/report.css">' in page
    assert 'class="toc"' in page
    for anchor in ("summary", "progress", "coverage", "balance", "partners", "activities", "about-data"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page


@pytest.mark.parametrize("copies", [1, 3])
def test_it_takes_the_same_number_of_queries_whatever_the_size(client, strategy, django_assert_num_queries, copies):
    for n in range(copies):
        build_scenario(n)
    # Expect 27 queries: the progress overview at the end (objectives, priorities, indicators, observations) and at
    # the start (the same four again), the strategy, the instruments, the partners; the period's activities counted
    # and summed, by objective, by instrument, by objective and instrument, the partners taking part by objective, the
    # activities each partner led and joined; the newest activities of each objective and instrument, those with their
    # lead partners, their objectives, their instruments, their partners; whether the flows' kept totals are current,
    # the flows' totals, the demonstration flows' participants; and the round covering the period (none here:
    # test_round.py counts one)
    with django_assert_num_queries(27):
        assert get(client, "from=2024&to=2025").status_code == 200


def test_each_list_of_activities_shows_its_five_newest_and_links_the_rest(client, strategy):
    for n in range(4):
        build_scenario(n)

    page = get(client, "from=2024&to=2025").content.decode()

    # Objective 1 through people-to-people: each copy's multi (2024) and ongoing (since 2020), and two of the
    # strategy's own: 10 in all.
    assert "And 5 more, in the downloads." in page
    assert ('href="/activities/?objective=1&amp;instrument=people-to-people">Every activity of objective 1 '
            "through People-to-people Connectivity, of any year, in the activity list</a>") in page
    assert "Each list shows its 5 newest; the Excel, CSV and PDF downloads list every one." in page
    assert page.count("/activities/multi-") >= 4 and page.count("/activities/ongoing-") < 8
