"""Every exercise of every chapter: the reference solution passes its check, the student stub fails it."""

import ast
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


def reads_chapter_objects(check: str) -> bool:
    """Whether the check cell passes the chapter's objects (names it neither imports nor defines),
    e.g. exercise 5.3's table: the notebook run (nbval) covers those checks."""
    tree = ast.parse(check)
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    passed = {arg.id for call in calls for arg in call.args[1:] if isinstance(arg, ast.Name)}
    return bool(passed - imported)


@pytest.mark.parametrize("solution, check", CASES)
def test_reference_solution_passes_its_check(solution, check):
    if reads_chapter_objects(check):
        pytest.skip("the check reads the chapter's objects: the notebook run covers it")
    namespace = {}
    exec(solution, namespace)
    exec(check, namespace)


@pytest.mark.parametrize("solution, check", CASES)
def test_student_stub_fails_its_check(solution, check):
    if reads_chapter_objects(check):
        pytest.skip("the check reads the chapter's objects: the notebook run covers it")
    namespace = {}
    exec(stub_solution(solution), namespace)
    with pytest.raises(ExerciseFailed):
        exec(check, namespace)


@pytest.mark.parametrize("path", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_each_chapter_has_its_exercises(path):
    required = MINIMUM_EXERCISES.get(path.name[:2], 2)
    found = len(list(exercises(path)))
    assert found >= required, f"{path.name} has {found} exercises, the course asks for at least {required}"
