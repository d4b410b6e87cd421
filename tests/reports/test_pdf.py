"""The report as a PDF: every section of the page, pages that open and are numbered, contents that say where each
section starts, charts drawn as vectors, the licence, the demo note, and nothing fetched but the portal's own files.

WeasyPrint takes seconds, so one PDF of a report with a reporting round, demo data and hostile text is rendered once
for the module (``made``), and the tests read it.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client

from core import licence
from core.roles import SECRETARIAT_GROUP
from mobility.models import Activity
from reporting import services as reporting
from reporting.models import Return
from reports import pdf
from reports.data import Period
from reports.selectors import stocktaking_report
from tests import factories
from tests.reports.conftest import build_round, build_scenario

pytestmark = pytest.mark.django_db

QUERY = "from=2024&to=2026"
TRACKER = '<img src="http://example.invalid/tracker.png">'
PASSWD = '<img src="file:///etc/passwd"> and <img src="/etc/passwd">'


@dataclass
class Made:
    page: str  # the report page's HTML, as a browser gets it
    content: bytes  # the PDF the download link serves
    response: object
    fetched: list[str]  # every address WeasyPrint asked for while making it
    texts: list[str]  # each page's text


class _Headings(HTMLParser):
    """The text of every h2 and h3 of the report's article, with its tag."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self._in_report = False
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "article" and ("class", "report") in attrs:
            self._in_report = True
        elif self._in_report and tag in ("h2", "h3"):
            self._current = []

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_report = False
        elif tag in ("h2", "h3") and self._current is not None:
            self.headings.append((tag, " ".join("".join(self._current).split())))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def headings(page: str, *, tags=("h2", "h3")) -> list[str]:
    parser = _Headings()
    parser.feed(page)
    return [text for tag, text in parser.headings if tag in tags]


def squeezed(text: str) -> str:
    """Text without any space: a heading reads the same whether the PDF wraps it or not."""
    return re.sub(r"\s+", "", text)


def page_texts(content: bytes) -> list[str]:
    document = pdfium.PdfDocument(content)
    return [document[n].get_textpage().get_text_range() for n in range(len(document))]


def object_types(content: bytes, n: int) -> set[int]:
    document = pdfium.PdfDocument(content)
    return {obj.type for obj in document[n].get_objects(max_depth=8)}


def recording_fetcher(fetched: list[str]):
    """The PDF's own fetcher, noting each address it is asked for."""
    made = pdf.static_fetcher

    def make():
        fetcher = made()
        fetch = fetcher.fetch

        def noted(url, headers=None):
            fetched.append(url)
            return fetch(url, headers)

        fetcher.fetch = noted
        return fetcher

    return make


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, strategy_snapshot):
    """The page and its PDF for 2024 to 2026: activities, flows, indicators, an approved round, demo rows too."""
    fetched = []
    original = pdf.static_fetcher
    pdf.static_fetcher = recording_fetcher(fetched)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            strategy_snapshot.restore()
            scenario = build_scenario()
            build_scenario(1, demo=True)
            Activity.objects.filter(pk=scenario.multi.pk).update(title=f"Summer school {TRACKER}")
            reviewer = factories.UserFactory(username="sam", is_staff=True)
            reviewer.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
            quoted = Return.objects.get(round=build_round(reviewer).round, partner__code="SG")
            # An approved answer quoted in the annex, holding addresses of the server's own disk.
            quoted = reporting.save_return(report=quoted, user=reviewer, version=quoted.version,
                                           answers={1: "Highlights.", 2: f"Peer visits {PASSWD}"})
            reporting.submit_return(report=quoted, user=reviewer, version=quoted.version)
            reporting.approve_return(report=quoted, user=reviewer)
            client = Client()
            page = client.get(f"/reports/stocktaking/?{QUERY}").content.decode()
            response = client.get(f"/reports/stocktaking/pdf/?{QUERY}")
            transaction.set_rollback(True)
    finally:
        pdf.static_fetcher = original
    return Made(page=page, content=response.content, response=response, fetched=fetched,
                texts=page_texts(response.content))


def test_the_download_is_a_pdf_named_for_its_period(made):
    assert made.response.status_code == 200
    assert made.response["Content-Type"] == "application/pdf"
    assert made.response["Content-Disposition"] == 'attachment; filename="asem-stocktaking-report-2024-2026.pdf"'
    assert made.content.startswith(b"%PDF-")


def test_the_pdf_has_every_section_heading_of_the_page(made):
    on_page = headings(made.page)
    assert "1 The period at a glance" in on_page
    assert "Annex: What partners said" in on_page
    assert "2. What good practice would you share?" in on_page
    assert len(on_page) > 15
    text = squeezed("".join(made.texts))
    missing = [heading for heading in on_page if squeezed(heading) not in text]
    assert missing == []


def test_every_page_opens_as_an_image_with_ink_on_it(made):
    document = pdfium.PdfDocument(made.content)

    assert len(document) > 1
    for n in range(len(document)):
        width, height = document[n].get_size()
        assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297), f"page {n + 1} is A4, upright"
        image = document[n].render(scale=1).to_pil().convert("L")
        body = image.crop((0, round(height * 20 / 297), image.size[0], round(height * 275 / 297)))  # not the margins
        dark = sum(body.histogram()[:160])
        assert dark > 100, f"page {n + 1} has nothing but its running header and page number"


