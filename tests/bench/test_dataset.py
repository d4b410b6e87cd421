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
from django.urls import Resolver404, resolve

from asem_portal.api_urls import NotFoundView
from bench import dataset
from bench.run import ENDPOINTS, endpoints
from mobility.models import Activity, MobilityFlow, Partner
from objectives.models import Indicator, Observation, PartnerTarget
from reporting.models import Return, ReturnValue, Round

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
    assert Indicator.objects.filter(code__contains=".b").count() == TINY.indicators + TINY.partner_indicators
    manual = Indicator.objects.filter(code__contains=".b", source=Indicator.Source.MANUAL,
                                      aggregation=Indicator.Aggregation.ASEM).first()
    assert Observation.objects.filter(indicator=manual, breakdown="").count() == TINY.observation_years
    assert Partner.objects.count() == 53, "the real partners come from load_strategy"


def test_partners_report_their_own_values_with_a_few_gaps_and_asem_is_made_from_them(db):
    report = build()

    reported = list(Indicator.objects.filter(code__contains=".b").exclude(aggregation=Indicator.Aggregation.ASEM))
    assert len(reported) == TINY.partner_indicators
    assert {i.aggregation for i in reported} == {"sum", "mean"} | ({"count"} if len(reported) >= 5 else set())
    every_value = 53 * TINY.partner_indicators * TINY.observation_years
    partner_values = Observation.objects.filter(indicator__in=reported, partner__isnull=False)
    assert report.partner_values == partner_values.count()
    assert 0.75 * every_value < partner_values.count() < every_value, "most partners report, not every one every year"
    asem = Observation.objects.filter(indicator__in=reported, partner__isnull=True).order_by("indicator", "year")
    assert asem.count() == TINY.partner_indicators * TINY.observation_years
    assert all(o.is_computed and 0 < o.coverage < 53 for o in asem[:TINY.observation_years])
    first_sum = next(i for i in reported if i.aggregation == "sum")
    summed = sum(partner_values.filter(indicator=first_sum, year=TINY.first_year).values_list("value", flat=True))
    assert asem.get(indicator=first_sum, year=TINY.first_year).value == summed == first_sum.baseline_value
    assert PartnerTarget.objects.filter(indicator__in=reported).exists()


def test_the_round_is_open_with_a_return_per_partner_in_every_state(db):
    report = build()

    round_ = Round.objects.get(slug__startswith=dataset.BENCH_SLUG)
    assert round_.state == Round.State.OPEN
    assert round_.indicators.count() == TINY.partner_indicators
    assert report.returns == round_.returns.count() == 53
    states = Counter(round_.returns.values_list("state", flat=True))
    assert set(states) == set(Return.State.values) and min(states.values()) == 13
    approved = round_.returns.filter(state=Return.State.APPROVED).first()
    for value in ReturnValue.objects.filter(report=approved):
        public = Observation.objects.get(indicator=value.indicator, partner=approved.partner, year=value.year)
        assert public.value == value.value, "an approved return holds what is public"


def test_a_second_build_replaces_the_first(db):
    build()
    report = build()
    assert Round.objects.filter(slug__startswith=dataset.BENCH_SLUG).count() == 1
    assert Return.objects.count() == 53
    assert Observation.objects.filter(partner__isnull=False).count() == report.partner_values
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


def is_built(path: str) -> bool:
    """Whether the portal has a page at the path: one still to be built answers 404, and the run says so."""
    try:
        match = resolve(path.partition("?")[0])
    except Resolver404:
        return False
    return getattr(match.func, "view_class", None) is not NotFoundView  # the API's answer to any other address


def test_every_benchmarked_endpoint_answers(db, client, bench_urls):
    build()
    for name, path in paths():
        response = client.get(path)
        if not is_built(path):
            assert response.status_code == 404, f"{name} {path}: {response.status_code}"
            continue
        assert response.status_code == 200, f"{name} {path}: {response.status_code}"
        assert int(response["X-Bench-Queries"]) >= 0


def test_an_endpoint_not_built_yet_is_reported_so_and_not_measured():
    from bench.run import NOT_BUILT, markdown, not_built

    row = not_built("objective partners", "/objectives/1/partners/", cache="cold", connections=1)
    assert (row["status"], row["errors"], row["note"]) == (404, 0, NOT_BUILT)
    meta = {"scale": "tiny", "finished": "now", "machine": {"cpus": 1, "cpu_model": "", "memory_gib": 1}, "workers": 1,
            "data": "", "cold_connections": 1, "connections": 1, "duration": 1, "response_cache": "on",
            "load_average": "0"}
    assert "| objective partners (`/objectives/1/partners/`) | cold | not built yet (404) |" in markdown([row], meta)


def paths() -> list[tuple[str, str]]:
    bench = Indicator.objects.filter(source=Indicator.Source.MANUAL, code__contains=".b").order_by("code")
    activity = Activity.objects.filter(slug__startswith=dataset.BENCH_SLUG, state="published").order_by("slug")[0]
    return endpoints(indicator=bench.filter(aggregation=Indicator.Aggregation.ASEM)[0].code, activity=activity.slug,
                     partner_indicator=bench.exclude(aggregation=Indicator.Aggregation.ASEM)[0].code,
                     round_slug=Round.objects.get(slug__startswith=dataset.BENCH_SLUG).slug)


def query_counts(client) -> dict[str, int]:
    counts = {}
    for name, path in paths():
        if not is_built(path):
            counts[name] = None
            continue
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[name] = len(queries)
    return counts


def test_queries_per_request_do_not_grow_with_the_data(db, client, bench_urls):
    build()
    small = query_counts(client)
    four_times = dataclasses.replace(TINY, flows=TINY.flows * 4, activities=TINY.activities * 4,
                                     indicators=TINY.indicators * 4, partner_indicators=TINY.partner_indicators * 4)
    build(four_times)
    assert query_counts(client) == small
    assert set(small) == {name for name, _ in ENDPOINTS}
