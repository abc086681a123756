"""Every exercise of every chapter: the reference solution passes its check, the student stub fails it."""

import ast
import builtins
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


def free_names(check_source: str, defined) -> set[str]:
    """Names the check cell reads that neither it nor the solution defines (the chapter's objects)."""
    tree = ast.parse(check_source)
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return used - imported - set(defined) - set(dir(builtins))


class Placeholder:
    """Stands in for a chapter object in a check cell (any attribute, item or call gives another)."""

    def __getattr__(self, name):
        return Placeholder()

    def __getitem__(self, key):
        return Placeholder()

    def __call__(self, *args, **kwargs):
        return Placeholder()


@pytest.mark.parametrize("solution, check", CASES)
def test_reference_solution_passes_its_check(solution, check):
    namespace = {}
    exec(solution, namespace)
    if free_names(check, namespace):
        pytest.skip("the check reads the chapter's objects: the notebook run (nbval) covers it")
    exec(check, namespace)


@pytest.mark.parametrize("solution, check", CASES)
def test_student_stub_fails_its_check(solution, check):
    namespace = {}
    exec(stub_solution(solution), namespace)
    namespace.update({name: Placeholder() for name in free_names(check, namespace)})  # the chapter's objects
    with pytest.raises(ExerciseFailed):
        exec(check, namespace)


@pytest.mark.parametrize("path", sorted(CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_each_chapter_has_its_exercises(path):
    required = MINIMUM_EXERCISES.get(path.name[:2], 2)
    found = len(list(exercises(path)))
    assert found >= required, f"{path.name} has {found} exercises, the course asks for at least {required}"
