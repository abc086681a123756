"""Make chapter notebooks tidy for the book, Colab and the student copies (idempotent).

Usage: python scripts/book/tidy_notebooks.py chapters/*.ipynb [--check]

What it does to each notebook (``tests/test_notebook_hygiene.py`` checks that every chapter is
already tidy, that is, that this script would change nothing):

- The first cell is the Colab cell (one text for every chapter, see :func:`colab_source`): it
  installs the release of ``latentbio`` whose version ``pyproject.toml`` names, keeps Colab's own
  torch and ipywidgets and turns on Colab's widget manager. Tagged ``remove-cell``.
- After the title cell, a ``chapter-header`` cell: the time the chapter takes (from
  ``book/chapter_times.json``, written by ``make bench``) and the links to its student version.
- A code cell whose first line is ``# NBVAL_CHECK_OUTPUT`` loses that line and gets the
  ``nbval-check-output`` tag; ``record(...)`` statements move into a cell of their own tagged
  ``remove-cell`` (they print nothing; their values feed ``{glue}``).
- Headings lose hand-typed numbers ("## 6.1 The model", "# Chapter 6: ..."): the book numbers
  chapters, sections and exercise boxes itself; exercise box titles lose "Exercise N.M:".
- Cell execution timestamps and the saved widget state are dropped (the book shows no live
  widgets; the static figures beside them are the fallback).
"""

import ast
import json
import math
import re
import sys
import tomllib
from pathlib import Path

import nbformat

from notebook_exercises import NUMBER_PREFIX, chapter_of
from student import HEADER_TAG

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "latentbio-course/latentbio"
COLAB_TAG, CHECK_TAG, REMOVE = "colab-install", "nbval-check-output", "remove-cell"
NBVAL_COMMENT = "# NBVAL_CHECK_OUTPUT"
CHAPTER_TITLE = re.compile(r"^#\s+Chapter\s+\d+\s*[:.]\s*", re.M)
HEADING_NUMBER = re.compile(r"^(#{1,6})\s+(?:\d+(?:\.\d+)+\.?|\d+\.)\s+(?=\S)", re.M)
BOX_TITLE = re.compile(r"^(`{3,}|:{3,})\{exercise\}[ \t]*(.*)$", re.M)


def release() -> tuple[str, str]:
    """(version, pip requirement) of the release the Colab cells install: ``project.version`` of pyproject.toml."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version, f"latentbio @ git+https://github.com/{REPOSITORY}@v{version}"


def colab_source() -> str:
    """The first cell of every chapter: install the course's release on Colab, nothing elsewhere."""
    _, requirement = release()
    return ("# On Colab, install the course package (this cell does nothing elsewhere).\n"
            "# Colab's own torch and ipywidgets are kept; its widget manager shows the explorers.\n"
            "import sys\n"
            "\n"
            'if "google.colab" in sys.modules:\n'
            f'    %pip install -q "{requirement}"\n'
            "    from google.colab import output\n"
            "\n"
            "    output.enable_custom_widget_manager()")


def chapter_minutes(name: str) -> tuple[int, str] | None:
    """(minutes, date) a chapter takes on 2 CPU cores according to ``book/chapter_times.json``."""
    path = ROOT / "book" / "chapter_times.json"
    if not path.exists():
        return None
    times = json.loads(path.read_text())
    seconds = times["chapters"].get(name, {}).get("seconds")
    return (max(1, math.ceil(seconds / 60)), times["date"]) if seconds else None


def header_source(name: str) -> str:
    """The chapter-header cell: time it takes and the student version's links."""
    stem = Path(name).stem
    github = f"{REPOSITORY}/blob/gh-pages/student/{name}"
    lines = []
    time = chapter_minutes(name)
    if time:
        lines.append(f"**Time:** about {time[0]} min to run on 2 CPU cores (measured {time[1]}, see "
                     "[Running the notebooks](../book/running.md)).")
    lines.append(f'**Student version** (exercises without solutions, no outputs): '
                 f'<a href="../student/{name}" download>download {stem}.ipynb</a> · '
                 f'<a href="https://colab.research.google.com/github/{github}">open in Colab</a> · '
                 f'<a href="https://mybinder.org/v2/gh/{REPOSITORY}/gh-pages?labpath=student%2F{name}">'
                 "open on Binder</a> (see [Assignments](../book/assignments.md)).")
    return "\n\n".join(lines)


