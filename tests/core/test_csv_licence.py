"""Every CSV download ends with one line stating the licence and how to cite; a machine package may leave it out."""

import csv
import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from asem_portal.models import CACHE_KEY
from core import licence
from core.api.csv import csv_lines
from core.exports import Column, csv_response, is_licence_line
from tests import factories
from tests.csv_files import download_text, licence_line_of, without_licence

COLUMNS = [Column("name", lambda record: record)]
DEFAULT_LINE = ("# Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
                "Cite as: ASEM Education Portal, ASEM Education Process.")


def test_a_page_csv_ends_with_the_licence_line(db):
    text = download_text(csv_response("names.csv", ["Bangkok", "Berlin"], COLUMNS))
    assert text.splitlines() == ["name", "Bangkok", "Berlin", DEFAULT_LINE]


def test_a_package_s_csv_can_leave_the_licence_line_out(db):
    text = download_text(csv_response("names.csv", ["Bangkok"], COLUMNS, with_licence=False))
    assert text.splitlines() == ["name", "Bangkok"]


def test_the_api_csv_of_a_whole_list_ends_with_the_licence_line(db):
    factories.MobilityFlowFactory()
    text = download_text(APIClient().get("/api/v1/mobility/flows/?format=csv"))
    assert licence_line_of(text) == DEFAULT_LINE
    assert len(list(csv.DictReader(io.StringIO(without_licence(text))))) == 1


def test_a_page_of_the_api_as_csv_ends_with_the_licence_line_too(db):
    factories.MobilityFlowFactory()
    text = download_text(APIClient().get("/api/v1/mobility/flows/?format=csv&page=1"))
    assert licence_line_of(text) == DEFAULT_LINE


def test_the_pages_csv_downloads_end_with_the_licence_line(strategy, client):
    factories.MobilityFlowFactory()
    text = download_text(client.get("/mobility/?format=csv"))
    assert licence_line_of(text) == DEFAULT_LINE


def test_a_citation_with_commas_and_quotes_stays_one_comment_line(db):
    cache.set(CACHE_KEY, licence.Licence("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/",
                                         'Ministry of Education, "Open data", 2026'))
    lines = b"".join(csv_lines([[{"a": 1}]], ["a"])).decode().splitlines()
    assert lines[-1] == ('# Licence: CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/). '
                         'Cite as: Ministry of Education, "Open data", 2026')
    assert is_licence_line(next(csv.reader([lines[-1]])))


@pytest.mark.parametrize("first_cell", ["# a note", "Licence: CC BY", "", "#Licence:"])
def test_only_the_licence_line_is_taken_for_it(first_cell):
    assert not is_licence_line([first_cell, "x"])