def test_the_pages_are_numbered_page_n_of_all(made):
    total = len(made.texts)

    for n, text in enumerate(made.texts, start=1):
        assert f"Page {n} of {total}" in text


def test_the_contents_give_the_page_each_section_starts_on(made):
    sections = [h for h in headings(made.page, tags=("h2",)) if h != "Contents"]
    assert len(sections) == 9
    contents_page = next(n for n, text in enumerate(made.texts) if "Contents" in text)
    lines = [" ".join(line.split()) for line in made.texts[contents_page].splitlines()]

    for heading in sections:
        title = re.sub(r"^\d+ ", "", heading)
        entry = next((line for line in lines if title in line), None)
        assert entry, f"{title} is in the contents"
        listed = int(re.search(r"(\d+)$", entry).group(1))
        starts = next(n for n, text in enumerate(made.texts, start=1)
                      if n > contents_page + 1 and squeezed(heading) in squeezed(text))
        assert listed == starts, title


def test_the_charts_are_vector_drawings(made):
    captions = ["How many indicators had each status", "The activities using each instrument",
                "Participants moving between Asia and Europe each year"]
    for caption in captions:
        pages = [n for n, text in enumerate(made.texts) if caption in " ".join(text.split())]
        assert pages, f"the chart captioned {caption!r} is in the PDF"
        types = object_types(made.content, pages[0])
        assert pdfium_c.FPDF_PAGEOBJ_PATH in types
        assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in types
    assert made.page.count('<svg class="chart"') == 3, "the page draws the same three charts"


def test_the_cover_states_the_period_the_licence_and_how_to_cite(made):
    cover = " ".join(made.texts[0].split())
    current = licence.current()

    assert "Stocktaking report 2024–2026" in cover
    assert current.name in cover
    assert squeezed(current.url) in squeezed(cover)
    assert f"Cite as: {current.citation}" in cover
    assert f"{settings.SITE_URL}/reports/stocktaking/?{QUERY}" in squeezed(made.texts[0])


def test_demo_data_in_the_report_is_said_on_the_cover(made):
    assert "Part of this report is demonstration data." in " ".join(made.texts[0].split())


def test_long_tables_repeat_their_header_on_the_next_page(made):
    header = squeezed("Partner Led Joined In all")
    pages = [n for n, text in enumerate(made.texts) if header in squeezed(text)]

    assert len(pages) >= 2
    continued = [n for n in pages if "Partner participation" not in made.texts[n]]
    assert continued, "a partner table runs on to a page of its own, its header row repeated"


def test_text_from_the_data_is_printed_never_fetched(made):
    text = " ".join("".join(made.texts).split())

    assert "Summer school <img src=" in text
    assert 'Peer visits <img src="file:///etc/passwd">' in text
    static = f"{settings.SITE_URL}/static/"
    assert made.fetched, "the stylesheets were read"
    assert all(url.startswith(static) for url in made.fetched), made.fetched


def test_the_pdf_leaves_out_the_pages_furniture(made):
    text = "".join(made.texts)

    assert "Show the report" not in text
    assert "Download this report" not in text
    assert "Skip to content" not in text


def test_a_report_without_demo_data_never_says_demo(strategy):
    build_scenario()

    html = pdf.render_html(stocktaking_report(Period(2024, 2025)))

    assert "demonstration data" not in html.split('<section id="about-data"')[0]
    assert 'class="report-demo' not in html


# The fetcher on its own ------------------------------------------------------------------------------------------


@pytest.fixture
def fetcher():
    return pdf.static_fetcher()


def test_the_fetcher_serves_the_portals_static_files(fetcher):
    response = fetcher(f"{settings.SITE_URL}/static/css/report-pdf.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_the_fetcher_serves_an_image_written_in_the_page(fetcher):
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAA"
             "ABJRU5ErkJggg==")

    assert fetcher(pixel).read().startswith(b"\x89PNG")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.org/tracker.png",
    "https://127.0.0.1:8000/static/css/portal.css",
    f"{settings.SITE_URL}/admin/",
    f"{settings.SITE_URL}/static/../asem_portal/settings.py",
    f"{settings.SITE_URL}/static/css/%2e%2e/%2e%2e/asem_portal/settings.py",
    f"{settings.SITE_URL}/static/css/portal.css?next=http://example.org/",
    f"{settings.SITE_URL}/static/css/no-such-file.css",
    "data:text/html,<p>hello</p>",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>",
    "ftp://example.org/file.css",
])
def test_the_fetcher_refuses_every_other_address(fetcher, url):
    with pytest.raises(pdf.RefusedURL):
        fetcher(url)


def test_markup_that_names_the_disk_or_the_network_draws_nothing_from_them(tmp_path):
    import weasyprint

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really")
    fetched = []
    html = (f'<p>Report</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
            '<link rel="stylesheet" href="file:///etc/passwd"><div style="background: url(http://example.org/b.png)">'
            'x</div>')

    content = weasyprint.HTML(string=html, base_url=pdf.base_url(),
                              url_fetcher=recording_fetcher(fetched)()).write_pdf()

    assert set(fetched) == {f"file://{secret}", "http://127.0.0.1:9/x.png", "file:///etc/passwd",
                            "http://example.org/b.png"}
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in object_types(content, 0)
