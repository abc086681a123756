"""Every exercise of every chapter: the reference solution passes its check, the student stub fails it."""

from pathlib import Path

import nbformat
import pytest

from latentbio.exercises import ExerciseFailed
from latentbio.exercises.student import is_solution, stub_solution

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
MINIMUM_EXERCISES = {"01": 2, "02": 3, "03": 2, "04": 2, "05": 2, "06": 2}


def exercises(path: Path):
    """(solution source, check source) for each solution cell and the code cell after it."""
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        if is_solution(cell):
            check = next(c for c in cells[i + 1:] if c.cell_type == "code")
            yield cell.source, check.source


CASES = [pytest.param(solution, check, id=f"{path.stem}-{k}")
         for path in sorted(CHAPTERS.glob("*.ipynb"))
         for k, (solution, check) in enumerate(exercises(path))]


@pytest.mark.parametrize("solution, check", CASES)
def test_reference_solution_passes_its_check(solution, check):
    namespace = {}
    exec(solution, namespace)
    exec(check, namespace)


@pytest.mark.parametrize("solution, check", CASES)
def test_student_stub_fails_its_check(solution, check):
    namespace = {}
    exec(stub_solution(solution), namespace)
    with pytest.raises(ExerciseFailed):
        exec(check, namespace)


@pytest.mark.parametrize("path", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_each_chapter_has_its_exercises(path):
    required = MINIMUM_EXERCISES.get(path.name[:2], 2)
    found = len(list(exercises(path)))
    assert found >= required, f"{path.name} has {found} exercises, the course asks for at least {required}"
