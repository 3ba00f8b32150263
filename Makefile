# Two commands matter: `make run` (the daemon and Datasette) and `make test`.
# Each creates the virtualenv it needs; nothing else has to be installed first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test demo bench serve check clean lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The bench extra (trafilatura, readability-lxml) is installed only for the benchmarks.
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# Every benchmark in one command; writes docs/benchmarks.md and docs/benchmarks.json.
# BENCH_ARGS="--only dedup" or "--scale smoke" narrow it (see `python -m bench.run --help`).
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

run: $(STAMP)
	$(BIN)/marsad run

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/marsad --db data/demo.db demo

check: $(STAMP)
	$(BIN)/marsad check

serve: $(STAMP)
	$(BIN)/marsad serve

clean:
	rm -rf $(VENV) build *.egg-info

# Style gates CI runs after the tests: ruff on the code, mypy --strict on crawler/, store/ and
# schedules/. Versions are pinned, so a new release's rules never turn CI red by themselves.
lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff==0.17.6 mypy==2.4.1 types-regex
	$(BIN)/ruff check crawler store schedules tests bench
	$(BIN)/ruff format --check crawler store schedules tests bench
	$(BIN)/mypy crawler store schedules
