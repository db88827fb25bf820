# Tautoko: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format migrate seed bench clean check-deploy schema sample-reports

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint requirements.lock --editable ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

var:
	@mkdir -p var/media var/static

migrate: install var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed
	@echo
	@echo "Tautoko demo on http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Demo logins, password 'tautoko-demo':"
	@echo "  north-caseworker north-caseworker2 north-lead north-officer north-senior-officer north-compliance north-admin"
	@echo "  south-caseworker south-caseworker2 south-lead south-officer south-senior-officer south-compliance south-admin"
	@echo
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint var
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

check-deploy: install
	TAUTOKO_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  ALLOWED_HOSTS=tautoko.example.govt.nz $(PY) manage.py check --deploy --fail-level WARNING

schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

sample-reports: seed
	$(PY) manage.py sample_reports --output-dir var/reports

# National-scale benchmark on PostgreSQL (docs/PERFORMANCE.md): seeds 10k and 100k-client
# worlds once (databases <name>_10000 and <name>_100000, re-used), then measures.
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/tautoko_bench)
BENCH_SIZES ?= 10000,100000
# More options for `python -m bench`, e.g. BENCH_ARGS=--reseed to seed every world again.
BENCH_ARGS ?=

bench: install var
	@$(PY) -c "import psycopg, sys; from urllib.parse import urlsplit, urlunsplit; \
	  u = urlsplit(sys.argv[1]); psycopg.connect(urlunsplit(u._replace(path='/postgres'))).close()" \
	  "$(BENCH_DATABASE_URL)" || (echo "make bench needs PostgreSQL at $(BENCH_DATABASE_URL)"; exit 1)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings \
	  $(PY) -m bench --sizes $(BENCH_SIZES) --out var/bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/tautoko.sqlite3*
