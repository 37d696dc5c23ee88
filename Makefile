# ふるさと住民登録 platform. `make run` sets up and serves; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FURUSATO_DATABASE_URL ?= sqlite+aiosqlite:///var/furusato.db

.PHONY: run setup js migrate seed tokens test lint typecheck migrations-check pytest schema masterdata lock clean bench-tools bench-performance

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# The reference JavaScript client the subscription tests drive, and the Federation gateway
# (Hive Gateway, the composer) the gateway tests run (when Node.js is there).
clients/js/node_modules: clients/js/package-lock.json
	cd clients/js && npm ci --no-audit --no-fund --silent
	touch clients/js/node_modules

clients/gateway/node_modules: clients/gateway/package-lock.json
	cd clients/gateway && npm ci --no-audit --no-fund --silent
	touch clients/gateway/node_modules

js: clients/js/node_modules clients/gateway/node_modules

migrate: setup
	@mkdir -p var
	$(BIN)/furusato migrate

seed: migrate
	$(BIN)/furusato seed --demo

tokens: setup
	@echo "Demo tokens (send as 'Authorization: Bearer <token>'):"
	@echo "resident 佐藤花子 (verified, premium in 白馬村):"; $(BIN)/furusato token --role resident --subject demo-resident-hanako --verified --name "佐藤 花子"
	@echo "resident 鈴木一郎 (not verified):"; $(BIN)/furusato token --role resident --subject demo-resident-ichiro --name "鈴木 一郎"
	@echo "staff of 白馬村 (204854):"; $(BIN)/furusato token --role staff --subject demo-staff-hakuba --municipality 204854
	@echo "staff of 長野県 (200000):"; $(BIN)/furusato token --role staff --subject demo-staff-nagano --municipality 200000
	@echo "analyst:"; $(BIN)/furusato token --role analyst --subject demo-analyst
	@echo "partner:"; $(BIN)/furusato token --role partner --subject demo-partner --partner demo-partner
	@echo "integration for 白馬村:"; $(BIN)/furusato token --role integration --subject demo-integration --municipality 204854
	@echo "operator:"; $(BIN)/furusato token --role operator --subject demo-operator

run: seed tokens
	@echo "GraphiQL: http://127.0.0.1:8000/graphql"
	$(BIN)/furusato serve --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy .

# The models and the migrations agree (on a scratch database).
migrations-check: setup
	@rm -f var/alembic-check.db; mkdir -p var
	FURUSATO_DATABASE_URL=sqlite+aiosqlite:///var/alembic-check.db $(BIN)/alembic upgrade head
	FURUSATO_DATABASE_URL=sqlite+aiosqlite:///var/alembic-check.db $(BIN)/alembic check
	@rm -f var/alembic-check.db

pytest: setup $(if $(shell command -v npm),js)
	$(BIN)/pytest

test: lint typecheck migrations-check pytest

# Write schema.graphql anew from the code (a test fails while they differ).
schema: setup
	$(BIN)/python -c "from schema.root import schema; print(schema.as_str())" > schema.graphql

# Derive the shipped master data anew from the shared reference copy.
masterdata: setup
	$(BIN)/python -c "from pathlib import Path; from persistence import master_data as m; m.SHIPPED.write_text(m.to_csv(m.derive(Path('../shared/data'))), encoding='utf-8')"

# What bench/performance.py measures with and against: wrk (Debian) and PostGraphile v5 on
# Node.js 22 (both from the npm registry, into bench/postgraphile).
bench/postgraphile/node_modules: bench/postgraphile/package-lock.json
	cd bench/postgraphile && npm ci --no-audit --no-fund --silent
	touch bench/postgraphile/node_modules

bench-tools: setup bench/postgraphile/node_modules
	@command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk

bench-performance: bench-tools
	$(BIN)/python bench/performance.py

lock: setup
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
