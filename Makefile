# Two set-up commands: `make serve` (build and preview) and `make test`.
# Every target creates .venv and installs the pinned dependencies first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test test-fast lint clean new import report bench dist preview-dist

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + [d for g in p['optional-dependencies'].values() for d in g]))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $(STAMP)

## serve: build the site and preview it on http://127.0.0.1:8000, reloading on every edit
serve: $(STAMP)
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

## build: build the site into site/ (strict: any warning fails the build)
build: $(STAMP)
	$(PY) -m mkdocs build --strict

## dist: the production build for SITE_URL (https://, public): site/ with _headers, and deploy/nginx/glossary.conf
dist: $(STAMP)
	$(PY) -m macros dist

## preview-dist: serve the production build through nginx on 127.0.0.1:PORT (default 8080) until Ctrl-C
PORT ?= 8080
preview-dist: $(STAMP)
	$(PY) -m macros preview-dist --port $(PORT)

## check: validate every entry, fast, without building
check: $(STAMP)
	$(PY) -m macros check

## new: start an entry with every field: make new TERM="GABA-A Receptor" (creates glossary/gaba-a-receptor.yaml)
# TERM is also the terminal's variable, so only a value given on the command line counts.
new: export GLOSSARY_NEW_TERM := $(value TERM)
new: $(STAMP)
	@if [ "$(origin TERM)" != "command line" ]; then echo 'usage: make new TERM="Term Name"' >&2; exit 2; fi
	$(PY) -m macros new "$$GLOSSARY_NEW_TERM"

## import: turn plaintext glossary pages into draft entries: make import FILES="page1.txt page2.txt"
import: $(STAMP)
	@if [ -z "$(FILES)" ]; then echo 'usage: make import FILES="page1.txt page2.txt"' >&2; exit 2; fi
	$(PY) -m macros import $(FILES)

## report: entries by evidence and status, old reviews, orphans, unmentioned entries, uncited references
report: $(STAMP)
	$(PY) -m macros report

## bench: our build against plain MkDocs + Material on synthetic glossaries; results in bench/out/ (see BENCHMARKS.md)
# make bench RUNS=5 SIZES="1000 4000" BENCHFLAGS="--profile" (BENCHFLAGS="--serve 0" skips the serve test)
RUNS  ?= 3
SIZES ?= 1000 4000
bench: $(STAMP)
	$(PY) -m bench --runs $(RUNS) --sizes $(SIZES) $(BENCHFLAGS)

## test: run the whole test suite
test: $(STAMP)
	$(PY) -m pytest

## test-fast: everything but the browser and slow tests (no real-site build, no Chromium), in under a minute,
## on every CPU up to 4 (pytest-xdist)
test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser and not slow" --numprocesses=auto --maxprocesses=4

## lint: ruff over the code and tests, mypy over macros/
lint: $(STAMP)
	$(VENV)/bin/ruff check macros tests bench
	$(VENV)/bin/mypy macros

clean:
	rm -rf site .pytest_cache .preview-dist deploy/nginx/glossary.conf
