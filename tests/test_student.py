"""The student copies that `make student` (scripts/book/student.py) writes."""

from pathlib import Path

import nbformat
import pytest

from student import plain_box, stub_solution, student_notebook, write_student_copies

SOLUTION = '''import torch


def double(x):
    """Twice x."""
    # BEGIN SOLUTION
    y = 2 * x
    return y
    # END SOLUTION
'''
BOX = "## Exercises\n\n```{exercise} Doubling\n:label: ch01-ex-double\n\nWrite `double(x)`.\n```\n\nGood luck."


def test_stub_replaces_the_solution_at_its_indentation_and_names_the_exercise():
    stub = stub_solution(SOLUTION, "Exercise 1.1")
    assert "y = 2 * x" not in stub and "SOLUTION" not in stub
    assert '    raise NotImplementedError("Exercise 1.1: write your solution here")' in stub
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError, match="Exercise 1.1"):
        namespace["double"](1)


@pytest.mark.parametrize("broken", ["# BEGIN SOLUTION\nx = 1", "x = 1\n# END SOLUTION",
                                    "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION"])
def test_unbalanced_markers_are_an_error(broken):
    with pytest.raises(ValueError):
        stub_solution(broken)


def test_a_box_becomes_a_numbered_heading_for_jupyter():
    plain = plain_box(BOX, "1.3")
    assert plain.startswith("## Exercises\n\n### Exercise 1.3: Doubling\n\nWrite `double(x)`.")
    assert "{exercise}" not in plain and ":label:" not in plain and plain.endswith("Good luck.")


def make_notebook():
    solution = nbformat.v4.new_code_cell(SOLUTION, metadata={"tags": ["solution", "hide-input"]})
    solution.outputs = [nbformat.v4.new_output("stream", text="hi")]
    solution.execution_count = 3
    check = nbformat.v4.new_code_cell("from latentbio.exercises.ch01 import check_double\n\ncheck_double(double)")
    check.outputs = [nbformat.v4.new_output("stream", text="✔")]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"),
                                               nbformat.v4.new_markdown_cell(BOX), solution, check])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def test_student_notebook_stubs_solutions_and_clears_outputs_and_widget_state():
    student = student_notebook(make_notebook(), 1)
    box, solution, check = student.cells[1:]
    assert "Exercise 1.1: Doubling" in box.source
    assert 'NotImplementedError("Exercise 1.1' in solution.source and "y = 2 * x" not in solution.source
    assert solution.metadata["tags"] == ["solution"]
    assert all(c.outputs == [] and c.execution_count is None for c in (solution, check))
    assert "widgets" not in student.metadata


def test_solution_cell_without_markers_is_an_error():
    notebook = make_notebook()
    notebook.cells[2].source = "def double(x):\n    return 2 * x"
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        student_notebook(notebook, 1)


def test_solution_cell_outside_an_exercise_is_an_error():
    notebook = make_notebook()
    del notebook.cells[1]
    with pytest.raises(ValueError, match="no exercise box"):
        student_notebook(notebook, 1)


def test_write_student_copies(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    nbformat.write(make_notebook(), chapters / "01_x.ipynb")
    written = write_student_copies(chapters, tmp_path / "student")
    assert [p.name for p in written] == ["01_x.ipynb"]
    assert "NotImplementedError" in nbformat.read(written[0], as_version=4).cells[2].source
    with pytest.raises(ValueError, match="no notebooks"):
        write_student_copies(tmp_path / "student" / "empty", tmp_path / "out")


def test_every_chapter_of_the_course_has_a_student_copy(tmp_path):
    chapters = Path(__file__).resolve().parents[1] / "chapters"
    written = write_student_copies(chapters, tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in chapters.glob("*.ipynb"))
    for path in written:
        assert "# BEGIN SOLUTION" not in path.read_text(), f"{path.name}: a solution is left in the student copy"
