# Quartiers — deux commandes : `make run` (application de démonstration) et `make test` (tous les contrôles).
# Installations reproductibles : les versions viennent des fichiers verrouillés de requirements/
# (base.txt pour `make run`, postgres.txt si DATABASE_URL désigne PostgreSQL, test.txt pour
# `make test`). Après tout changement de dépendances dans pyproject.toml : `make lock`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
PG_URL ?= postgres://postgres@127.0.0.1:5432/quartiers
RUN_LOCK := requirements/$(if $(filter postgres%,$(DATABASE_URL)),postgres,base).txt
PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host

.PHONY: install install-run lock run test lint typecheck test-sqlite test-postgres services bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Tout (dev, serveurs de test, PostgreSQL) pour `make test`.
$(STAMP): requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python scripts/check_lock.py requirements/test.txt dev test-servers postgres
	$(BIN)/pip install --quiet -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP) $(RUN_STAMP)

# Le strict nécessaire pour servir (plus psycopg si DATABASE_URL est PostgreSQL).
$(RUN_STAMP): $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python scripts/check_lock.py $(RUN_LOCK) $(if $(filter postgres%,$(DATABASE_URL)),postgres)
	$(BIN)/pip install --quiet -r $(RUN_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

install: $(STAMP)

install-run: $(RUN_STAMP)

# Régénère les trois fichiers verrouillés depuis pyproject.toml (une commande pour le fusionneur).
lock: $(BIN)/python
	test -x $(BIN)/pip-compile || $(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) -o requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra postgres -o requirements/postgres.txt pyproject.toml
	$(PIP_COMPILE) --all-extras -o requirements/test.txt pyproject.toml

run: install-run
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

# Chaque passage de tests a son propre dossier de travail (fichiers de traitements, base SQLite
# de test) : rien ne se mélange avec la base de `make run`.
test-sqlite: install
	env -u DATABASE_URL QUARTIERS_VAR_DIR=$$(mktemp -d -t quartiers-test-XXXXXX) $(BIN)/pytest

test-postgres: install
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		echo "== Tests base de données sur PostgreSQL ($(PG_URL))"; \
		DATABASE_URL="$(PG_URL)" QUARTIERS_VAR_DIR=$$(mktemp -d -t quartiers-test-XXXXXX) $(BIN)/pytest -m db; \
	else \
		echo "== PostgreSQL ne répond pas sur 127.0.0.1:5432 : tests PostgreSQL IGNORÉS"; \
	fi

test: install services lint typecheck test-sqlite test-postgres

bench: install
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache .mypy_cache .ruff_cache
