"""Student copies of the chapters: every reference solution replaced by a stub.

In each copy the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` of every cell tagged
``solution`` become ``raise NotImplementedError("Exercise N.M: ...")`` at the same indentation;
the solution cell is shown (``hide-input`` dropped); every exercise box becomes a plain heading
"Exercise N.M: Title" (Jupyter does not render the book's boxes); all outputs, execution counts
and the saved widget state are removed, so students run the chapter themselves; the
book's chapter header (links to the student version) is dropped.

Usage: python scripts/book/student.py CHAPTERS_DIR DESTINATION_DIR   (``make student``; the book build
writes the same copies next to its HTML).
"""

import sys
from pathlib import Path

import nbformat

from notebook_exercises import BEGIN, END, boxes, chapter_of, find_exercises, is_solution

HEADER_TAG = "chapter-header"  # the book's links to this very copy (scripts/book/tidy_notebooks.py)


def stub_solution(source: str, exercise: str = "Exercise") -> str:
    """Return ``source`` with every BEGIN/END SOLUTION block replaced by a ``NotImplementedError`` stub."""
    stubbed, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError("nested '# BEGIN SOLUTION' markers")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            stubbed.append(f'{indent}raise NotImplementedError("{exercise}: write your solution here")')
        elif marker == END:
            if not inside:
                raise ValueError("'# END SOLUTION' without '# BEGIN SOLUTION'")
            inside = False
        elif not inside:
            stubbed.append(line)
    if inside:
        raise ValueError("'# BEGIN SOLUTION' without '# END SOLUTION'")
    return "\n".join(stubbed)


def plain_box(markdown: str, first_number: str) -> str:
    """``markdown`` with each exercise box rewritten as a heading "Exercise N.M: Title" and its text."""
    chapter, position = (int(part) for part in first_number.split("."))
    pieces, last = [], 0
    for offset, box in enumerate(boxes(markdown)):
        body = "\n".join(line for line in box.body.splitlines() if not line.startswith(":")).strip()
        pieces += [markdown[last:box.start], f"### Exercise {chapter}.{position + offset}: {box.title}\n\n{body}"]
        last = box.end
    return "".join(pieces) + markdown[last:]


def student_notebook(notebook: nbformat.NotebookNode, chapter: int) -> nbformat.NotebookNode:
    """A copy of ``notebook`` (chapter ``chapter``) with solutions stubbed, boxes as headings, no outputs."""
    student = nbformat.from_dict(notebook)
    student.metadata.pop("widgets", None)
    student.cells = [c for c in student.cells if HEADER_TAG not in c.get("metadata", {}).get("tags", [])]
    exercises = find_exercises(student, chapter)
    number_of_box = {}
    for exercise in exercises:
        number_of_box.setdefault(exercise.box_cell, exercise.number)
        for index in exercise.solution_cells:
            cell = student.cells[index]
            if is_solution(cell):
                cell.source = stub_solution(cell.source, f"Exercise {exercise.number}")
                cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != "hide-input"]
    for index, cell in enumerate(student.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if is_solution(cell) and BEGIN in cell.source:
                raise ValueError(f"a cell tagged 'solution' belongs to no exercise box:\n{cell.source[:200]}")
            if is_solution(cell) and "NotImplementedError" not in cell.source:
                raise ValueError(f"a cell tagged 'solution' has no '{BEGIN}' marker:\n{cell.source[:200]}")
        elif index in number_of_box:
            cell.source = plain_box(cell.source, number_of_box[index])
    return student


def write_student_copies(chapters: Path, destination: Path) -> list[Path]:
    """Write the student copy of every notebook in ``chapters`` into ``destination``; return the paths."""
    notebooks = sorted(Path(chapters).glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebooks found in {chapters}")
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        chapter = chapter_of(path)
        if chapter is None:
            raise ValueError(f"{path.name}: a chapter notebook's name starts with its two-digit number (01_...)")
        target = destination / path.name
        nbformat.write(student_notebook(nbformat.read(path, as_version=4), chapter), target)
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python scripts/book/student.py CHAPTERS_DIR DESTINATION_DIR")
    for written_path in write_student_copies(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {written_path}")
