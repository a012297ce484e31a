# The two set-up commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# Tests run in two processes (pytest-xdist), each with its own test database; a module's
# tests stay together (loadscope), so module fixtures run once. PYTEST_WORKERS=0 for one.
# The transactional tests (browser and concurrency tests: they commit for real) run second,
# on their own: the flush after each would empty a worker's seeded database under the tests
# that follow it (tests/conftest.py marks them).
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadscope
# A fixed key for the test run only; production sets SECRET_KEY in its environment.
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production-5f2c0a9e1b7d

.PHONY: run test install browser lint migrations-check bench

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## run: the app on the embedded PostgreSQL with the demo trial, at http://127.0.0.1:8000
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## test: every test, browser tests included (installs Debian's chromium when missing)
test: install browser
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_PARALLEL) -m "not transactional"
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_PARALLEL) -m transactional

# Browser tests drive Debian's Chromium, never a downloaded build.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium: run 'sudo apt-get install -y chromium'." >&2; exit 1; \
	  fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

## bench: the listings and exports timed at trial scale, on a database of their own
## (edc_bench; bench/README.md). BENCH_ARGS="--sites 5 --participants-per-site 20" for a
## quick run; the first run generates the data (a few minutes at the defaults).
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
