# Two commands do all the set-up on a fresh machine (see README.md):
#   make book   builds the HTML book into _build/html, executing the notebooks
#   make test   runs the unit tests, the notebooks under nbval and a -W book build
# Every pip call goes through constraints.txt (torch==2.13.0, jupyter-book==1.0.4.post1).

VENV ?= .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip
INSTALLED := $(VENV)/.installed
SHARED_DATA := $(abspath ../shared/data)

# Executed notebooks record no progress bars; real data come from ../shared/data when it exists.
export LATENTBIO_PROGRESS ?= 0
ifneq ($(wildcard $(SHARED_DATA)),)
export LATENTBIO_DATA_MIRROR ?= $(SHARED_DATA)
endif

NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: install test unit notebooks book book-committed student bench bench-train execute clean ch05-table

$(PYTHON):
	python3 -m venv $(VENV)

$(INSTALLED): $(PYTHON) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt --upgrade pip
	$(PIP) install -c constraints.txt -e ".[book,test]"
	touch $@

install: $(INSTALLED)

# Chapter 5's table (every held-out cell type x 3 seeds, both protocols) takes longer than a chapter's
# 3 minutes, so it is computed here; the notebook reads and checks it. Remade when the package changes.
CH05_TABLE := _build/ch05_ood_table.csv
CH05_SOURCES := scripts/ch05_ood_table.py $(shell find src/latentbio -name '*.py' -not -path '*/plotting/*' \
	-not -path '*/widgets/*' -not -path '*/exercises/*' 2>/dev/null)

$(CH05_TABLE): $(INSTALLED) $(CH05_SOURCES)
	$(PYTHON) scripts/ch05_ood_table.py --workers 2 --output $@

ch05-table: $(CH05_TABLE)

test notebooks book bench execute: $(CH05_TABLE)

test: $(INSTALLED)
	$(PYTHON) -m pytest -p no:cacheprovider $(NBVAL) tests chapters
	$(MAKE) book-committed

unit: $(INSTALLED)
	$(PYTHON) -m pytest -p no:cacheprovider tests

notebooks: $(INSTALLED)
	$(PYTHON) -m pytest -p no:cacheprovider $(NBVAL) chapters

# The book from the committed notebook outputs (no execution), warnings as errors.
book-committed: $(INSTALLED)
	$(PYTHON) scripts/book_config.py --no-execute _build/_config_committed.yml
	$(VENV)/bin/jupyter-book build . --config _build/_config_committed.yml -W --keep-going

# The book, executing the notebooks (results cached in _build/.jupyter_cache).
book: $(INSTALLED)
	$(VENV)/bin/jupyter-book build . -W --keep-going
	@echo "Open _build/html/index.html"

student: $(INSTALLED)
	$(PYTHON) -m latentbio.exercises.student chapters _build/student

bench: $(INSTALLED)
	$(PYTHON) scripts/bench.py chapters _build/bench.md

# Steps per second of the package's training loop against a bare torch loop (the count VAE).
bench-train: $(INSTALLED)
	$(PYTHON) scripts/bench_train.py

# Re-execute every chapter in place (the outputs to commit), benchmarking as it goes.
execute: $(INSTALLED)
	$(PYTHON) scripts/bench.py chapters _build/bench.md --inplace

clean:
	rm -rf _build
