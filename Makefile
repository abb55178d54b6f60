# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
export DEVGRAPH_STORE ?= var/store

.PHONY: install serve load test conformance bench lint clean fuzz loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

load: install
	$(BIN)/devgraph load ontology shapes data/ttl
	$(BIN)/devgraph reason --no-consistency

serve: load
	$(BIN)/devgraph serve --host $(HOST) --port $(PORT)

test: install
	sh scripts/install-browser.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Store-level and remote tests on a throwaway Virtuoso 7 (apt: virtuoso-opensource-7-bin).
.PHONY: test-virtuoso
test-virtuoso: install
	DEVGRAPH_TEST_BACKENDS=virtuoso $(BIN)/python -m pytest tests/test_store.py tests/remote $(PYTEST_ARGS)

# The W3C SPARQL 1.1 suites against devgraph and a bare Oxigraph server; writes the report.
conformance: install
	$(BIN)/python -m conformance --report conformance/REPORT.md

# Endpoint and import benchmarks (SIZE=100000 for the big run; see docs/performance.md).
SIZE ?= 10000
bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_import.py --repeat 2
	$(BIN)/python benchmarks/bench_endpoint.py --activities $(SIZE) $(if $(filter 100000,$(SIZE)),--rounds 1 --aggregates 1,)
	$(BIN)/python benchmarks/bench_validate.py --activities $(SIZE) --pyshacl-max 100 --repeat 1
	$(BIN)/python benchmarks/bench_queries.py --activities $(SIZE) --repeat 3

# Fuzz the IATI reader for FUZZ_TIME seconds; new inputs go to var/fuzz-corpus, crashes to var/.
FUZZ_TIME ?= 300
fuzz: install
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	mkdir -p var/fuzz-corpus
	$(BIN)/python fuzz/fuzz_iati_reader.py var/fuzz-corpus fuzz/corpus -max_total_time=$(FUZZ_TIME) -artifact_prefix=var/

# N concurrent clients against `devgraph serve` on seeds + IATI samples (docs/reliability.md).
loadtest: install
	$(BIN)/python benchmarks/loadtest.py $(LOADTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests scripts conformance benchmarks fuzz
	$(BIN)/ruff format --check src tests scripts conformance benchmarks fuzz

clean:
	rm -rf $(VENV) var .pytest_cache
