"""Every exercise of every chapter: numbering, reference solution passes, stub fails, grading mode.

The rules are those of the book's assignments page (and /work/coord/EXERCISES.md): the M-th
exercise box of chapter N is exercise N.M; its check is registered with that number and every
message names it; the solution uses none of the package functions the check forbids."""

import ast
import builtins
import importlib
import pkgutil
import sys
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest

import latentbio
from latentbio.exercises import EXERCISES, ExerciseFailed, call_student, exercise, forbidden_references
from notebook_exercises import chapter_of, find_exercises
from student import stub_solution

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
# At least this many exercises per chapter (issue 16: the mechanical ones plus one scientific one each).
MINIMUM_EXERCISES = {1: 3, 2: 5, 3: 3, 4: 3, 5: 3, 6: 3}


def chapter_exercises():
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for found in find_exercises(notebook, chapter_of(path)):
            yield path, notebook, found


CASES = [pytest.param(notebook, found, id=f"{found.number}-{found.check_function}")
         for path, notebook, found in chapter_exercises()]


def free_names(check_source: str, defined: set[str]) -> set[str]:
    """Names the check cell reads that neither it nor the solution cell defines (the chapter's objects)."""
    tree = ast.parse(check_source)
    assigned = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return used - assigned - defined - set(dir(builtins))


class Placeholder:
    """Stands in for a chapter object in a check cell: any attribute, item or call gives another placeholder."""

    def __getattr__(self, name):
        return Placeholder()

    def __getitem__(self, key):
        return Placeholder()

    def __call__(self, *args, **kwargs):
        return Placeholder()


def solution_namespace(source: str) -> dict:
    namespace = {}
    exec(source, namespace)
    return namespace


def sources(notebook, found):
    solution = "\n\n".join(notebook.cells[i].source for i in found.solution_cells)
    return solution, notebook.cells[found.check_cell].source


@pytest.mark.parametrize("notebook, found", CASES)
def test_each_box_has_a_solution_and_a_check_registered_with_its_number(notebook, found):
    assert found.label, f"exercise {found.number} ({found.title}) needs a :label:"
    assert found.check_cell is not None, f"exercise {found.number} ({found.title}) has no check cell after it"
    assert found.solution_cells, f"exercise {found.number} has no solution cell between its box and its check"
    assert found.check_module == f"latentbio.exercises.ch{found.number.split('.')[0]:0>2}"
    check = getattr(importlib.import_module(found.check_module), found.check_function)
    assert hasattr(check, "exercise"), f"{found.check_function} is not registered with @exercise"
    assert check.exercise.number == found.number, (
        f"box {found.number} ({found.title}) calls {found.check_function}, registered as exercise "
        f"{check.exercise.number}: the M-th box of chapter N is exercise N.M")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_chapter_has_its_exercises_with_unique_labels(path):
    found = list(find_exercises(nbformat.read(path, as_version=4), chapter_of(path)))
    required = MINIMUM_EXERCISES.get(chapter_of(path), 1)
    assert len(found) >= required, f"{path.name} has {len(found)} exercises, the course asks for at least {required}"
    labels = [e.label for e in found]
    assert len(set(labels)) == len(labels), f"{path.name}: exercise labels repeat: {labels}"


def test_every_registered_check_belongs_to_a_box():
    boxes = {found.number for _, _, found in chapter_exercises()}
    for module in pkgutil.iter_modules(importlib.import_module("latentbio.exercises").__path__):
        importlib.import_module(f"latentbio.exercises.{module.name}")
    chapters = {chapter_of(path) for path in NOTEBOOKS}
    registered = {number for number, info in EXERCISES.items() if info.chapter in chapters}
    assert registered == boxes, f"checks without a box: {registered - boxes}; boxes without a check: {boxes - registered}"


