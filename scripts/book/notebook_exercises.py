"""Find the exercises of a chapter notebook: the box, the solution cell(s) and the check cell.

The course's pattern (see the book's assignments page) is three cells per exercise: a markdown
cell with a ```` ```{exercise} Title```` box and a ``:label:``, a code cell tagged ``solution``
with the answer between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, and a check cell that calls
``latentbio.exercises.chNN.check_...``. The M-th box of chapter N is exercise N.M. Used by the
student-copy writer, the grader and the tests; it needs only ``nbformat``.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
SOLUTION_TAG = "solution"
BOX = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                 re.M | re.S)
LABEL = re.compile(r"^:label:[ \t]*(\S+)[ \t]*$", re.M)
STUDENT_HEADING = re.compile(r"^#{2,6}[ \t]+Exercise[ \t]+\d+\.\d+:[ \t]*(?P<title>[^\n]*)$", re.M)
NUMBER_PREFIX = re.compile(r"^Exercise\s+\d+\.\d+\s*[:.]\s*", re.I)
CHECK_IMPORT = re.compile(r"from\s+(latentbio\.exercises\.\w+|\w+)\s+import\s+\(?\s*(check_\w+)")
CHECK_CALL = re.compile(r"^\s*(check_\w+)\(", re.M)
CHAPTER_IN_NAME = re.compile(r"(?:^|[^0-9])(\d{2})_[A-Za-z]")


@dataclass
class Box:
    """One ```` ```{exercise} ```` box of a markdown cell."""

    title: str
    label: str | None
    body: str
    start: int
    end: int


@dataclass
class NotebookExercise:
    """Exercise ``number`` of a notebook and the indices of its cells."""

    number: str
    title: str
    label: str | None
    box_cell: int
    solution_cells: list[int] = field(default_factory=list)
    check_cell: int | None = None
    check_module: str | None = None
    check_function: str | None = None


def chapter_of(path: Path) -> int | None:
    """The chapter number in a notebook's file name (``02_generative_models.ipynb`` -> 2), or None."""
    match = CHAPTER_IN_NAME.search(Path(path).name)
    return int(match.group(1)) if match else None


def boxes(markdown: str, *, student_headings: bool = False) -> list[Box]:
    """The exercise boxes of a markdown cell, in order.

    With ``student_headings``, the headings "### Exercise N.M: Title" that student copies have in
    place of the boxes count too (without a label).
    """
    found = []
    for match in BOX.finditer(markdown):
        label = LABEL.search(match.group("body"))
        title = NUMBER_PREFIX.sub("", match.group("title").strip())
        found.append(Box(title, label.group(1) if label else None, match.group("body"), match.start(), match.end()))
    if student_headings:
        found += [Box(m.group("title").strip(), None, "", m.start(), m.end()) for m in STUDENT_HEADING.finditer(markdown)]
    return sorted(found, key=lambda box: box.start)


def check_call(source: str) -> tuple[str, str] | None:
    """``(module, function)`` of the check a code cell imports and calls, or None for any other cell."""
    imported = CHECK_IMPORT.search(source)
    called = CHECK_CALL.search(source)
    if imported and called and imported.group(2) == called.group(1):
        return imported.group(1), called.group(1)
    return None


def is_solution(cell) -> bool:
    """Whether a notebook cell is tagged as a reference solution."""
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def find_exercises(notebook, chapter: int, *, student_headings: bool = False) -> list[NotebookExercise]:
    """Every exercise of ``notebook`` (a ``nbformat`` notebook of chapter ``chapter``), in book order.

    The code cells after a box up to its check cell are its solution cells; a box without a check
    cell before the next box has ``check_cell`` None. ``student_headings``: see :func:`boxes`.
    """
    exercises: list[NotebookExercise] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            for box in boxes(cell.source, student_headings=student_headings):
                exercises.append(NotebookExercise(f"{chapter}.{len(exercises) + 1}", box.title, box.label, index))
        elif cell.cell_type == "code" and exercises and exercises[-1].check_cell is None:
            call = check_call(cell.source)
            if call:
                exercises[-1].check_cell = index
                exercises[-1].check_module, exercises[-1].check_function = call
            else:
                exercises[-1].solution_cells.append(index)
    return exercises
