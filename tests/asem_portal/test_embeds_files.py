"""Each figure as a file: a standalone SVG that says its title, source and licence, and a PNG of it at twice its size;
and the "Embed or download" block on every figure page."""

import re
import struct
from xml.etree import ElementTree

import pytest

from tests.asem_portal import test_embeds
from tests.asem_portal.test_embeds import partner_reported
from tests.pages import build_portal, visitor_client

SVG = "{http://www.w3.org/2000/svg}"
FILES = {
    "/indicators/1.1.a/chart": ("indicator-1.1.a", "1.1.a Indicator 1.1.a"),
    "/indicators/1.1.a/chart?as_of=2023": ("indicator-1.1.a-2023", "1.1.a Indicator 1.1.a"),
    "/indicators/1.1.m/map": ("indicator-1.1.m-map-2023", "Share who studied abroad by partner, 2023"),
    "/progress/chart": ("progress-2024", "Progress toward the ASEM Education Strategy 2030, as of 2024"),
    "/mobility/chart": ("mobility-directions", "Participants by year and direction between Asia and Europe"),
    "/mobility/map?year=2022": ("mobility-map", "Where participants went, 2022"),
}


@pytest.fixture
def portal(db):
    built = build_portal(1)
    partner_reported()
    return built


def with_extension(address: str, extension: str) -> str:
    path, _sep, query = address.partition("?")
    return f"{path}.{extension}" + (f"?{query}" if query else "")


def parsed(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 - the portal's own response, not untrusted input


committed_portal = test_embeds.committed_portal


def texts(document: ElementTree.Element) -> str:
    return " ".join(node.text or "" for node in document.iter(f"{SVG}text"))


@pytest.mark.parametrize("address", FILES)
def test_the_svg_is_a_standalone_document_with_its_title_source_and_licence_in_view(portal, address):
    name, title = FILES[address]

    response = visitor_client().get(with_extension(address, "svg"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}.svg"'
    document = parsed(response.content)
    assert document.tag == f"{SVG}svg"
    shown = texts(document)
    assert title.split(",")[0] in shown
    assert "Source: " in shown
    assert "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)." in shown
    assert document.find(f"{SVG}style") is None  # its look is in attributes: no stylesheet to lose or to bar
    assert document.find(f"{SVG}svg") is not None  # the figure itself, as its page draws it


@pytest.mark.parametrize("address", FILES)
def test_the_png_is_a_png_drawn_at_twice_the_svg_size(portal, address):
    name, _title = FILES[address]
    visitor = visitor_client()
    document = parsed(visitor.get(with_extension(address, "svg")).content)

    response = visitor.get(with_extension(address, "png"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="{name}.png"'
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", response.content[16:24])
    assert (width, height) == (2 * int(document.get("width")), 2 * int(document.get("height")))


def test_a_file_of_demonstration_data_says_so_in_the_picture(db):
    build_portal(1, demo=True)

    document = parsed(visitor_client().get("/indicators/1.1.a/chart.svg").content)

    assert "Demonstration data: the figures are synthetic" in texts(document)


@pytest.mark.parametrize("path", ["/indicators/9.9.z/chart.svg", "/indicators/9.9.z/chart.png",
                                  "/indicators/9.9.z/map.svg", "/indicators/1.1.a/map.png"])
def test_an_unknown_indicator_or_one_without_a_map_is_not_found(portal, path):
    assert visitor_client().get(path).status_code == 404


@pytest.mark.parametrize(("path", "message"), [
    ("/indicators/1.1.a/chart.svg?as_of=last", "as_of: Choose a year, such as 2024."),
    ("/indicators/1.1.m/map.png?year=3000", "year: Choose a year, such as 2024."),
    ("/progress/chart.png?as_of=20x4", "as_of: Choose a year, such as 2024."),
    ("/mobility/map.svg?mode=by+sea", "mode: Select a valid choice."),
])
def test_a_bad_year_or_filter_is_a_400_naming_it_never_a_500(portal, path, message):
    response = visitor_client().get(path)

    assert response.status_code == 400
    assert response.content.decode().startswith(message)


def test_the_files_are_kept_whole_for_anonymous_readers_like_the_pages(committed_portal):
    visitor = visitor_client()
    first = visitor.get("/indicators/1.1.a/chart.png")

    again = visitor.get("/indicators/1.1.a/chart.png")

    assert (first["X-Response-Cache"], again["X-Response-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert again["Content-Disposition"] == 'attachment; filename="indicator-1.1.a.png"'


@pytest.mark.parametrize(("page", "embeds"), [
    ("/indicators/1.1.m/?as_of=2023",
     ["/embed/indicators/1.1.m/?as_of=2023", "/embed/indicators/1.1.m/map/?year=2023"]),
    ("/progress/?as_of=2023&map=1.1.m", ["/embed/progress/?as_of=2023", "/embed/indicators/1.1.m/map/?year=2023"]),
    ("/mobility/?year=2023", ["/embed/mobility/?year=2023", "/embed/mobility/map/?year=2023"]),
])
def test_every_figure_page_offers_the_code_to_embed_it_and_its_files(portal, page, embeds):
    visitor = visitor_client()
    html = visitor.get(page).content.decode()

    assert html.count('<details class="share-figure no-print"') == 2
    assert "Code to embed it in a web page" in html
    assert [f"http://testserver{path}" for path in embeds] == re.findall(r"iframe src=&quot;([^&]*)&quot;", html)
    files = re.findall(r'<li><a href="([^"]+\.(?:svg|png)[^"]*)" download>', html)
    assert len(files) == 4
    for address in [*files, *embeds]:
        assert visitor.get(address.replace("&amp;", "&")).status_code == 200, address
