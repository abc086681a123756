"""Grade a folder of returned chapter notebooks: ``make grade SUBMISSIONS=<folder>``.

Usage: python scripts/book/grade.py SUBMISSIONS [--chapters chapters] [--output _build/grades.csv]
                               [--timeout 900]

A submission is either a notebook directly in SUBMISSIONS (the student is its file name) or a
folder of notebooks (the student is the folder name). The chapter comes from the two-digit
number in the file name (``02_generative_models.ipynb``, ``alice_02.ipynb`` does not count:
keep the chapter's name). For each notebook the grader

1. finds every exercise of the instructor's notebook of that chapter (``--chapters``) in the
   submission: its check cell (by the check it calls) and the solution cells before it; a removed check or exercise, or code
   that reaches into the course's checks, is a "tampered" row;
2. replaces each check cell by the instructor's copy, executes the whole notebook top to bottom
   in a fresh kernel with ``LATENTBIO_GRADING=1`` (grading mode: a solution that calls the
   package's own implementation of the exercise fails) and errors allowed, within the time limit;
3. reads each check cell's result, and scans each solution cell for the forbidden names.

It writes one CSV row per (student, chapter, exercise): ``student,chapter,exercise,passed,message``
(passed is ``yes`` or ``no``) and prints a summary. It never stops on a broken submission: a
notebook that cannot be read, crashes, kills its kernel or runs past the limit gets rows that say so.
"""

import argparse
import csv
import importlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from latentbio.exercises import forbidden_references
from notebook_exercises import NotebookExercise, chapter_of, find_exercises

COLUMNS = ["student", "chapter", "exercise", "passed", "message"]
# Student code that reaches for these is trying to change how it is graded.
TAMPERING = re.compile(r"latentbio\.exercises|\bExerciseFailed\b|LATENTBIO_GRADING|\bsetprofile\b|\bsettrace\b")


@dataclass
class Row:
    student: str
    chapter: int | str
    exercise: str
    passed: bool
    message: str

    def as_csv(self) -> dict:
        return {"student": self.student, "chapter": self.chapter, "exercise": self.exercise,
                "passed": "yes" if self.passed else "no", "message": self.message}


@dataclass
class Reference:
    """The instructor's notebook of a chapter and what each of its exercises forbids."""

    path: Path
    notebook: nbformat.NotebookNode
    exercises: list[NotebookExercise]
    forbidden: dict[str, tuple[str, ...]]


def load_reference(chapters: Path, chapter: int) -> Reference | None:
    """The instructor's notebook of ``chapter`` in ``chapters``, or None if there is none."""
    paths = [p for p in sorted(chapters.glob("*.ipynb")) if chapter_of(p) == chapter]
    if not paths:
        return None
    notebook = nbformat.read(paths[0], as_version=4)
    exercises = find_exercises(notebook, chapter)
    forbidden = {}
    for exercise in exercises:
        check = getattr(importlib.import_module(exercise.check_module), exercise.check_function)
        if check.exercise.number != exercise.number:
            raise ValueError(f"{paths[0].name}: box {exercise.number} calls {exercise.check_function}, "
                             f"which checks exercise {check.exercise.number}")
        forbidden[exercise.number] = check.exercise.forbidden
    return Reference(paths[0], notebook, exercises, forbidden)


def submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook path) for every submitted notebook under ``folder``."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.name.startswith("."):
            found += [(entry.name, path) for path in sorted(entry.rglob("*.ipynb"))
                      if ".ipynb_checkpoints" not in path.parts]
        elif entry.suffix == ".ipynb":
            found.append((entry.stem, entry))
    return found


def cell_name(notebook, index: int) -> str:
    """How a message names a cell: its number among the code cells and its first line."""
    number = sum(cell.cell_type == "code" for cell in notebook.cells[: index + 1])
    first_line = next((line for line in notebook.cells[index].source.splitlines() if line.strip()), "")
    return f"code cell {number} (`{first_line.strip()[:60]}`)"


def first_error(notebook, indices) -> tuple[int, str] | None:
    """(cell index, "Name: message") of the first error output among ``indices``."""
    for index in indices:
        for output in notebook.cells[index].get("outputs", []):
            if output.get("output_type") == "error":
                return index, f"{output.get('ename')}: {output.get('evalue')}".strip()
    return None


