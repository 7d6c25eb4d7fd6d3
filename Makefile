# Two commands matter: `make demo` runs the product, `make test` runs every test.
# Both install what they need: a venv from the pinned requirements and the npm tools.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.stamp-requirements
NPM_STAMP := node_modules/.stamp-npm

.PHONY: demo test lint bench serve venv npm clean

$(PIP_STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(PIP_STAMP)
npm: $(NPM_STAMP)

demo: $(PIP_STAMP) $(NPM_STAMP)
	$(PY) app.py demo --with-playground

serve: $(PIP_STAMP)
	$(PY) app.py serve

lint: $(PIP_STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

test: $(PIP_STAMP) $(NPM_STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: $(PIP_STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules build var .pytest_cache .ruff_cache
