"""The benchmark's pieces at a tiny scale: the dataset command, the query counter, the baseline.

And the promise the benchmark checks at a million rows, pinned here at two
tiny sizes: what a page or API call asks of the database does not grow
with the data.
"""

import dataclasses
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import dataset
from bench.run import ENDPOINTS, endpoints
from mobility.models import Activity, MobilityFlow, Partner
from objectives.models import Indicator, Observation

TINY = dataset.SCALES["tiny"]
DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    settings.CACHES = DUMMY_CACHE
    settings.SECURE_SSL_REDIRECT = False


def build(scale=TINY) -> dataset.BuildReport:
    return dataset.build(scale, log=lambda message: None)


def test_flow_rows_are_distinct_and_spread_over_the_years():
    rows = list(dataset.flow_rows(TINY, ["DE", "FR", "TH", "JP"]))
    assert len(rows) == TINY.flows
    assert len({row[:5] + row[8:9] for row in rows}) == TINY.flows
    assert Counter(row[0] for row in rows) == {year: TINY.flows // 10 for year in TINY.years}
    assert all(row[6] <= row[5] and (row[7] is None or row[7] <= row[5]) for row in rows)


def test_too_many_flows_for_the_partners_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        list(dataset.flow_rows(dataclasses.replace(TINY, flows=10_000), ["DE", "TH"]))


def test_the_command_builds_the_scale_asked_for(db):
    call_command("build_bench_data", scale="tiny", any_database=True)

    assert MobilityFlow.objects.count() == TINY.flows
    assert Activity.objects.filter(slug__startswith=dataset.BENCH_SLUG).count() == TINY.activities
    assert Indicator.objects.filter(code__contains=".b").count() == TINY.indicators
    manual = Indicator.objects.filter(code__contains=".b", source=Indicator.Source.MANUAL).first()
    assert Observation.objects.filter(indicator=manual, breakdown="").count() == TINY.observation_years
    assert Partner.objects.count() == 53, "the real partners come from load_strategy"


def test_a_second_build_replaces_the_first(db):
    build()
    report = build()
    assert report.flows == MobilityFlow.objects.count() == TINY.flows
    assert Activity.objects.filter(slug__startswith=dataset.BENCH_SLUG).count() == TINY.activities
    assert Activity.objects.exclude(slug__startswith=dataset.BENCH_SLUG).exists(), "the AEP's real record stays"


def test_the_command_refuses_a_database_not_named_for_the_benchmark(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "asem")
    with pytest.raises(CommandError, match="does not look like a benchmark database"):
        call_command("build_bench_data", scale="tiny")


def test_the_baseline_is_a_constant_with_no_query(client, bench_urls):
    response = client.get("/__bench__/baseline/")
    assert response.content == b"ok\n"
    assert response["X-Bench-Queries"] == "0"


def test_the_whole_response_cache_never_answers_the_baseline(db, client, bench_urls, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "asem_portal.response_cache.ResponseCacheMiddleware" in settings.MIDDLEWARE
    for _ in range(2):
        response = client.get("/__bench__/baseline/")
        assert response.content == b"ok\n"
        assert "X-Response-Cache" not in response
    assert client.get("/about/")["X-Response-Cache"] == "miss"
    assert client.get("/about/")["X-Response-Cache"] == "hit"  # what the baseline would be if it were cached


def test_every_benchmarked_endpoint_answers(db, client, bench_urls):
    build()
    for name, path in paths():
        response = client.get(path)
        assert response.status_code == 200, f"{name} {path}: {response.status_code}"
        assert int(response["X-Bench-Queries"]) >= 0


def paths() -> list[tuple[str, str]]:
    indicator = Indicator.objects.filter(source=Indicator.Source.MANUAL, code__contains=".b").order_by("code")[0]
    activity = Activity.objects.filter(slug__startswith=dataset.BENCH_SLUG, state="published").order_by("slug")[0]
    return endpoints(indicator=indicator.code, activity=activity.slug)


def query_counts(client) -> dict[str, int]:
    counts = {}
    for name, path in paths():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[name] = len(queries)
    return counts


def test_queries_per_request_do_not_grow_with_the_data(db, client, bench_urls):
    build()
    small = query_counts(client)
    four_times = dataclasses.replace(TINY, flows=TINY.flows * 4, activities=TINY.activities * 4,
                                     indicators=TINY.indicators * 4)
    build(four_times)
    assert query_counts(client) == small
    assert set(small) == {name for name, _ in ENDPOINTS}
