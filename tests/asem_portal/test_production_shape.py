"""The portal as production runs it (gunicorn, DEBUG off, static files collected as the Dockerfile collects them)
serves styled pages and API docs that work: every stylesheet and script a page names answers, compressed, under a
name that changes with its content."""

import re
from pathlib import Path

import pytest

from tests.reliability.servers import HttpClient, PortalServer, manage, portal_environment
from tests.services import need

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r'<script[^>]* src="([^"]+)"')
ICON = re.compile(r'<link rel="icon" href="([^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg)$")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The portal under gunicorn with DEBUG off, its static files collected first, as the Dockerfile does."""
    root = tmp_path_factory.mktemp("production")
    env = portal_environment(f"sqlite:///{root / 'portal.sqlite3'}", None, STATIC_ROOT=str(root / "static"))
    manage(env, "migrate", "--no-input")
    server = PortalServer(env, workers=1, threads=2, name="production-shape")
    try:
        server.start()
    except (RuntimeError, TimeoutError) as exc:
        server.stop()
        need("GUNICORN", False, f"gunicorn could not start the portal: {str(exc)[-500:]}")
    yield HttpClient(server.port)
    server.stop()


def test_a_page_and_its_stylesheets_scripts_and_icon_answer_with_debug_off(portal):
    page = portal.get("/")
    assert page.status == 200, page.text[:500]
    assets = STYLESHEET.findall(page.text) + SCRIPT.findall(page.text) + ICON.findall(page.text)
    assert any(asset.endswith(".css") for asset in assets), assets

    for asset in assets:
        assert HASHED.search(asset), f"{asset} is not named by its content, so browsers could keep a stale copy"
        answer = portal.get(asset)
        assert answer.status == 200, asset
        assert "immutable" in answer.headers.get("cache-control", ""), asset


def test_the_stylesheet_is_sent_compressed_to_a_browser_that_accepts_it(portal):
    [css, *_] = STYLESHEET.findall(portal.get("/").text)

    answer = portal.get(css, **{"Accept-Encoding": "gzip"})

    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert answer.headers.get("content-encoding") == "gzip"


def test_favicon_ico_leads_to_the_icon(portal):
    answer = portal.get("/favicon.ico")
    assert answer.status == 302
    icon = answer.headers["location"]
    assert HASHED.search(icon), icon

    assert portal.get(icon).status == 200


def test_the_api_docs_load_their_scripts_and_styles(portal):
    for docs in ("/api/docs/", "/api/redoc/"):
        page = portal.get(docs)
        assert page.status == 200, (docs, page.text[:500])
        assets = [asset.replace("&amp;", "&") for asset in SCRIPT.findall(page.text) + STYLESHEET.findall(page.text)]
        assert any("/static/" in asset for asset in assets), (docs, assets)

        for asset in assets:
            answer = portal.get(asset)
            assert answer.status == 200, (docs, asset)
            assert len(answer.body) > 100, (docs, asset)


def test_the_image_collects_the_static_files_it_serves_once_its_code_is_in():
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()

    assert dockerfile.index("manage.py collectstatic") > dockerfile.index("COPY . .")
