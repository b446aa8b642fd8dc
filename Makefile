# autarky — make demo / make test work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest fuzz docs bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.docs: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $@

$(VENV)/.bench: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,bench,sweep]"
	touch $@

## make demo: install, balance the bundled 1963 model, write report/index.html
demo: $(VENV)/.installed
	$(BIN)/autarky demo --out report

## make serve: the plan-operations service at http://127.0.0.1:8000/ (SQLite under ~/.local/share)
serve: $(VENV)/.installed
	$(BIN)/autarky serve

## make test: install with test extras, lint, type-check and run every test
test: lint typecheck pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench tools

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Debian's chromium for the browser test (Playwright drives it; never `playwright install`)
$(VENV)/.chromium: | $(BIN)/python
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else sudo apt-get update && sudo apt-get install -y chromium; fi; }
	touch $@

# Debian's postgresql for the service's tests on PostgreSQL (the tests start a server of their
# own as the `postgres` user: initdb refuses root)
$(VENV)/.postgresql: | $(BIN)/python
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y postgresql; \
	  else sudo apt-get update && sudo apt-get install -y postgresql; fi; }
	touch $@

pytest: $(VENV)/.installed $(VENV)/.chromium $(VENV)/.postgresql
	$(BIN)/python -m pytest src/autarky tests -q

## make docs: the documentation site (docs/_build/html); the tutorials are executed, warnings are errors
docs: $(VENV)/.docs
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

## make fuzz: the fuzz tests with a long, random profile (make test runs a short fixed one)
fuzz: $(VENV)/.installed
	AUTARKY_FUZZ=long $(BIN)/python -m pytest tests/test_fuzz.py -q

bench: $(VENV)/.bench
	$(BIN)/python bench/run.py
	$(BIN)/python bench/lp.py
	$(BIN)/python bench/reliance.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/lp_checks.py
	cd bench && ../$(BIN)/python sweep.py
	cd bench && ../$(BIN)/python sweep_blocks.py
	$(BIN)/python bench/mrio.py
	$(BIN)/python bench/service.py

clean:
	rm -rf $(VENV) report build *.egg-info src/*.egg-info docs/_build docs/jupyter_execute
