"""Maps drawn on the server: every partner has a shape or a box, every value shows in the table, and the page stays
small and costs the same queries however many partners report."""

import json
import re

import pytest

from core import maps
from objectives.models import Indicator, Observation
from partners.models import Partner
from tests.reporting.conftest import reported_indicator

NAMES = {"DE": "Germany", "TH": "Thailand", "FR": "France", "SG": "Singapore", "EU": "European Union",
         "ASEAN": "ASEAN Secretariat"}


def test_every_partner_country_has_a_shape_and_the_file_names_its_public_domain_source():
    data = json.loads(maps.SHAPES.read_text())

    assert len(data["partners"]) == 51 and "EU" not in data["partners"] and "ASEAN" not in data["partners"]
    assert all(data["partners"][code] for code in data["partners"])
    assert "Natural Earth" in data["source"] and "public domain" in data["licence"].lower()


def test_a_choropleth_colours_each_partner_by_its_class_and_greys_the_ones_that_did_not_report():
    chart = maps.choropleth(map_id="m", title="Digital skills by partner, 2024", description="A map.",
                            value_label="Value", names=NAMES, values={"DE": 10, "TH": 20, "FR": 30, "EU": 40,
                                                                      "ASEAN": 50})
    rows = {row.code: row for row in chart.rows}

    assert [rows[code].colour for code in ("DE", "TH", "FR", "EU", "ASEAN")] == maps.PALETTE
    assert rows["SG"].colour == maps.NO_VALUE and rows["SG"].shown == "no report"
    assert chart.reported == 5
    assert [item.label for item in chart.scale][-1] == "50 to 50" or chart.scale[-1].high == 50


def test_the_svg_has_a_title_a_description_a_legend_and_the_organisations_as_labelled_boxes():
    chart = maps.choropleth(map_id="m", title="Digital skills by partner, 2024", description="Light is low.",
                            value_label="Value", names=NAMES, values={"DE": 10, "EU": 40})
    svg = str(chart.svg)

    assert 'role="img"' in svg and 'aria-labelledby="m-title m-desc"' in svg
    assert '<title id="m-title">Digital skills by partner, 2024</title>' in svg
    assert '<desc id="m-desc">Light is low.</desc>' in svg
    assert "European Union (not a country)" in svg and "ASEAN Secretariat (not a country)" in svg
    assert "no report" in svg and 'url(#m-none)' in svg
    assert "<script" not in svg


def test_a_map_weighs_tens_of_kilobytes_with_coordinates_to_a_tenth_of_a_pixel():
    svg = str(maps.choropleth(map_id="m", title="t", description="d", value_label="v", names=NAMES,
                              values={"DE": 1}).svg)

    assert len(svg.encode()) < 60_000
    assert not re.search(r"\d\.\d\d", svg.split("<path d=")[3][:2000])


def test_a_flow_map_counts_what_each_partner_sent_to_and_received_from_the_focus():
    chart = maps.flow_map(map_id="f", title="Where Germany's participants go", description="d", names=NAMES,
                          flows=[("DE", "TH", 120), ("TH", "DE", 80), ("FR", "TH", 500), ("DE", "FR", 5)],
                          focus="DE")
    rows = {row.code: row for row in chart.rows}

    assert "DE" not in rows
    assert (rows["TH"].value, rows["TH"].extra) == (200, ("120", "80"))  # 120 came from Germany, 80 went to it
    assert chart.extra_labels == ("From Germany", "To Germany")
    assert rows["SG"].value is None
    assert chart.arcs[0] == ("DE", "TH", 120)
    assert 'marker-end="url(#f-arrow)"' in str(chart.svg)


def test_geojson_gives_countries_polygons_and_the_organisations_no_geometry():
    collection = maps.geojson(properties={"DE": {"name": "Germany"}, "EU": {"name": "European Union"}})
    germany, eu = collection["features"]

    assert germany["geometry"]["type"] == "MultiPolygon"
    lon, lat = germany["geometry"]["coordinates"][0][0][0]
    assert 5 < lon < 16 and 47 < lat < 56
    assert eu["geometry"] is None and eu["properties"] == {"code": "EU", "name": "European Union"}


# The indicator page -------------------------------------------------------------------------------------------


@pytest.fixture
def skills(strategy):
    return reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean",
                              kind=Indicator.Kind.PERCENTAGE, unit="%", baseline=(2020, 54), target=80)


def report(indicator, values: dict[str, float], year: int = 2023):
    for code, value in values.items():
        Observation.objects.create(indicator=indicator, partner=Partner.objects.get(code=code), year=year,
                                   value=value)


def test_the_indicator_page_maps_the_partners_values_with_a_table_giving_each(client, skills):
    report(skills, {"DE": 61.5, "TH": 48.0, "EU": 58.0})
    page = client.get("/indicators/3.3.p/").content.decode()

    assert '<svg class="map" id="indicator-map"' in page
    assert "Adults with basic digital skills by partner, 2023" in page
    assert "61.5 %" in page and "48 %" in page and "58 %" in page
    assert page.count("no report") >= 50  # every partner that did not report, in the table
    assert len(page.encode()) < 150_000


def test_the_map_follows_the_pages_year_and_falls_back_to_the_latest_year_before_it(client, skills):
    report(skills, {"DE": 61.5}, year=2022)
    report(skills, {"DE": 70.0}, year=2024)

    assert "by partner, 2022" in client.get("/indicators/3.3.p/?as_of=2023").content.decode()
    assert "by partner, 2024" in client.get("/indicators/3.3.p/").content.decode()


def test_an_indicator_measured_for_asem_as_a_whole_has_no_map(client, strategy):
    indicator = reported_indicator("1.1.a", "Participants in ASEM mobility", aggregation="asem",
                                   kind=Indicator.Kind.COUNT, unit="participants", baseline=(2020, 100))

    assert 'class="map"' not in client.get(indicator.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [1, 40])
def test_the_indicator_page_with_its_map_costs_the_same_queries_however_many_partners_report(
    client, skills, django_assert_num_queries, count
):
    report(skills, {code: 50.0 + i for i, code in enumerate(Partner.objects.values_list("code", flat=True)[:count])})

    # Expect 9 queries: the page's own 6, and the map's 3: the years partners reported, the partners, the year's values
    with django_assert_num_queries(9):
        client.get("/indicators/3.3.p/")


def test_a_map_asked_for_no_year_shows_the_latest_whole_year_not_the_few_early_reports_of_this_one():
    from objectives.maps import map_year
    from objectives.selectors import year_in_progress

    this_year = year_in_progress()
    years = [this_year, this_year - 1, this_year - 2]

    assert map_year(None, year=None, years=years) == this_year - 1
    assert map_year(None, year=this_year, years=years) == this_year  # asked for, it is shown
    assert map_year(None, year=None, years=[this_year]) == this_year  # nothing else to show
