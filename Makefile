# Two commands: `make run` (install, then ingest the bundled sample) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/newsint run

test: install
	$(BIN)/ruff check pipeline flows warehouse tests
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check pipeline flows warehouse tests
	$(BIN)/ruff format --check pipeline flows warehouse tests

clean:
	rm -rf $(VENV) data models/build
