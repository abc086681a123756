"""Student copies of the chapters: every reference solution replaced by a stub.

An exercise's solution lives in a code cell tagged ``solution``; the lines between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` are the reference answer. The student copy
replaces them by ``raise NotImplementedError(...)`` at the same indentation, shows
the cell (drops ``hide-input``) and clears all outputs, so students run the chapter
themselves. Run ``python -m latentbio.exercises.student chapters _build/student``
(``make student``).
"""

import sys
from pathlib import Path

import nbformat

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
SOLUTION_TAG = "solution"


def stub_solution(source: str) -> str:
    """Return ``source`` with every BEGIN/END SOLUTION block replaced by a ``NotImplementedError`` stub."""
    lines, stubbed, inside = source.splitlines(), [], False
    for line in lines:
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError("nested '# BEGIN SOLUTION' markers")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            stubbed.append(f'{indent}raise NotImplementedError("Exercise: write your solution here")')
        elif marker == END:
            if not inside:
                raise ValueError("'# END SOLUTION' without '# BEGIN SOLUTION'")
            inside = False
        elif not inside:
            stubbed.append(line)
    if inside:
        raise ValueError("'# BEGIN SOLUTION' without '# END SOLUTION'")
    return "\n".join(stubbed)


def is_solution(cell) -> bool:
    """Whether a notebook cell holds a reference solution."""
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with solutions stubbed, solution cells shown and outputs cleared."""
    student = nbformat.from_dict(notebook)
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if is_solution(cell):
            if BEGIN not in cell.source:
                raise ValueError(f"a cell tagged '{SOLUTION_TAG}' has no '{BEGIN}' marker:\n{cell.source[:200]}")
            cell.source = stub_solution(cell.source)
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != "hide-input"]
    return student


def write_student_copies(chapters: Path, destination: Path) -> list[Path]:
    """Write the student copy of every notebook in ``chapters`` into ``destination``; return the paths."""
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(Path(chapters).glob("*.ipynb")):
        target = destination / path.name
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
        written.append(target)
    if not written:
        raise ValueError(f"no notebooks found in {chapters}")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m latentbio.exercises.student CHAPTERS_DIR DESTINATION_DIR")
    for written_path in write_student_copies(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {written_path}")
