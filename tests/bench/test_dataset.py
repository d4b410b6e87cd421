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
from bench.common import BENCH_FOCAL_POINT, BENCH_PASSWORD, BENCH_SECRETARIAT
from bench.run import ENDPOINTS, PUBLIC, endpoints
from core.roles import is_secretariat
from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner
from mobility.selectors import flow_conflicts
from objectives.models import Indicator, Observation, PartnerTarget
from opendata.models import DataRelease
from reporting.models import Reminder, Return, ReturnValue, ReturnVersion, Round

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

    assert MobilityFlow.objects.filter(is_public=True).count() == TINY.flows
    assert Activity.objects.filter(slug__startswith=dataset.BENCH_SLUG).count() == TINY.activities
    assert Indicator.objects.filter(code__contains=".b").count() == TINY.indicators + TINY.partner_indicators
    manual = Indicator.objects.filter(code__contains=".b", source=Indicator.Source.MANUAL,
                                      aggregation=Indicator.Aggregation.ASEM).first()
    assert Observation.objects.filter(indicator=manual, breakdown="").count() == TINY.observation_years
    assert Partner.objects.count() == 53, "the real partners come from load_strategy"


def test_the_build_leaves_the_kept_activity_counts_current_and_true_to_the_activities(db):
    from mobility import activity_counts

    build()
    assert activity_counts.current()
    kept = activity_counts.kept(activity_counts.Kind.LED)
    published = Activity.objects.filter(state=Activity.State.PUBLISHED)
    assert kept[(activity_counts.Kind.ALL, None)][0] == published.count()
    germany = Partner.objects.get(code="DE")
    assert kept.get((activity_counts.Kind.LED, germany.pk), (0, 0))[0] == published.filter(lead_partner=germany).count()


def test_every_partner_reports_every_indicator_every_year_and_asem_is_made_from_them(db):
    report = build()

    reported = list(Indicator.objects.filter(code__contains=".b").exclude(aggregation=Indicator.Aggregation.ASEM))
    assert len(reported) == TINY.partner_indicators
    assert {i.aggregation for i in reported} == {"sum", "mean"} | ({"count"} if len(reported) >= 5 else set())
    partner_values = Observation.objects.filter(indicator__in=reported, partner__isnull=False)
    assert report.partner_values == partner_values.count() == 53 * TINY.partner_indicators * TINY.observation_years
    asem = Observation.objects.filter(indicator__in=reported, partner__isnull=True).order_by("indicator", "year")
    assert asem.count() == TINY.partner_indicators * TINY.observation_years
    assert all(o.is_computed and o.coverage == 53 for o in asem)
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
    assert round_.returns.get(partner__code="DE").state == Return.State.RETURNED, "the focal point's fullest form"


def test_each_return_has_the_versions_and_moves_its_history_shows(db):
    build()

    returned = Return.objects.get(round__slug__startswith=dataset.BENCH_SLUG, partner__code="DE")
    versions = list(ReturnVersion.objects.filter(report=returned).order_by("number"))
    assert [v.number for v in versions] == [0, 1, 2] and returned.version == 2
    current = {f"{v.indicator.code}/{v.year}": v.value for v in ReturnValue.objects.filter(report=returned)}
    assert versions[-1].content["values"] == current, "the latest version is the return as it stands"
    assert 0 < len(versions[1].content["values"]) < len(current), "the first save held half the values"
    moves = list(returned.history.order_by("history_date").values_list("state", flat=True))
    assert moves == [Return.State.DRAFT, Return.State.SUBMITTED, Return.State.RETURNED]
    draft = Return.objects.filter(round__slug__startswith=dataset.BENCH_SLUG, state=Return.State.DRAFT).first()
    assert ReturnVersion.objects.filter(report=draft).count() == draft.version + 1


def test_the_round_has_a_year_of_weekly_reminders_from_the_board(db):
    report = build()

    reminders = Reminder.objects.filter(report__round__slug__startswith=dataset.BENCH_SLUG)
    assert report.reminders == reminders.count()
    returned = reminders.filter(report__partner__code="DE")
    assert returned.count() == 52
    first, last = returned.order_by("sent_at").first(), returned.order_by("sent_at").last()
    assert (last.sent_at - first.sent_at).days == 357
    assert all(r.threshold.startswith("manual-") and r.sent_by.username == BENCH_SECRETARIAT for r in returned)


def test_some_flows_are_reported_by_both_ends_and_the_host_rule_settles_them(db):
    report = build()

    hidden = MobilityFlow.objects.filter(is_public=False)
    assert report.conflicts == hidden.count() == len(range(0, TINY.flows, dataset.conflict_step(TINY)))
    assert all(flow.reported_by_id == flow.origin_id for flow in hidden), "the origin's row gives way to the host's"
    conflicts = flow_conflicts()
    assert len(conflicts) == report.conflicts
    assert all(c.public == "destination" and c.origin_figure != c.destination_figure for c in conflicts)