def test_every_forbidden_name_exists_in_the_package():
    for module in pkgutil.walk_packages(latentbio.__path__, "latentbio."):
        importlib.import_module(module.name)
    defined = {name for module_name, module in sys.modules.items()
               if module_name.startswith("latentbio.") and ".exercises" not in module_name
               for name, value in vars(module).items() if getattr(value, "__module__", None) == module_name}
    for _, _, found in chapter_exercises():
        check = getattr(importlib.import_module(found.check_module), found.check_function)
        missing = set(check.exercise.forbidden) - defined
        assert not missing, f"exercise {found.number} forbids {missing}, which latentbio does not define"


@pytest.mark.parametrize("notebook, found", CASES)
def test_the_reference_solution_uses_no_forbidden_name(notebook, found):
    check = getattr(importlib.import_module(found.check_module), found.check_function)
    solution, _ = sources(notebook, found)
    assert forbidden_references(solution, check.exercise.forbidden) == []


@pytest.mark.parametrize("grading", [False, True], ids=["self-study", "graded"])
@pytest.mark.parametrize("notebook, found", CASES)
def test_the_reference_solution_passes_its_check(notebook, found, grading, monkeypatch, capsys):
    solution, check = sources(notebook, found)
    namespace = solution_namespace(solution)
    if free_names(check, set(namespace)):
        pytest.skip("the check reads the chapter's objects: the notebook run (nbval, in grading mode) covers it")
    monkeypatch.setenv("LATENTBIO_GRADING", "1" if grading else "0")
    exec(check, namespace)
    assert capsys.readouterr().out.startswith(f"✔ Exercise {found.number} (")


@pytest.mark.parametrize("notebook, found", CASES)
def test_the_student_stub_fails_its_check_naming_the_exercise(notebook, found):
    solution, check = sources(notebook, found)
    namespace = solution_namespace(stub_solution(solution, f"Exercise {found.number}"))
    namespace.update({name: Placeholder() for name in free_names(check, set(namespace))})  # the chapter's objects
    with pytest.raises(ExerciseFailed, match=rf"^Exercise {found.number} \(.*not implemented yet"):
        exec(check, namespace)


def test_grading_mode_rejects_the_package_reference_through_any_alias(monkeypatch):
    from latentbio.exercises.ch02 import check_bayes_classifier
    from latentbio.models import generative_classifier

    def via_a_helper(log_likelihoods, prior):
        return generative_classifier.bayes_rule(log_likelihoods, np.log(prior))

    check_bayes_classifier(via_a_helper)  # self-study: any correct route passes
    monkeypatch.setenv("LATENTBIO_GRADING", "1")
    with pytest.raises(ExerciseFailed, match="package's own `latentbio.models.generative_classifier.bayes_rule`"):
        check_bayes_classifier(via_a_helper)


def test_the_tripwire_ignores_a_student_function_of_the_same_name(monkeypatch):
    reference = types.ModuleType("latentbio._reference_for_test")
    exec("def triple(x):\n    return 3 * x", reference.__dict__)
    monkeypatch.setitem(sys.modules, reference.__name__, reference)

    @exercise("98.1", "tripling", forbidden=("triple",))
    def check_triple(triple, *, name):
        if call_student(triple, 2, exercise=name) != 6:
            raise ExerciseFailed(f"{name}: wrong")

    def triple(x):  # the student's own, same name
        return x + x + x

    monkeypatch.setenv("LATENTBIO_GRADING", "1")
    check_triple(triple)
    with pytest.raises(ExerciseFailed, match="triple"):
        check_triple(lambda x: reference.triple(x))
    EXERCISES.pop("98.1")


def test_forbidden_references_reads_code_not_text():
    source = "import numpy as np\nfrom latentbio.models import bayes_rule as br\n# bayes_rule in a comment\nx = 'AdaIN'"
    assert forbidden_references(source, ("bayes_rule", "AdaIN")) == ["bayes_rule"]
    assert forbidden_references("%pip install x\ny = AdaIN()", ("AdaIN",)) == ["AdaIN"]


def test_exercise_numbers_are_checked():
    with pytest.raises(ValueError, match="chapter.position"):
        exercise("2", "no position")
    with pytest.raises(ValueError, match="forbidden"):
        exercise("2.9", "a string", forbidden="bayes_rule")
