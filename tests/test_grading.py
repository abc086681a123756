"""`make grade` on a small synthetic chapter: the instructor's copy passes, the student copy fails,
tampered, crashing and hanging copies each get a clear row, an empty folder is reported.

The synthetic chapter 9 has two exercises whose checks live in a module beside it (the grader
puts the chapters folder on the import path), so each notebook runs in a few seconds."""

import csv
import sys
import textwrap

import nbformat
import pytest

from grade import main as grade
from student import student_notebook

CHECKS = '''
import sys
import types

from latentbio.exercises import call_student, exercise, expect, passed

# The package's "reference implementation" of exercise 9.2, as if it lived in latentbio.
reference = types.ModuleType("latentbio.fixture_reference")
exec("def square(x):\\n    return x * x", reference.__dict__)
sys.modules[reference.__name__] = reference


@exercise("9.1", "doubling a number")
def check_double(double, *, name):
    expect(call_student(double, 3, exercise=name) == 6, name, "double(3) should be 6")
    passed(name)


@exercise("9.2", "the square of a number", forbidden=("square",))
def check_square(square, *, name):
    expect(call_student(square, 4, exercise=name) == 16, name, "square(4) should be 16")
    passed(name)
'''


def box(title, label):
    return nbformat.v4.new_markdown_cell(f"```{{exercise}} {title}\n:label: {label}\n\nWrite it.\n```")


def solution(name, body):
    source = f"def {name}(x):\n    # BEGIN SOLUTION\n    {body}\n    # END SOLUTION"
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["solution", "hide-input"]})


def check(name, argument):
    return nbformat.v4.new_code_cell(f"from fixture_checks import {name}\n\n{name}({argument})")


