# Two commands do all the set-up on a fresh machine (see README.md):
#   make book             builds the HTML book into _build/html, executing the notebooks (cached)
#   make book-committed   builds it from the committed notebook outputs, without running anything
#   make test             unit tests, the notebooks under nbval, a -W book build and an offline-browser check
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

.PHONY: install test unit notebooks book book-committed student grade bench bench-train execute tidy clean ch05-table

$(PYTHON):
	python3 -m venv $(VENV)

$(INSTALLED): $(PYTHON) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt --upgrade pip
	$(if $(TORCH_INDEX),$(PIP) install -c constraints.txt --index-url $(TORCH_INDEX) torch)
	$(PIP) install -c constraints.txt -e ".[book,test]"
	touch $@

install: $(INSTALLED)

# Chapter 5's table (every held-out cell type, both protocols) takes longer than a chapter's
# 3 minutes, so it is computed here; the notebook reads and checks it. Remade when the package changes.
CH05_TABLE := _build/ch05_ood_table.csv
CH05_SOURCES := scripts/ch05_ood_table.py $(shell find src/latentbio -name '*.py' -not -path '*/plotting/*' \
	-not -path '*/widgets/*' -not -path '*/exercises/*' 2>/dev/null)

$(CH05_TABLE): $(INSTALLED) $(CH05_SOURCES)
	$(PYTHON) scripts/ch05_ood_table.py --workers 2 --output $@

ch05-table: $(CH05_TABLE)

test notebooks book bench execute: $(CH05_TABLE)

# The chapters run in grading mode (LATENTBIO_GRADING=1): a reference solution that calls the
# package's own implementation of its exercise fails. tests/book needs the built book.
test: $(INSTALLED)
	$(PYTEST) tests --ignore=tests/book
	LATENTBIO_GRADING=1 $(PYTEST) $(NBVAL) chapters
	$(MAKE) book-committed
	$(PYTEST) tests/book

unit: $(INSTALLED)
	$(PYTEST) tests --ignore=tests/book

notebooks: $(INSTALLED)
	LATENTBIO_GRADING=1 $(PYTEST) $(NBVAL) chapters

# The book from the committed notebook outputs (no execution), warnings as errors.
book-committed: $(INSTALLED)
	$(PYTHON) scripts/build_book.py --committed

# The book, executing the notebooks (cached in _build/.jupyter_cache); a failing chapter is
# reported in one line and its page shows the committed outputs.
book: $(INSTALLED)
	$(PYTHON) scripts/build_book.py

student: $(INSTALLED)
	$(PYTHON) scripts/student.py chapters _build/student

# make grade SUBMISSIONS=<folder>: one CSV row per student, chapter and exercise in _build/grades.csv.
grade: $(INSTALLED)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of returned notebooks>"; exit 2; }
	$(PYTHON) scripts/grade.py "$(SUBMISSIONS)" --timeout $(GRADE_TIMEOUT)

# Time and memory of every chapter on this machine: _build/bench.md, and the book's table of
# chapter times (book/chapter_times.json and .md; commit them after a run on a quiet 2-core machine).
bench: $(INSTALLED)
	$(PYTHON) scripts/bench.py chapters _build/bench.md

# Steps per second of the package's training loop against a bare torch loop (the count VAE).
bench-train: $(INSTALLED)
	$(PYTHON) scripts/bench_train.py

# Re-execute every chapter in place (the outputs to commit), benchmarking as it goes.
execute: $(INSTALLED)
	$(PYTHON) scripts/bench.py chapters _build/bench.md --inplace

# Tags, Colab cell, chapter header and headings of every chapter (scripts/tidy_notebooks.py).
tidy: $(INSTALLED)
	$(PYTHON) scripts/tidy_notebooks.py chapters/*.ipynb

clean:
	rm -rf _build