def has_tag(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def add_tag(cell, tag: str) -> None:
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def is_record(statement: ast.stmt) -> bool:
    """Whether a statement is a bare ``record(...)`` call (with or without a trailing ``;``), or a
    ``for`` loop that only makes such calls."""
    if isinstance(statement, ast.For) and not statement.orelse:
        return all(is_record(s) for s in statement.body)
    call = statement.value if isinstance(statement, ast.Expr) else None
    return isinstance(call, ast.Call) and (getattr(call.func, "id", None) == "record"
                                           or getattr(call.func, "attr", None) == "record")


def split_records(source: str) -> tuple[str, str] | None:
    """(the cell without its top-level ``record`` calls, the calls) or None when there is nothing to move."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    records = [s for s in tree.body if is_record(s)]
    if not records:
        return None
    lines = source.splitlines()
    moved = {i for s in records for i in range(s.lineno - 1, s.end_lineno)}
    kept = "\n".join(line for i, line in enumerate(lines) if i not in moved).strip("\n")
    calls = "\n".join(lines[i].rstrip().rstrip(";") for i in sorted(moved))
    return kept, calls


def tidy(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The tidy version of ``notebook`` (a chapter called ``name``); ``notebook`` itself is not changed."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    notebook.metadata.pop("widgets", None)
    cells = [c for c in notebook.cells if not has_tag(c, HEADER_TAG)]
    if not cells or not (has_tag(cells[0], COLAB_TAG) or "google.colab" in cells[0].source):
        cells.insert(0, nbformat.v4.new_code_cell(""))
    colab = cells[0]
    executed = any(c.cell_type == "code" and c.get("execution_count") for c in cells[1:])
    # the Colab cell runs first (and does nothing off Colab): an executed chapter ran it as cell 1
    colab.source, colab.outputs, colab.execution_count = colab_source(), [], 1 if executed else None
    colab.metadata = {"tags": [COLAB_TAG, REMOVE]}
    tidied = [colab]
    for cell in cells[1:]:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            source = CHAPTER_TITLE.sub("# ", cell.source)
            source = HEADING_NUMBER.sub(r"\1 ", source)
            cell.source = BOX_TITLE.sub(lambda m: f"{m.group(1)}{{exercise}} {NUMBER_PREFIX.sub('', m.group(2).strip())}"
                                        .rstrip(), source)
            tidied.append(cell)
            continue
        if cell.cell_type != "code":
            tidied.append(cell)
            continue
        if cell.source.lstrip().startswith(NBVAL_COMMENT):
            cell.source = cell.source.lstrip()[len(NBVAL_COMMENT):].lstrip("\n")
            add_tag(cell, CHECK_TAG)
        split = split_records(cell.source)
        if split and split[0].strip():
            cell.source = split[0]
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
            record_cell = nbformat.v4.new_code_cell(split[1], metadata={"tags": [REMOVE]})
            record_cell.outputs = [o for o in cell.get("outputs", []) if "scrapbook" in json.dumps(o.get("metadata", {}))]
            cell.outputs = [o for o in cell.outputs if o not in record_cell.outputs]
            if record_cell.outputs:  # nbval fails a cell with outputs but no execution count ("unrun")
                record_cell.execution_count = cell.execution_count
            tidied += [cell, record_cell]
            continue
        if split:  # a cell of record calls only
            cell.source = split[1]
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
            add_tag(cell, REMOVE)
        tidied.append(cell)
    title = next((i for i, c in enumerate(tidied) if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), 0)
    tidied.insert(title + 1, nbformat.v4.new_markdown_cell(header_source(name), metadata={"tags": [HEADER_TAG]}))
    notebook.cells = tidied
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    for index, cell in enumerate(notebook.cells):  # ids by position: the same notebook gets the same ids
        cell["id"] = f"cell-{index}"
    return notebook


def main(paths: list[str], check: bool) -> int:
    untidy = []
    for path in map(Path, paths):
        if chapter_of(path) is None:
            continue
        notebook = nbformat.read(path, as_version=4)
        tidy_notebook = tidy(notebook, path.name)
        if nbformat.writes(tidy_notebook) != nbformat.writes(notebook):
            untidy.append(path)
            if not check:
                nbformat.write(tidy_notebook, path)
                print(f"tidied {path}")
    if check and untidy:
        print("not tidy: " + ", ".join(map(str, untidy)) + ". Run: python scripts/book/tidy_notebooks.py chapters/*.ipynb")
        return 1
    return 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--check"]
    if not arguments:
        sys.exit(__doc__.splitlines()[2].strip())
    sys.exit(main(arguments, "--check" in sys.argv))
