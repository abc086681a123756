"""Every chapter notebook is tidy: what `make tidy` (scripts/book/tidy_notebooks.py) would leave.

If a test here fails after a chapter was edited, run `make tidy` and commit the notebooks."""

import json
from pathlib import Path

import nbformat
import pytest

from notebook_exercises import chapter_of
from tidy_notebooks import HEADING_NUMBER, NBVAL_COMMENT, release, split_records, tidy

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_chapter_is_tidy(path):
    notebook = nbformat.read(path, as_version=4)
    assert nbformat.writes(tidy(notebook, path.name)) == nbformat.writes(notebook), (
        f"{path.name} is not tidy: run `make tidy` (python scripts/book/tidy_notebooks.py chapters/*.ipynb)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_page_shows_no_plumbing(path):
    notebook = nbformat.read(path, as_version=4)
    colab = notebook.cells[0]
    version, requirement = release()
    assert "remove-cell" in tags(colab) and requirement in colab.source, "the first cell installs the release on Colab"
    assert "enable_custom_widget_manager()" in colab.source
    assert "torch" not in colab.source.split("%pip", 1)[1].split("\n")[0], "Colab keeps its own torch"
    assert "widgets" not in notebook.metadata, "the saved widget state bloats the page and the student copy"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.source.lstrip().startswith(NBVAL_COMMENT), "use the nbval-check-output tag"
            assert cell.execution_count is not None or not cell.outputs, (
                f"nbval fails a cell with outputs but no execution count:\n{cell.source[:200]}")
            if "record(" in cell.source and split_records(cell.source):
                assert "remove-cell" in tags(cell) and not split_records(cell.source)[0].strip(), (
                    f"record(...) calls belong in a cell of their own tagged remove-cell:\n{cell.source[:200]}")
        else:
            assert not HEADING_NUMBER.search(cell.source), f"the book numbers headings itself: {cell.source[:80]}"
    assert any("chapter-header" in tags(c) and "Student version" in c.source for c in notebook.cells[:4])


def synthetic():
    check = nbformat.v4.new_code_cell(f'{NBVAL_COMMENT}\nrecord("a", 1)\nprint("a")\nrecord("b",\n       2)',
                                      execution_count=4)
    check.outputs = [nbformat.v4.new_output("stream", text="a\n"),
                     nbformat.v4.new_output("display_data", data={"text/plain": "1"},
                                            metadata={"scrapbook": {"name": "a"}})]
    lonely = nbformat.v4.new_code_cell('record("c", 3)')
    lonely.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1)]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('import sys\nif "google.colab" in sys.modules:\n    %pip install latentbio'),
        nbformat.v4.new_markdown_cell("# Chapter 9: Tidy\n\n## 9.1 First part\n\n## 10 seeds stay"),
        check, lonely,
        nbformat.v4.new_markdown_cell("```{exercise} Exercise 9.1: Double\n:label: ch09-ex-double\n\nText\n```")])
    notebook.metadata["widgets"] = {"state": {}}
    return notebook


def test_tidy_moves_records_tags_checks_and_strips_hand_numbers():
    tidied = tidy(synthetic(), "09_tidy.ipynb")
    sources = [c.source for c in tidied.cells]
    assert sources[1] == "# Tidy\n\n## First part\n\n## 10 seeds stay"
    assert "chapter-header" in tags(tidied.cells[2])
    assert sources[3] == 'print("a")' and tags(tidied.cells[3]) == ["nbval-check-output"]
    assert [o.output_type for o in tidied.cells[3].outputs] == ["stream"]
    assert sources[4] == 'record("a", 1)\nrecord("b",\n       2)' and tags(tidied.cells[4]) == ["remove-cell"]
    assert [o.output_type for o in tidied.cells[4].outputs] == ["display_data"]
    assert tidied.cells[4].execution_count == 4  # outputs without a count would fail nbval
    assert tags(tidied.cells[5]) == ["remove-cell"] and tidied.cells[5].outputs == []
    assert sources[6].startswith("```{exercise} Double\n")
    assert "widgets" not in tidied.metadata


def test_tidy_is_idempotent():
    once = tidy(synthetic(), "09_tidy.ipynb")
    assert json.dumps(tidy(once, "09_tidy.ipynb"), sort_keys=True) == json.dumps(once, sort_keys=True)


def test_the_header_states_the_measured_time(monkeypatch):
    import tidy_notebooks

    monkeypatch.setattr(tidy_notebooks, "chapter_minutes", lambda name: (3, "2026-12-01"))
    header = tidy_notebooks.header_source("09_tidy.ipynb")
    assert header.startswith("**Time:** about 3 min to run on 2 CPU cores (measured 2026-12-01")
    assert 'href="../student/09_tidy.ipynb" download' in header


def test_summary_pages_carry_no_hand_typed_chapter_number():
    for page in CHAPTERS.glob("*.md"):
        assert not page.read_text().startswith("# Chapter"), f"{page.name}: the book numbers chapters itself"


def test_tidy_moves_a_loop_of_records_with_its_outputs():
    cell = nbformat.v4.new_code_cell('print("x")\nfor name in "ab":\n    record(name, 1)', execution_count=2)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")] + [
        nbformat.v4.new_output("display_data", data={"text/plain": "1"}, metadata={"scrapbook": {"name": n}})
        for n in "ab"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Chapter 9: Tidy"), cell])
    tidied = tidy(notebook, "09_tidy.ipynb")
    kept, records = tidied.cells[-2], tidied.cells[-1]
    assert kept.source == 'print("x")' and [o.output_type for o in kept.outputs] == ["stream"]
    assert records.source == 'for name in "ab":\n    record(name, 1)' and len(records.outputs) == 2


def test_tidy_keeps_an_executed_chapter_fully_executed():
    notebook = synthetic()
    for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = index + 1
    tidied = tidy(notebook, "09_tidy.ipynb")
    assert all(c.execution_count for c in tidied.cells if c.cell_type == "code")
