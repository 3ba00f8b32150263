# Two commands matter: `make run` (the daemon and Datasette) and `make test`.
# Each creates the virtualenv it needs; nothing else has to be installed first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo bench serve check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

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
