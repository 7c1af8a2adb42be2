# hall: make demo · make test · make check
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint format bench venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Run the demo hall: hub + kiosk + counter + lobby board (SQLite file var/hall.db)
demo: $(STAMP)
	$(BIN)/hall demo

## Run the tests (PostgreSQL tests use 127.0.0.1:5432; browser tests need /usr/bin/chromium)
test: $(STAMP)
	$(BIN)/pytest -q

## Lint, type-check and test
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/hub_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