def execute(notebook, workdir: Path, timeout: float) -> tuple[set[int], str | None]:
    """Run every cell in a fresh kernel (errors allowed); return the executed cells and why it stopped early."""
    client = NotebookClient(notebook, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    deadline, executed, stopped = time.monotonic() + timeout, set(), None
    env = {**os.environ, "LATENTBIO_GRADING": "1", "LATENTBIO_PROGRESS": "0"}
    try:
        with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                client.timeout = max(1, int(deadline - time.monotonic()))
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    return executed, f"the notebook ran past the {timeout:.0f} s limit in {cell_name(notebook, index)}"
                except DeadKernelError:
                    return executed, f"the kernel died in {cell_name(notebook, index)}"
                executed.add(index)
    except Exception as error:  # a kernel that fails to start or to stop must not stop the grader
        stopped = f"the notebook could not be executed ({type(error).__name__}: {error})"
    return executed, stopped


def replace_checks(notebook, chapter: int, reference: Reference) -> tuple[dict, dict]:
    """Put the instructor's check cells in place of the submission's.

    Returns (verdicts already known: exercise number -> (False, message) for a removed exercise or
    check, exercise number -> index of its check cell in ``notebook``).
    """
    found = find_exercises(notebook, chapter, student_headings=True)
    submitted = {e.check_function: e for e in found if e.check_function}
    numbers = {e.number for e in found}
    verdicts, check_cells = {}, {}
    for exercise in reference.exercises:
        match = submitted.get(exercise.check_function)
        if match is None:
            removed = "the exercise" if exercise.number not in numbers else f"the check cell ({exercise.check_function})"
            verdicts[exercise.number] = (False, f"tampered: {removed} was removed from the notebook")
            continue
        check_cells[exercise.number] = match.check_cell
        notebook.cells[match.check_cell].source = reference.notebook.cells[exercise.check_cell].source
        for index in match.solution_cells:
            used = forbidden_references(notebook.cells[index].source, reference.forbidden[exercise.number])
            if used:
                verdicts[exercise.number] = (False, f"the solution uses the package's own `{used[0]}`, the very "
                                             "thing this exercise asks you to write; graded runs do not accept it")
    return verdicts, check_cells


def grade_notebook(student: str, path: Path, chapters: Path, timeout: float, references: dict) -> list[Row]:
    """The rows of one submitted notebook."""
    chapter = chapter_of(path)
    if chapter is None:
        return [Row(student, "?", "", False, f"{path.name}: cannot tell the chapter; keep the chapter's file "
                    "name (for example 02_generative_models.ipynb)")]
    if chapter not in references:
        references[chapter] = load_reference(chapters, chapter)
    reference = references[chapter]
    if reference is None:
        return [Row(student, chapter, "", False, f"{path.name}: there is no chapter {chapter} in {chapters}")]
    if not reference.exercises:
        return []
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:
        return [Row(student, chapter, e.number, False, f"{path.name} is not a readable notebook: {error}")
                for e in reference.exercises]
    verdicts, check_cells = replace_checks(notebook, chapter, reference)
    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    tampering = [i for i in code_cells if i not in check_cells.values() and TAMPERING.search(notebook.cells[i].source)]
    if tampering:
        message = (f"tampered: {cell_name(notebook, tampering[0])} reaches into the course's checks "
                   "(latentbio.exercises or grading mode); remove it and hand in again")
        return [Row(student, chapter, e.number, False, message) for e in reference.exercises]
    executed, stopped = execute(notebook, chapters, timeout)
    return [Row(student, chapter, e.number,
                *(verdicts.get(e.number) or read_check(notebook, check_cells[e.number], executed, stopped, code_cells)))
            for e in reference.exercises]


def read_check(notebook, index: int, executed: set[int], stopped: str | None, code_cells: list[int]):
    """(passed, message) from the outputs of an executed check cell."""
    earlier = first_error(notebook, [i for i in code_cells if i < index])
    context = f" The notebook first failed in {cell_name(notebook, earlier[0])}: {earlier[1]}" if earlier else ""
    if index not in executed:
        return False, f"not graded: {stopped or 'the notebook stopped'} before this check.{context}"
    text = "".join(o.get("text", "") for o in notebook.cells[index].outputs if o.get("output_type") == "stream")
    error = first_error(notebook, [index])
    if error is None and "✔" in text:
        return True, text.strip().splitlines()[-1].lstrip("✔ ")
    if error and error[1].startswith("ExerciseFailed:"):
        return False, error[1].removeprefix("ExerciseFailed:").strip()
    if error:
        return False, f"the check could not run: {error[1]}.{context}"
    return False, "the check printed no result"


def summary(rows: list[Row]) -> str:
    """One line per student and chapter: exercises passed out of graded."""
    table: dict[tuple[str, str], list[bool]] = {}
    for row in rows:
        table.setdefault((row.student, str(row.chapter)), []).append(row.passed)
    width = max([len(student) for student, _ in table] + [7])
    lines = [f"{'student':<{width}}  chapter  passed"]
    for (student, chapter), results in sorted(table.items()):
        lines.append(f"{student:<{width}}  {chapter:>7}  {sum(results)}/{len(results)}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--chapters", type=Path, default=Path("chapters"))
    parser.add_argument("--output", type=Path, default=Path("_build/grades.csv"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per notebook (default 900)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        print(f"make grade: {args.submissions} is not a folder. Usage: make grade SUBMISSIONS=<folder>", file=sys.stderr)
        return 2
    found = submissions(args.submissions)
    if not found:
        print(f"make grade: no notebooks in {args.submissions}: put each student's notebooks in a folder named "
              "after the student, or the notebooks themselves, in it", file=sys.stderr)
        return 1
    chapters = args.chapters.resolve()
    sys.path.insert(0, str(chapters))  # a course may keep its own check modules beside its chapters
    rows, references = [], {}
    for student, path in found:
        start = time.perf_counter()
        graded = grade_notebook(student, path, chapters, args.timeout, references)
        rows += graded
        print(f"graded {student}/{path.name}: {sum(r.passed for r in graded)}/{len(graded)} passed "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row.as_csv() for row in rows)
    print(summary(rows))
    print(f"wrote {args.output} ({len(rows)} rows: {', '.join(COLUMNS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