def test_the_benchmark_accounts_sign_in_as_a_focal_point_and_the_secretariat(db, client):
    build()

    sign_in_as(client, "focal point")
    assert client.get("/workspace/").status_code == 200
    focal_point = client.get("/workspace/").wsgi_request.user
    assert list(focal_point.partner_memberships.values_list("partner__code", flat=True)) == ["DE"]
    assert not is_secretariat(focal_point)
    sign_in_as(client, "secretariat")
    assert is_secretariat(client.get("/workspace/").wsgi_request.user)


def test_a_few_small_releases_are_listed_on_the_data_page(db, client):
    report = build()

    releases = DataRelease.objects.filter(state=DataRelease.State.READY)
    assert report.releases == releases.count() == dataset.BENCH_RELEASES
    page = client.get("/data/").content.decode()
    assert all(release.sha256[:16] in page for release in releases)
    download = client.get(releases[0].download_url)
    assert b"".join(download.streaming_content)[:2] == b"PK", "each is a zip, small and marked synthetic"


def test_a_second_build_replaces_the_first(db):
    build()
    report = build()
    assert Round.objects.filter(slug__startswith=dataset.BENCH_SLUG).count() == 1
    assert Return.objects.count() == 53
    assert Reminder.objects.count() == report.reminders
    assert ReturnVersion.objects.count() == report.versions
    assert DataRelease.objects.count() == report.releases
    bench_values = Observation.objects.filter(partner__isnull=False, indicator__code__contains=".b")
    assert bench_values.count() == report.partner_values
    assert report.flows == MobilityFlow.objects.filter(is_public=True).count() == TINY.flows
    assert report.conflicts == MobilityFlow.objects.filter(is_public=False).count()
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


def sign_in_as(client, who: str) -> None:
    """Anonymous for a public endpoint; else signed in through the sign-in form with the password, as the run does."""
    client.logout()
    if who != PUBLIC:
        username = {"focal point": BENCH_FOCAL_POINT, "secretariat": BENCH_SECRETARIAT}[who]
        response = client.post("/accounts/sign-in/", {"username": username, "password": BENCH_PASSWORD})
        assert response.status_code == 302, f"{username} could not sign in"


def test_every_benchmarked_endpoint_answers(db, client, bench_urls):
    build()
    for name, path, who in paths():
        sign_in_as(client, who)
        response = client.get(path)
        if not is_built(path):
            assert response.status_code == 404, f"{name} {path}: {response.status_code}"
            continue
        assert response.status_code == 200, f"{name} {path} as {who}: {response.status_code}"
        assert int(response["X-Bench-Queries"]) >= 0


def test_signed_in_endpoints_are_the_pages_of_the_focal_point_and_the_secretariat():
    who = {name: who for name, _, who in ENDPOINTS}
    assert {who[name] for name in ("workspace home", "return form", "return history")} == {"focal point"}
    assert {who[name] for name in ("review queue", "return review", "round board", "admin activities",
                                   "admin flows", "admin observations")} == {"secretariat"}
    assert who["partner"] == who["api mobility sdmx"] == who["embed indicator"] == who["sitemap"] == PUBLIC


def test_an_endpoint_not_built_yet_is_reported_so_and_not_measured():
    from bench.run import NOT_BUILT, judge, markdown, not_built

    row = judge(not_built("objective partners", "/objectives/1/partners/", cache="cold", connections=1)
                | {"ratio": None}, response_cache=True)
    assert (row["status"], row["errors"], row["note"], row["met"]) == (404, 0, NOT_BUILT, None)
    assert "| objective partners (`/objectives/1/partners/`) | public | cold | not built yet (404) |" in markdown(
        [row], META)


META = {"scale": "tiny", "finished": "now", "machine": {"cpus": 1, "cpu_model": "", "memory_gib": 1}, "workers": 1,
        "data": "", "cold_connections": 1, "connections": 1, "duration": 1, "response_cache": "on",
        "load_average": "0"}


def measured(name, who, cache, ratio, errors=0) -> dict:
    return {"endpoint": name, "path": f"/{name}/", "who": who, "cache": cache, "p50_ms": ratio, "p95_ms": ratio,
            "p99_ms": ratio, "rps": 1.0, "errors": errors, "queries": 3, "baseline_p50_ms": 1.0, "ratio": ratio,
            "load_average": 0.5}


@pytest.mark.parametrize(("who", "cache", "response_cache", "ratio", "target", "met"), [
    (PUBLIC, "warm", True, 1.5, 1.5, True),
    (PUBLIC, "warm", True, 1.6, 1.5, False),
    (PUBLIC, "warm", False, 4.9, 5.0, True),
    ("secretariat", "warm", True, 4.9, 5.0, True),
    ("focal point", "warm", True, 5.1, 5.0, False),
    ("focal point", "cold", True, 59.0, 60.0, True),
    (PUBLIC, "cold", False, 61.0, 60.0, False),
])
def test_each_row_is_judged_against_the_target_for_who_reads_it_and_how(who, cache, response_cache, ratio, target,
                                                                        met):
    from bench.run import judge

    row = judge(measured("page", who, cache, ratio), response_cache=response_cache)
    assert (row["target"], row["met"]) == (target, met)


