"""The OECD's international tertiary students, shipped in asem_portal/data and loaded by load_strategy as real,
sourced indicators: what the loader makes of the file, and what a visitor and the API see of it."""

import csv
from collections import defaultdict

import pytest
from django.core.management import call_command

from asem_portal import official_statistics
from asem_portal.content import load_strategy
from asem_portal.official_statistics import BALANCE_CODE, OECD_SOURCE, OECD_URL, OfficialStatisticsError
from asem_portal.strategy_document import DATA_DIR
from objectives.models import Indicator, Observation, Priority
from partners.models import Partner
from tests import factories

ASIA_TO_EUROPE, EUROPE_TO_ASIA = "1.1.oecd1", "1.1.oecd2"
CODES = [ASIA_TO_EUROPE, EUROPE_TO_ASIA, BALANCE_CODE]
EUROPEAN_HOSTS = 25  # every European partner country but Bulgaria, Croatia, Cyprus, Malta and Romania
ASIAN_HOSTS = 5  # Australia, Japan, the Republic of Korea, New Zealand, the Russian Federation


def file_rows():
    with (DATA_DIR / "oecd-tertiary-students-asem.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_hand(year: int, origin: str, host: str) -> dict[str, int]:
    """{host code: students} for one year and direction, added up from the file's rows, apart from the loader."""
    with (DATA_DIR / "asem-partners.csv").open(encoding="utf-8", newline="") as fh:
        regions = {row["code"]: row["region"] for row in csv.DictReader(fh)}
    hosts = defaultdict(int)
    for row in file_rows():
        if int(row["year"]) == year and regions[row["origin"]] == origin and regions[row["destination"]] == host:
            hosts[row["destination"]] += int(row["students"])
    return dict(hosts)


def asem_value(code: str, year: int) -> Observation:
    return Observation.objects.get(indicator__code=code, partner__isnull=True, breakdown="", year=year)


def snapshot() -> list[tuple]:
    """Every observation of the official indicators and their indicators' fields, to compare two states."""
    observations = Observation.objects.filter(indicator__code__in=CODES).order_by("pk").values_list(
        "pk", "indicator__code", "partner__code", "year", "value", "coverage", "source", "note", "is_computed")
    indicators = Indicator.objects.filter(code__in=CODES).order_by("pk").values_list(
        "pk", "code", "name", "baseline_value", "source_url", "coverage_note", "data_source", "is_demo")
    return [*observations, *indicators]


def test_the_file_ships_inside_the_project_with_its_source_stated_beside_it():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "EDU_ENRL_MOBILE" in readme
    assert OECD_URL in readme
    assert len(file_rows()) == 10500


@pytest.mark.django_db
def test_the_asem_value_of_asia_to_europe_in_2019_is_the_sum_of_the_file_rows(strategy):
    hosts = by_hand(2019, "asia", "europe")
    observation = asem_value(ASIA_TO_EUROPE, 2019)

    assert observation.value == sum(hosts.values()) == 906_623
    assert observation.coverage == len(hosts) == EUROPEAN_HOSTS
    assert observation.source == OECD_SOURCE


@pytest.mark.django_db
def test_the_asem_value_of_europe_to_asia_in_2013_rests_on_the_five_asian_hosts(strategy):
    hosts = by_hand(2013, "europe", "asia")
    observation = asem_value(EUROPE_TO_ASIA, 2013)

    assert observation.value == sum(hosts.values())
    assert observation.coverage == len(hosts) == ASIAN_HOSTS
    assert sorted(hosts) == ["AU", "JP", "KR", "NZ", "RU"]


@pytest.mark.django_db
def test_a_host_partner_has_its_own_value_the_students_from_the_other_side_it_enrols(strategy):
    germany = Observation.objects.get(indicator__code=ASIA_TO_EUROPE, partner__code="DE", year=2019, breakdown="")
    japan = Observation.objects.get(indicator__code=EUROPE_TO_ASIA, partner__code="JP", year=2016, breakdown="")

    assert germany.value == by_hand(2019, "asia", "europe")["DE"]
    assert japan.value == by_hand(2016, "europe", "asia")["JP"]
    assert germany.source == japan.source == OECD_SOURCE
    # Russia sits on the Asian side of ASEM: it hosts students from Europe, not from Asia
    assert Observation.objects.filter(indicator__code=EUROPE_TO_ASIA, partner__code="RU").count() == 7
    assert not Observation.objects.filter(indicator__code=ASIA_TO_EUROPE, partner__code="RU").exists()


@pytest.mark.django_db
def test_the_balance_is_the_smaller_direction_as_a_percentage_of_the_larger(strategy):
    to_europe = sum(by_hand(2019, "asia", "europe").values())
    to_asia = sum(by_hand(2019, "europe", "asia").values())

    assert asem_value(BALANCE_CODE, 2019).value == pytest.approx(100 * to_asia / to_europe)
    baseline = Indicator.objects.get(code=BALANCE_CODE).baseline_value
    assert baseline == pytest.approx(asem_value(BALANCE_CODE, 2013).value)


@pytest.mark.django_db
def test_the_indicators_are_real_sourced_and_without_a_target(strategy):
    for indicator in Indicator.objects.filter(code__in=CODES):
        assert not indicator.is_demo
        assert indicator.priority.code == "1.1"
        assert indicator.source_url == OECD_URL
        assert "EDU_ENRL_MOBILE" in indicator.data_source
        assert (indicator.baseline_year, indicator.target_value) == (2013, None)
    to_europe, to_asia, balance = (Indicator.objects.get(code=code).coverage_note for code in CODES)
    assert "the 25 European-side partners that do: Austria, Belgium," in to_europe
    assert "(Bulgaria, Croatia, Cyprus, European Union, Malta, Romania) have no figure" in to_europe
    assert "the 5 Asian-side partners that do: Australia, Japan, New Zealand, Republic of Korea, Russian " in to_asia
    assert "1.1.oecd1 and 1.1.oecd2" in balance
    years = Observation.objects.filter(indicator__code__in=CODES, partner__isnull=True).values_list("year", flat=True)
    assert set(years) == set(range(2013, 2020))
    assert not Observation.objects.filter(indicator__code__in=CODES).exclude(source=OECD_SOURCE).exists()


@pytest.mark.django_db
def test_loading_the_strategy_twice_changes_nothing(strategy):
    before = snapshot()

    report = load_strategy()

    assert (report.created, report.updated) == (0, 0)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_changed_partner_value_is_brought_back_in_line_with_the_file(strategy):
    germany = Observation.objects.get(indicator__code=ASIA_TO_EUROPE, partner__code="DE", year=2019)
    true_value = germany.value
    Observation.objects.filter(pk=germany.pk).update(value=1, source="")
    Observation.objects.create(indicator=germany.indicator, partner=Partner.objects.get(code="TH"), year=2019,
                               value=5)

    load_strategy()

    germany.refresh_from_db()
    assert (germany.value, germany.source) == (true_value, OECD_SOURCE)
    assert not Observation.objects.filter(indicator__code=ASIA_TO_EUROPE, partner__code="TH").exists()
    assert asem_value(ASIA_TO_EUROPE, 2019).value == sum(by_hand(2019, "asia", "europe").values())


@pytest.mark.django_db
def test_the_secretariats_own_target_and_weight_stay_through_a_reload(strategy):
    Indicator.objects.filter(code=ASIA_TO_EUROPE).update(target_value=1_200_000, weight=2)

    load_strategy()

    assert Indicator.objects.filter(code=ASIA_TO_EUROPE, target_value=1_200_000, weight=2).exists()


@pytest.mark.django_db
def test_a_bad_row_in_the_file_writes_nothing(strategy, tmp_path, monkeypatch):
    rows = file_rows()
    rows[-1]["students"] = "many"
    with (tmp_path / official_statistics.OECD_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=official_statistics.OECD_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(official_statistics, "DATA_DIR", tmp_path)
    Observation.objects.filter(indicator__code__in=CODES).delete()

    with pytest.raises(OfficialStatisticsError, match="line 10501: students 'many' is not a whole number"):
        load_strategy()

    assert not Observation.objects.filter(indicator__code__in=CODES).exists()


@pytest.mark.django_db
def test_removing_the_demo_leaves_the_official_statistics(demo_data):
    before = snapshot()

    call_command("load_demo", "--remove", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not Indicator.objects.filter(is_demo=True).exists()
    assert snapshot() == before
    assert len(before) == 3 + 2 * 7 + 7 + (EUROPEAN_HOSTS + ASIAN_HOSTS) * 7


@pytest.mark.django_db
def test_loading_the_demo_does_not_disturb_the_official_statistics(strategy):
    before = snapshot()

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert snapshot() == before


@pytest.mark.django_db
def test_the_page_shows_the_source_as_a_link_and_the_coverage_near_the_figures(strategy, client,
                                                                                django_assert_num_queries):
    indicator = Indicator.objects.get(code=ASIA_TO_EUROPE)

    # Expect 9 queries: the indicator with its priority and objective, its ASEM observations, its headline series for
    # the progress engine, the partners' values with their partners, their targets, how many partners there are; and
    # for the map, the years partners reported, the year's values and the partners' names
    with django_assert_num_queries(9):
        response = client.get(indicator.get_absolute_url())

    page = response.content.decode()
    data = page[page.index('id="data-heading"'):page.index('id="partners-heading"')]
    assert f'<a href="{OECD_URL}">{OECD_SOURCE}</a>' in data
    assert "the 25 European-side partners that do" in data
    assert "906,623" in data
    assert "25 of 53 partners" in data
    assert "demonstration" not in page.lower()
    assert "Reported by the partners in reporting rounds" not in page
    assert "Only values the secretariat has approved count" not in page


@pytest.mark.django_db
def test_the_page_of_a_partner_reported_indicator_without_a_source_says_nothing_of_one(demo_data, client):
    page = client.get("/indicators/2.1.a/").content.decode()

    assert "Coverage" not in page
    assert "Reported by the partners in reporting rounds" in page


@pytest.mark.django_db
def test_the_api_gives_the_source_and_coverage_and_each_observation_its_source(strategy, client):
    body = client.get(f"/api/v1/indicators/{EUROPE_TO_ASIA}/").json()

    assert body["source_url"] == OECD_URL
    assert "the 5 Asian-side partners that do" in body["coverage_note"]
    assert body["is_demo"] is False
    assert {o["source"] for o in body["observations"]} == {OECD_SOURCE}
    partner_values = client.get(f"/api/v1/indicators/{EUROPE_TO_ASIA}/observations/?partner=JP").json()["results"]
    assert [o["source"] for o in partner_values] == [OECD_SOURCE] * 7


@pytest.mark.django_db
def test_an_indicator_without_a_source_link_gives_null_not_an_empty_string_that_is_no_uri(strategy, client):
    factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a")

    assert client.get("/api/v1/indicators/1.1.a/").json()["source_url"] is None


@pytest.mark.django_db
def test_the_api_does_not_let_a_write_set_the_source(strategy, client, secretariat):
    client.force_login(secretariat)
    indicator = Indicator.objects.get(code=BALANCE_CODE)

    response = client.patch(f"/api/v1/indicators/{BALANCE_CODE}/", {"source_url": "https://example.org/"},
                            content_type="application/json")

    assert response.status_code == 200
    indicator.refresh_from_db()
    assert indicator.source_url == OECD_URL


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [(None, 403), ("alice", 403), ("bob", 403)])
def test_nobody_but_the_secretariat_may_change_an_official_indicator(strategy, client, request, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    before = snapshot()

    response = client.patch(f"/api/v1/indicators/{ASIA_TO_EUROPE}/", {"name": "Changed"},
                            content_type="application/json")

    assert response.status_code in {status, 401}
    assert snapshot() == before


@pytest.mark.django_db
def test_a_reporting_round_is_not_offered_the_official_statistics(strategy, client, secretariat):
    Indicator.objects.filter(code=ASIA_TO_EUROPE).update(source_url="")  # as any indicator partners report
    client.force_login(secretariat)

    page = client.get("/admin/reporting/round/add/").content.decode()

    assert Indicator.objects.get(code=ASIA_TO_EUROPE).name in page
    assert Indicator.objects.get(code=EUROPE_TO_ASIA).name not in page
    assert "Balance of international tertiary students" not in page  # measured for ASEM as a whole
