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

.PHONY: install test unit notebooks book book-committed student bench bench-train execute clean

$(PYTHON):
	python3 -m venv $(VENV)

$(INSTALLED): $(PYTHON) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt --upgrade pip
	$(PIP) install -c constraints.txt -e ".[book,test]"
	touch $@

install: $(INSTALLED)

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
