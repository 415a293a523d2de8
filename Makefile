# Two set-up commands: `make serve` (build and preview) and `make test`.
# Every target creates .venv and installs the pinned dependencies first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + [d for g in p['optional-dependencies'].values() for d in g]))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $(STAMP)

## serve: build the site and preview it on http://127.0.0.1:8000, reloading on every edit
serve: $(STAMP)
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

## build: build the site into site/ (strict: any warning fails the build)
build: $(STAMP)
	$(PY) -m mkdocs build --strict

## check: validate every entry, fast, without building
check: $(STAMP)
	$(PY) -m macros check

## test: run the whole test suite
test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf site .pytest_cache
