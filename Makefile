# Quartiers — deux commandes : `make run` (application de démonstration) et `make test` (tous les contrôles).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/quartiers

.PHONY: install run test lint typecheck test-sqlite test-postgres services bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/quartiers migrate
	$(BIN)/quartiers territories import --if-empty || echo "Découpage administratif non chargé (hors ligne ?) : la démonstration démarre sans ; relancez « quartiers territories import » plus tard."
	$(BIN)/quartiers demo --if-empty
	QUARTIERS_DEMO=1 $(BIN)/quartiers serve --host 127.0.0.1 --port 8000

services:
	bash scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports --no-cache
	env -u DATABASE_URL QUARTIERS_VAR_DIR=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run --settings=quartiers.settings

typecheck: install
	QUARTIERS_VAR_DIR=$$(mktemp -d) $(BIN)/mypy

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		echo "== Tests base de données sur PostgreSQL ($(PG_URL))"; \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -m db; \
	else \
		echo "== PostgreSQL ne répond pas sur 127.0.0.1:5432 : tests PostgreSQL IGNORÉS"; \
	fi

test: install services lint typecheck test-sqlite test-postgres

bench: install
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache .mypy_cache .ruff_cache
