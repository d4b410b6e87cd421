"""The API's CSV of a whole list is streamed: rows are read a chunk at a time, in the same queries however many there
are, and nothing (the whole-response cache among them) gathers the file in memory before it is sent."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from mobility.api import MobilityFlowViewSet
from tests import factories
from tests.csv_files import without_licence

URL = "/api/v1/mobility/flows/?format=csv"
CHUNK = 4


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(MobilityFlowViewSet, "csv_chunk_size", CHUNK)


def flows(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        factories.MobilityFlowFactory(year=2010 + n % 15, programme=f"Programme {n}")


def download(client) -> tuple[object, list[bytes], int]:
    """The response, the parts it was sent in, and the queries made while sending them."""
    response = client.get(URL)
    with CaptureQueriesContext(connection) as sending:
        parts = list(response.streaming_content)
    return response, parts, len(sending.captured_queries)


def test_the_api_csv_of_a_whole_list_is_sent_a_chunk_of_rows_at_a_time(db, small_chunks):
    flows(10)
    response, parts, _ = download(APIClient())
    assert response.streaming
    # The header, a part for each chunk of 4 rows (4, 4, 2), then the licence line.
    assert len(parts) == 1 + 3 + 1
    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(parts).decode()))))
    assert len(rows) == 10


def test_sending_three_times_the_flows_takes_the_same_queries(db, small_chunks):
    flows(CHUNK * 2)
    _, few_parts, few = download(APIClient())
    flows(CHUNK * 4, start=CHUNK * 2)
    _, many_parts, many = download(APIClient())
    assert len(many_parts) - len(few_parts) == 4  # four chunks more, read from the same cursor
    assert many == few


def test_the_response_cache_neither_keeps_nor_gathers_a_streamed_export(db, small_chunks):
    flows(6)
    client = APIClient()
    first = client.get(URL)
    assert first.streaming
    assert "X-Response-Cache" not in first
    b"".join(first.streaming_content)
    again = client.get(URL)
    assert again.streaming  # computed again, not a stored copy
    assert "X-Response-Cache" not in again
