# lms: `make run` serves the app with demo data; `make test` runs every test. Both install first.

VENV      ?= .venv
PYTHON    ?= python3
PY        := $(VENV)/bin/python
LMS       := $(VENV)/bin/lms
STAMP     := $(VENV)/.installed
HOST      ?= 127.0.0.1
PORT      ?= 5000
WORKERS   ?= 2
# gunicorn's worker class: sync (the default: the lower p95 on this machine, local SQLite, quiet)
# or gthread with THREADS threads a worker (more throughput when the machine is loaded or the
# database is another host); docs/PERFORMANCE.md, pages under 20 concurrent clients. Threads stay 1
# with sync workers: gunicorn turns a sync worker with more threads into gthread.
WORKER_CLASS ?= sync
THREADS   ?= $(if $(filter gthread,$(WORKER_CLASS)),4,1)
# test processes (pytest-xdist): one per core, at most 8 (each holds databases and a browser)
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -gt 8 ] && n=8; echo $$n)
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-system install-runtime apt-packages translations messages run lint test clean

## install: Python packages in .venv (editable) and compiled message catalogues
install: $(STAMP) translations

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d lms/translations -D messages --statistics 2>&1 | tail -n 2

## install-system: Debian packages when missing: Pango and fonts for PDFs (WeasyPrint), and for the
## tests Chromium, the PostgreSQL server and Redis
install-system:
	@$(MAKE) --no-print-directory apt-packages WITH_TEST_PACKAGES=1

install-runtime:
	@$(MAKE) --no-print-directory apt-packages

apt-packages:
	@need=""; \
	ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || need="$$need libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -q . || need="$$need fonts-dejavu-core"; \
	if [ -n "$(WITH_TEST_PACKAGES)" ]; then \
	  command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	  command -v redis-server >/dev/null 2>&1 || need="$$need redis-server"; \
	fi; \
	if [ -n "$$need" ]; then \
	  echo "installing Debian packages:$$need"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$need >/dev/null; \
	fi

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	@chmod 600 $@

## run: migrate the database, load the demo data when empty, start the task consumer (`lms worker`,
## its queue a SQLite file under instance/) and serve on http://127.0.0.1:5000; Ctrl-C stops both
run: install install-runtime instance/secret_key
	@export LMS_SECRET_KEY="$$(cat instance/secret_key)"; \
	$(LMS) db upgrade && \
	$(LMS) demo --if-empty && \
	{ $(LMS) worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  echo "Serving lms on http://$(HOST):$(PORT) (Ctrl-C to stop)"; \
	  $(VENV)/bin/gunicorn --workers $(WORKERS) --worker-class $(WORKER_CLASS) --threads $(THREADS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app; }

## lint: ruff's checks and formatting (fails on any finding; `ruff format .` fixes the formatting)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## test: the lint, then every test, browser and PostgreSQL ones included, on $(TEST_WORKERS) processes
test: install install-system lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

clean:
	rm -rf $(VENV) instance .pytest_cache

## messages: extract the messages to translate and merge them into the French catalogue
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k _nl:1,2 --no-location --sort-output --project lms -o lms/translations/messages.pot .
	$(VENV)/bin/pybabel update -i lms/translations/messages.pot -d lms/translations --width 100