def instructor_notebook():
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A synthetic chapter"),
        nbformat.v4.new_code_cell("value = 1"),
        box("Double", "ch09-ex-double"), solution("double", "return 2 * x"), check("check_double", "double"),
        box("Square", "ch09-ex-square"), solution("square", "return x * x"), check("check_square", "square"),
    ])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade five submissions in one run; return the rows by student and the terminal output."""
    root = tmp_path_factory.mktemp("grading")
    chapters, submissions = root / "chapters", root / "submissions"
    chapters.mkdir()
    (chapters / "fixture_checks.py").write_text(textwrap.dedent(CHECKS))
    nbformat.write(instructor_notebook(), chapters / "09_fixture.ipynb")
    copies = {"instructor": instructor_notebook(), "student": student_notebook(instructor_notebook(), 9)}
    tampered = instructor_notebook()
    del tampered.cells[7]  # the check of exercise 9.2
    tampered.cells[3].source = tampered.cells[3].source.replace("2 * x", "x + 2")  # wrong
    tampered.cells[4].source = "from fixture_checks import check_double\n\ncheck_double(lambda x: 2 * x)"  # forged
    copies["tampered"] = tampered
    crashing = instructor_notebook()
    crashing.cells[1].source = "value = 1 / 0"
    crashing.cells[6].source = "import os\nos._exit(1)"  # kills the kernel before the second exercise
    copies["crashing"] = crashing
    cheating = instructor_notebook()
    cheating.cells[6].source = ("def square(x):\n    from latentbio.fixture_reference import square as s\n"
                                "    return s(x)")
    copies["cheating"] = cheating
    sneaky = student_notebook(instructor_notebook(), 9)
    sneaky.cells[1].source = "import fixture_checks  # noqa: F401\nimport latentbio.fixture_reference as helper"
    sneaky.cells[3].source = "def double(x):\n    return x + x"
    sneaky.cells[6].source = "def square(x):\n    return getattr(helper, 'squ' + 'are')(x)"
    copies["sneaky"] = sneaky
    for name, notebook in copies.items():
        (submissions / name).mkdir(parents=True)
        nbformat.write(notebook, submissions / name / "09_fixture.ipynb")
    (submissions / "lost_09_fixture.ipynb").write_text("not a notebook")
    (submissions / "notes.ipynb").write_text("{}")
    output = root / "grades.csv"
    sys.path.insert(0, str(chapters))
    status = grade([str(submissions), "--chapters", str(chapters), "--output", str(output), "--timeout", "120"])
    assert status == 0
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["exercise"]] = row
    return by_student


def test_the_csv_has_one_row_per_student_chapter_and_exercise(graded):
    for student in ("instructor", "student", "tampered", "crashing", "cheating", "sneaky"):
        assert set(graded[student]) == {"9.1", "9.2"}
        assert all(row["chapter"] == "9" for row in graded[student].values())


def test_the_instructor_copy_passes_every_exercise(graded):
    assert [row["passed"] for row in graded["instructor"].values()] == ["yes", "yes"]
    assert graded["instructor"]["9.1"]["message"].startswith("Exercise 9.1 (doubling a number)")


def test_the_student_copy_fails_every_exercise_naming_it(graded):
    for number, row in graded["student"].items():
        assert row["passed"] == "no"
        assert f"Exercise {number}" in row["message"] and "not implemented" in row["message"]


def test_a_tampered_copy_is_graded_with_the_original_checks(graded):
    rows = graded["tampered"]
    assert rows["9.1"]["passed"] == "no"  # the forged check cell was replaced by the real one
    assert "double(3) should be 6" in rows["9.1"]["message"]
    assert rows["9.2"]["passed"] == "no" and "tampered" in rows["9.2"]["message"]


def test_a_crashing_copy_gets_clear_rows(graded):
    rows = graded["crashing"]
    assert rows["9.1"]["passed"] == "yes"
    assert rows["9.2"]["passed"] == "no"
    assert "kernel died" in rows["9.2"]["message"] and "ZeroDivisionError" in rows["9.2"]["message"]


def test_calling_the_package_reference_fails_in_grading(graded):
    assert graded["cheating"]["9.1"]["passed"] == "yes"
    assert graded["cheating"]["9.2"]["passed"] == "no"
    assert "uses the package's own `square`" in graded["cheating"]["9.2"]["message"]


def test_calling_it_through_a_disguise_fails_too(graded):
    assert graded["sneaky"]["9.1"]["passed"] == "yes"  # a student copy, solved
    assert graded["sneaky"]["9.2"]["passed"] == "no"
    assert "package's own `latentbio.fixture_reference.square`" in graded["sneaky"]["9.2"]["message"]


def test_an_unreadable_notebook_gets_a_row(graded):
    assert all("not a readable notebook" in row["message"] for row in graded["lost_09_fixture"].values())
    assert "cannot tell the chapter" in graded["notes"][""]["message"]


def test_a_hanging_notebook_is_stopped_at_the_limit(tmp_path):
    chapters, submissions = tmp_path / "chapters", tmp_path / "submissions"
    chapters.mkdir()
    submissions.mkdir()
    (chapters / "fixture_checks.py").write_text(textwrap.dedent(CHECKS))
    nbformat.write(instructor_notebook(), chapters / "09_fixture.ipynb")
    hanging = instructor_notebook()
    hanging.cells[1].source = "import time\ntime.sleep(600)"
    nbformat.write(hanging, submissions / "sleepy_09_fixture.ipynb")
    sys.path.insert(0, str(chapters))
    output = tmp_path / "grades.csv"
    assert grade([str(submissions), "--chapters", str(chapters), "--output", str(output), "--timeout", "8"]) == 0
    rows = list(csv.DictReader(output.open()))
    assert [row["student"] for row in rows] == ["sleepy_09_fixture"] * 2
    assert all(row["passed"] == "no" and "8 s limit" in row["message"] for row in rows)


def test_an_empty_folder_says_so(tmp_path, capsys):
    assert grade([str(tmp_path), "--output", str(tmp_path / "grades.csv")]) == 1
    assert "no notebooks in" in capsys.readouterr().err
    assert not (tmp_path / "grades.csv").exists()
