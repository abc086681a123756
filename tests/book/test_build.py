"""`make book` builds every page even when a chapter fails, and says which chapter and cell failed.

A two-chapter book with the course's real configuration (``_config.yml``, extensions, static
files) and one chapter that raises; it executes in a few seconds."""

import shutil
from pathlib import Path

import nbformat
import yaml

from build_book import main as build_book

ROOT = Path(__file__).resolve().parents[2]


def chapter(title, *sources):
    cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nSome maths: $e^{{i \\pi}} + 1 = 0$.")]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    for cell in cells[1:]:
        cell.outputs = [nbformat.v4.new_output("stream", text="committed output\n")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def test_a_failing_chapter_leaves_every_other_page_built(tmp_path, capsys):
    for name in ("_config.yml", "environment.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("_static", "book/_ext"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "book" / "references.bib").write_text("")
    (tmp_path / "book" / "intro.md").write_text("# A test book\n")
    (tmp_path / "chapters").mkdir()
    nbformat.write(chapter("Works", "print('fine')"), tmp_path / "chapters" / "01_works.ipynb")
    nbformat.write(chapter("Fails", "x = 1", "raise RuntimeError('deliberate failure')", "print(x)"),
                   tmp_path / "chapters" / "02_fails.ipynb")
    toc = {"format": "jb-book", "root": "book/intro",
           "parts": [{"caption": "Chapters", "numbered": True,
                      "chapters": [{"file": "chapters/01_works"}, {"file": "chapters/02_fails"}]}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))

    assert build_book(["--root", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    html = tmp_path / "_build" / "html"
    for page in ("index.html", "book/intro.html", "chapters/01_works.html", "chapters/02_fails.html"):
        assert (html / page).exists(), f"{page} was not built"
    failures = [line for line in printed.splitlines() if line.startswith("make book: chapter")]
    assert len(failures) == 1, printed
    assert "WARNING" not in printed, printed
    assert "02_fails.ipynb failed in code cell 2" in failures[0] and "RuntimeError: deliberate failure" in failures[0]
    assert "make book-committed" in failures[0]
    assert "committed output" in (html / "chapters" / "02_fails.html").read_text()
    assert (html / "student" / "02_fails.ipynb").exists()
