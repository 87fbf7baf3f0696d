# Two commands: `make run` (install, then ingest the bundled sample) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean report eval bench ui browser-check review-check

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[dev,dask]'
	touch $(STAMP)

run: install
	$(BIN)/newsint run

test: install
	$(BIN)/ruff check newsint pipeline flows warehouse tests bench scripts
	$(BIN)/python -m pytest -q

# A local Prefect server on 127.0.0.1 (state in data/prefect-ui) for reviewing runs in the UI.
ui: install
	scripts/ui.sh

# The Prefect UI in headless chromium (installed with apt-get if missing): checks a sample run's
# artifacts render and refreshes docs/prefect-artifacts.png. `make test` runs the same check.
browser-check: install
	$(BIN)/python -m scripts.browser_check --screenshot docs/prefect-artifacts.png

# The review form in the Prefect UI, filled and submitted in headless chromium with Selenium
# (chromium-driver installed with apt-get if missing); refreshes docs/review-form.png and
# docs/review-evidence.png. `make test` runs the same check.
review-check: install
	$(BIN)/python -m scripts.review_check --screenshots docs

# The HTML report of the sample (after `make run`) and its screenshot for README (needs chromium).
report: install
	$(BIN)/newsint report --days 200 -o data/report.html
	$(BIN)/python -m scripts.chromium file://$(CURDIR)/data/report.html docs/report.png

# Extraction accuracy on re3d test and CoNLL++ (needs ../shared), written to docs/accuracy.md.
eval: install
	$(BIN)/newsint eval

# Throughput, re-run cost, load rate, memory and query times (needs ../shared): docs/benchmarks.md.
bench: install
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check newsint pipeline flows warehouse tests
	$(BIN)/ruff format --check newsint pipeline flows warehouse tests

clean:
	rm -rf $(VENV) data models/build
