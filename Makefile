# The two commands of README.md:
#   make run   - create .venv, install, run the default config.yaml end-to-end
#   make test  - create .venv, install, run the test suite (what CI runs)
# and the documentation site (mkdocs.yml):
#   make docs        - build it into site/ (warnings fail the build)
#   make docs-serve  - serve it with live reload at http://127.0.0.1:8000
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
CORES ?= all
# GPUs of this machine that GPU jobs may share, one job per GPU (docs/how-to/gpus.md);
# a local-run setting, so it is here and not in profiles/default.
GPUS ?= 1
STAMP := $(VENV)/.installed

.PHONY: run test test-slow lint venv docs docs-serve clean-results

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,slurm,docs]"
	touch $(STAMP)

run: $(STAMP)
	PATH="$(BIN):$$PATH" snakemake --cores $(CORES) --resources gpu=$(GPUS)

test: $(STAMP)
	PATH="$(BIN):$$PATH" python -m pytest -q

test-slow: $(STAMP)
	PATH="$(BIN):$$PATH" python -m pytest -q -m slow

lint: $(STAMP)
	PATH="$(BIN):$$PATH" ruff check surrogate tests benchmarks docs
	PATH="$(BIN):$$PATH" snakemake --lint

# The two variables silence a banner about a future MkDocs 2 that plugins print on start.
DOCS_ENV := NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true PATH="$(BIN):$$PATH"

docs: $(STAMP)
	$(DOCS_ENV) mkdocs build --strict

docs-serve: $(STAMP)
	$(DOCS_ENV) mkdocs serve

clean-results:
	rm -rf results .snakemake
