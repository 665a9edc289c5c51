# Two commands a new user needs:
#   make demo   build the embedded demo county (ETL into DuckDB) and serve the wall
#   make test   install what the tests need and run the whole suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= build/demo.duckdb
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: demo test venv bench

$(BIN)/.installed-run: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.installed-test: requirements.txt requirements-test.txt $(BIN)/.installed-run
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

demo: $(BIN)/.installed-run
	mkdir -p build
	$(BIN)/python -m etl demo --db $(DB) --settings data/settings.toml
	$(BIN)/python -m dashboard --db $(DB) --settings data/settings.toml --host $(HOST) --port $(PORT)

test: $(BIN)/.installed-test
	bash scripts/system_deps.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist worksteal

bench: $(BIN)/.installed-test
	$(BIN)/python -m bench --out bench/results.json $(BENCH_ARGS)
