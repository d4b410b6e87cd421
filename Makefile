# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint deadcode migrations-check worker beat setup clean-demo backup restore reliability

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The embedded setup: SQLite, local-memory cache, tasks in-process. DEBUG is on for local use only.
setup: export DEBUG ?= true
setup: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_strategy
	$(PY) manage.py load_demo
	$(PY) manage.py create_local_admin

run: export DEBUG ?= true
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite in TEST_WORKERS processes at once (pytest-xdist), printing its slowest tests; then the fault tests, one
# at a time, since they start, break and time servers of their own. A step that PYTEST_ARGS leaves with nothing to
# run (pytest's exit 5) is no failure; with no PYTEST_ARGS it is one, as a step that finds nothing has gone wrong.
TEST_WORKERS ?= 3
NOTHING_COLLECTED_OK := $(if $(strip $(PYTEST_ARGS)),5,never)
test: $(VENV)/.dev
	$(PY) -m pytest -n $(TEST_WORKERS) --fault-tests=without --durations=25 $(PYTEST_ARGS) \
		|| [ "$$?" = "$(NOTHING_COLLECTED_OK)" ]
	$(PY) -m pytest --fault-tests=only --durations=10 $(PYTEST_ARGS) || [ "$$?" = "$(NOTHING_COLLECTED_OK)" ]

# ruff, then the layering of .importlinter: an import that runs back up fails it.
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Code nothing uses: vulture, set up in pyproject.toml, with the names Django reaches unseen in vulture_whitelist.py.
deadcode: $(VENV)/.dev
	$(VENV)/bin/vulture

migrations-check: export DEBUG ?= true
migrations-check: $(VENV)/.runtime
	$(PY) manage.py makemigrations --check --dry-run

worker: $(VENV)/.runtime
	$(VENV)/bin/celery -A asem_portal worker --loglevel=INFO

beat: $(VENV)/.runtime
	$(VENV)/bin/celery -A asem_portal beat --loglevel=INFO

clean-demo: export DEBUG ?= true
clean-demo: $(VENV)/.runtime
	$(PY) manage.py load_demo --remove

# The benchmark (bench/, docs/performance.md): the portal under gunicorn with DEBUG off against PostgreSQL
# and Redis on 127.0.0.1, driven by wrk (apt-get install wrk). BENCH_SCALE=large is a million flows.
BENCH_SCALE ?= large
# Where the endpoints' results go; the pass without the whole-response cache adds -no-response-cache.
BENCH_OUTPUT ?= bench/results/latest
.PHONY: bench bench-small bench-data bench-endpoints bench-no-response-cache bench-import bench-memory

bench: bench-endpoints bench-no-response-cache bench-import bench-memory

# The small scale, 2 s per endpoint: the whole harness in a few minutes.
bench-small:
	$(MAKE) bench BENCH_SCALE=small BENCH_OUTPUT=bench/data/small BENCH_ARGS="--duration 2" \
		IMPORT_ARGS="--output bench/data/import-small" \
		MEMORY_ARGS="--flows 20000 --output bench/data/memory-small"

bench-data: $(VENV)/.runtime
	$(PY) -m bench.run --scale $(BENCH_SCALE) --build --passes ""

bench-endpoints: $(VENV)/.runtime
	$(PY) -m bench.run --scale $(BENCH_SCALE) --output $(BENCH_OUTPUT) $(BENCH_ARGS)

# The public endpoints again, warm, computing every answer (RESPONSE_CACHE=false), each beside its floor.
bench-no-response-cache: $(VENV)/.runtime
	$(PY) -m bench.run --scale $(BENCH_SCALE) --no-response-cache --passes warm \
		--output $(BENCH_OUTPUT)-no-response-cache $(BENCH_ARGS)

bench-import: $(VENV)/.runtime
	$(PY) -m bench.import_bench --scale $(BENCH_SCALE) $(IMPORT_ARGS)

# One gunicorn worker's memory while it streams the API's CSV of a million flows (its own database).
bench-memory: $(VENV)/.runtime
	$(PY) -m bench.memory $(MEMORY_ARGS)

# Back up and restore the database that DATABASE_URL names (docs/operations.md).
BACKUP ?= backups/asem-$(shell date -u +%Y%m%dT%H%M%SZ).dump
backup: $(VENV)/.runtime
	$(PY) manage.py backup --output $(BACKUP)

restore: $(VENV)/.runtime
	@test -n "$(FROM)" || (echo "usage: make restore FROM=backups/asem-....dump" && exit 1)
	$(PY) manage.py restore --input $(FROM)

# The fault tests, the 60-second load test with 64 clients and a long schemathesis run. Figures are appended to
# .pytest_cache/reliability/figures.jsonl (docs/reliability.md quotes them). Needs PostgreSQL's binaries,
# redis-server, and DATABASE_URL/REDIS_URL for the schemathesis run as in CI.
RELIABILITY_SECONDS ?= 60
RELIABILITY_CLIENTS ?= 64
RELIABILITY_EXAMPLES ?= 50
reliability: $(VENV)/.dev
	RELIABILITY_SECONDS=$(RELIABILITY_SECONDS) RELIABILITY_CLIENTS=$(RELIABILITY_CLIENTS) \
	$(PY) -m pytest tests/reliability tests/asem_portal/test_security.py tests/asem_portal/test_security_input.py \
		-m "reliability or load or not load" --durations=0 -v $(PYTEST_ARGS)
	SCHEMATHESIS_MAX_EXAMPLES=$(RELIABILITY_EXAMPLES) $(PY) -m pytest tests/api/test_schemathesis.py --durations=0 -v
