"""Build the HTML book and its student edition; a failing chapter never costs the other pages.

Usage: python scripts/book/build_book.py [--committed] [--root .]
       (``make book``: execute the notebooks, cached; ``make book-committed``: committed outputs)

The build runs ``jupyter-book build`` with warnings as errors and ``--keep-going``, so every page
is written even when something is wrong, and keeps its full output in ``_build/book.log``. It
then prints one line per chapter that failed to execute (which chapter, which cell, the error,
and how to read the book from the committed outputs instead) and the build's warnings, writes
the student copies next to the HTML (``_build/html/student/``) with a ``binder/environment.yml``
for them, and exits with 1 if anything went wrong.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from student import write_student_copies
from tidy_notebooks import release

FAILED_REPORT = re.compile(r"traceback saved in:?\s*(\S+\.err\.log)")
CELL_BLOCK = re.compile(r"-{18}\n(.*?)\n-{18}", re.S)
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
SPHINX_WARNING = re.compile(r"(?:^|: )(?:WARNING|ERROR|CRITICAL):")


def write_config(root: Path, committed: bool, build: Path) -> Path:
    """A copy of ``_config.yml`` for this build (``execute_notebooks: off`` for the committed outputs)."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    if committed:
        config.setdefault("execute", {})["execute_notebooks"] = "off"
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in extensions.items():  # relative to _config.yml, and the copy lives in _build
        extensions[name] = str((root / folder).resolve())
    path = build / ("_config_committed.yml" if committed else "_config_executed.yml")
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def failed_cell(report: Path, root: Path) -> str:
    """One line about the cell a chapter failed in, read from myst-nb's traceback file."""
    text = COLOUR.sub("", report.read_text(errors="replace"))
    chapter = next((p for p in (root / "chapters").glob("*.ipynb") if p.stem in report.name), None)
    block = CELL_BLOCK.search(text)
    error = next((line.strip() for line in reversed(text.splitlines())
                  if re.match(r"^\s*\w*(Error|Exception|Interrupt|Exit)\b", line)), "an error")
    where = "a cell"
    if chapter and block:
        notebook = nbformat.read(chapter, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        number = next((i + 1 for i, c in enumerate(code) if c.source.strip() == block.group(1).strip()), None)
        first = block.group(1).strip().splitlines()[0][:60] if block.group(1).strip() else ""
        where = f"code cell {number} (`{first}`)" if number else f"the cell `{first}`"
    name = chapter.name if chapter else report.name.removesuffix(".err.log")
    return (f"make book: chapter {name} failed in {where}: {error}. Its page shows the committed outputs; "
            f"`make book-committed` builds the whole book from the committed outputs without running anything. "
            f"Traceback: {report}")


def publish_student_edition(root: Path, html: Path) -> None:
    """Student copies in ``html/student`` and a Binder environment for them in ``html/binder``."""
    write_student_copies(root / "chapters", html / "student")
    environment = yaml.safe_load((root / "environment.yml").read_text())
    pip = next(d for d in environment["dependencies"] if isinstance(d, dict))["pip"]
    pip[:] = [r for r in pip if r != "-e ."] + [release()[1]]
    (html / "binder").mkdir(exist_ok=True)
    (html / "binder" / "environment.yml").write_text(yaml.safe_dump(environment, sort_keys=False))
    (html / ".nojekyll").touch()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committed", action="store_true", help="build from the committed outputs")
    parser.add_argument("--root", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build = root / "_build"
    build.mkdir(exist_ok=True)
    config = write_config(root, args.committed, build)
    reports = build / "html" / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--config", str(config), "-W", "--keep-going"]
    log = build / "book.log"
    print(f"building the book ({'committed outputs' if args.committed else 'executing the notebooks, cached'}); "
          f"full output in {log}", flush=True)
    with log.open("w") as handle:
        status = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, cwd=root).returncode
    output = log.read_text(errors="replace")
    failures = sorted({Path(m) for m in FAILED_REPORT.findall(output)})
    for report in failures:
        print(failed_cell(report, root))
    warnings = [COLOUR.sub("", line) for line in output.splitlines() if SPHINX_WARNING.search(COLOUR.sub("", line))]
    warnings = [line for line in warnings if not any(r.stem.split(".")[0] in line for r in failures)]
    for line in warnings[:20]:
        print(line)
    html = build / "html"
    if not (html / "index.html").exists():
        print(f"make book: no HTML was written; see {log}")
        return 1
    publish_student_edition(root, html)
    print(f"Open {html / 'index.html'} (student copies in {html / 'student'})")
    return 1 if status or failures or warnings else 0


if __name__ == "__main__":
    sys.exit(main())