def test_an_error_misses_the_target_whatever_the_ratio():
    from bench.run import judge

    assert judge(measured("page", PUBLIC, "warm", 1.0, errors=1), response_cache=True)["met"] is False


def test_the_results_say_which_targets_were_missed_and_the_workers_peak_memory():
    from bench.run import judge, markdown

    rows = [judge(measured("fast", PUBLIC, "warm", 1.2), response_cache=True),
            judge(measured("slow board", "secretariat", "warm", 7.0), response_cache=True)]
    memory = {"warm": {"processes": [{"pid": 1, "role": "master", "rss_mb": 40.0, "peak_mb": 41.0},
                                     {"pid": 2, "role": "worker", "rss_mb": 120.0, "peak_mb": 260.5}],
                       "worker_peak_mb": 260.5, "target_mb": 250, "met": False}}
    text = markdown(rows, META | {"memory": memory})
    assert "Targets met: 1 of 2 measured rows; not met: slow board (warm)" in text
    assert "Workers' peak memory: 260.5 MB (target 250 MB: not met)" in text
    assert "| slow board (`/slow board/`) | secretariat | warm | 7.00 |" in text
    assert "| warm | worker | 2 | 260.5 | 120.0 | 250 MB: **not met** |" in text


def test_an_endpoint_slower_than_the_run_reports_its_one_timed_request_not_zero(monkeypatch):
    from bench import run

    def slow_get(url, timeout=60, *, cookie=""):
        clock.append(clock[-1] + 3.0)  # three seconds pass during the one request
        return 200, {"X-Bench-Queries": "5"}, b"<html>"

    clock = [100.0]
    monkeypatch.setattr(run, "drain", lambda server: None)
    monkeypatch.setattr(run, "get", slow_get)
    monkeypatch.setattr(run.time, "monotonic", lambda: clock[-1])
    monkeypatch.setattr(run, "wrk", lambda url, **kwargs: {"requests": 0, "duration_us": 2_000_000, "p50_us": 0,
                                                           "p95_us": 0, "p99_us": 0, "max_us": 0})
    server = type("Server", (), {"base": "http://127.0.0.1:1"})()
    row = run.measure(server, "sitemap", "/sitemap.xml", cache="cold", connections=1, threads=1, duration=2)
    assert (row["p50_ms"], row["p99_ms"], row["requests"], row["queries"]) == (3000.0, 3000.0, 0, 5)
    assert run.judge(row | {"ratio": 3000.0}, response_cache=True)["met"] is False


def test_the_memory_watch_keeps_each_process_peak_and_judges_the_workers_only(monkeypatch):
    from bench import run

    readings = iter([{10: "master", 11: "worker"}, {10: "master", 12: "worker"}])
    sizes = {(10, "VmRSS"): 50 * 1024, (10, "VmHWM"): 300 * 1024, (11, "VmRSS"): 100 * 1024,
             (11, "VmHWM"): 180 * 1024, (12, "VmRSS"): 90 * 1024, (12, "VmHWM"): 120 * 1024}
    monkeypatch.setattr(run, "processes", lambda server: next(readings))
    monkeypatch.setattr(run, "status_kb", lambda pid, field: sizes[(pid, field)])
    watch = run.MemoryWatch()
    watch.read(None)
    watch.read(None)
    report = watch.report()
    assert [(p["pid"], p["role"], p["peak_mb"]) for p in report["processes"]] == [
        (10, "master", 300.0), (11, "worker", 180.0), (12, "worker", 120.0)]
    assert (report["worker_peak_mb"], report["met"]) == (180.0, True), "the master's memory is not a worker's"


def paths() -> list[tuple[str, str, str]]:
    bench = Indicator.objects.filter(source=Indicator.Source.MANUAL, code__contains=".b").order_by("code")
    activity = Activity.objects.filter(slug__startswith=dataset.BENCH_SLUG, state="published").order_by("slug")[0]
    round_ = Round.objects.get(slug__startswith=dataset.BENCH_SLUG)
    return endpoints(indicator=bench.filter(aggregation=Indicator.Aggregation.ASEM)[0].code, activity=activity.slug,
                     partner_indicator=bench.exclude(aggregation=Indicator.Aggregation.ASEM)[0].code,
                     round_slug=round_.slug, focal_return=round_.returns.get(partner__code="DE").pk,
                     review_return=round_.returns.filter(state=Return.State.SUBMITTED)
                     .order_by("partner__code")[0].pk, instrument=Instrument.objects.order_by("number")[0].slug)


def query_counts(client) -> dict[str, int]:
    counts = {}
    for name, path, who in paths():
        if not is_built(path):
            counts[name] = None
            continue
        sign_in_as(client, who)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, f"{name} {path}"
        counts[name] = len(queries)
    return counts


def test_queries_per_request_do_not_grow_with_the_data(db, client, bench_urls):
    build()
    small = query_counts(client)
    ten_times = dataclasses.replace(TINY, flows=TINY.flows * 10, activities=TINY.activities * 10,
                                    indicators=TINY.indicators * 10, partner_indicators=TINY.partner_indicators * 10)
    build(ten_times)
    assert query_counts(client) == small
    assert set(small) == {name for name, _, _ in ENDPOINTS}
