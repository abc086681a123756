# Two commands do all the set-up on a fresh machine (see README.md):
#   make book             builds the HTML book into _build/html, executing the notebooks (cached)
#   make book-committed   builds it from the committed notebook outputs, without running anything
#   make test             unit tests, a sample of every table recomputed and compared, the notebooks
#                         under nbval, a -W book build and an offline-browser check
# Every pip call goes through constraints.txt (torch==2.13.0, jupyter-book==1.0.4.post1).
# On Linux, PyPI's torch is the CUDA build (several GB); for the CPU build:
#   make install TORCH_INDEX=https://download.pytorch.org/whl/cpu

VENV ?= .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip
INSTALLED := $(VENV)/.installed
SHARED_DATA := $(abspath ../shared/data)
TORCH_INDEX ?=
SUBMISSIONS ?=
GRADE_TIMEOUT ?= 900

# Executed notebooks record no progress bars; real data come from ../shared/data when it exists.
export LATENTBIO_PROGRESS ?= 0
ifneq ($(wildcard $(SHARED_DATA)),)
export LATENTBIO_DATA_MIRROR ?= $(SHARED_DATA)
endif

NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PYTEST := $(PYTHON) -m pytest -p no:cacheprovider

.PHONY: install test unit notebooks book book-committed student grade bench bench-train bench-tables execute tidy clean tables check-tables check-table-samples

$(PYTHON):
	python3 -m venv $(VENV)

$(INSTALLED): $(PYTHON) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt --upgrade pip
	$(if $(TORCH_INDEX),$(PIP) install -c constraints.txt --index-url $(TORCH_INDEX) torch)
	$(PIP) install -c constraints.txt -e ".[book,test]"
	touch $@

install: $(INSTALLED)

# The tables that rest on many seeds or cases (chapters 3 to 6) ship with the course, inside the
# package (src/latentbio/experiments/tables/), so the chapters, the book and Colab read them at once.
#   make tables         recomputes, in 2 worker processes, the tables whose code or settings changed
#   make check-tables   recomputes every table from scratch into _build/tables and compares it with
#                       the shipped one within the table's tolerances (about an hour on 2 cores)
#   make check-table-samples   the same for one task of each kind of every table (each table's
#                       `sample`: the first seed or held-out type), about 12 minutes (part of make test)
tables: $(INSTALLED)
	$(PYTHON) -m latentbio.experiments --stale --workers 2

check-tables: $(INSTALLED)
	$(PYTHON) -m latentbio.experiments --check --workers 2 --output _build/tables

check-table-samples: $(INSTALLED)
	$(PYTHON) -m latentbio.experiments --check --sample --workers 2 --output _build/table-samples

# Fail fast: the unit tests first; then a sample of every table recomputed and compared, side by side with the
# chapters under nbval in grading mode (LATENTBIO_GRADING=1: a reference solution that calls the
# package's own implementation of its exercise fails); the chapters read the shipped tables, so the two
# are independent, and a chapter uses one core while the tables' two workers share both; then the book.
# tests/book needs the built book.
test: $(INSTALLED)
	$(PYTEST) tests --ignore=tests/book
	$(MAKE) -j2 --output-sync=target check-table-samples notebooks
	$(MAKE) book-committed
	$(PYTEST) tests/book

unit: $(INSTALLED)
	$(PYTEST) tests --ignore=tests/book

notebooks: $(INSTALLED)
	LATENTBIO_GRADING=1 $(PYTEST) $(NBVAL) chapters book/ledger.ipynb

# The book from the committed notebook outputs (no execution), warnings as errors.
book-committed: $(INSTALLED)
	$(PYTHON) scripts/book/build_book.py --committed

# The book, executing the notebooks (cached in _build/.jupyter_cache); a failing chapter is
# reported in one line and its page shows the committed outputs.
book: $(INSTALLED)
	$(PYTHON) scripts/book/build_book.py

student: $(INSTALLED)
	$(PYTHON) scripts/book/student.py chapters _build/student

# make grade SUBMISSIONS=<folder>: one CSV row per student, chapter and exercise in _build/grades.csv.
grade: $(INSTALLED)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of returned notebooks>"; exit 2; }
	$(PYTHON) scripts/book/grade.py "$(SUBMISSIONS)" --timeout $(GRADE_TIMEOUT)

# Time and memory of every chapter on this machine: _build/bench.md, and the book's table of
# chapter times (book/chapter_times.json and .md; commit them after a run on a quiet 2-core machine).
bench: $(INSTALLED)
	$(PYTHON) scripts/bench/chapters.py chapters _build/bench.md

# Steps per second of the package's training loop against a bare torch loop (the count VAE).
bench-train: $(INSTALLED)
	$(PYTHON) scripts/bench/train.py

# CPU seconds of sample tasks of every table, before (BEFORE=<commit>, default HEAD) and after the
# working tree's changes, and the largest difference of their numbers: _build/bench-tables.md and
# book/table_costs.md (the table of "Running the notebooks").
BEFORE ?= HEAD
bench-tables: $(INSTALLED)
	$(PYTHON) scripts/bench/tables.py --before $(BEFORE)

# Re-execute every chapter in place (the outputs to commit), benchmarking as it goes.
execute: $(INSTALLED)
	$(PYTHON) scripts/bench/chapters.py chapters _build/bench.md --inplace

# Tags, Colab cell, chapter header and headings of every chapter (scripts/book/tidy_notebooks.py).
tidy: $(INSTALLED)
	$(PYTHON) scripts/book/tidy_notebooks.py chapters/*.ipynb

clean:
	rm -rf _build
