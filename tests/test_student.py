"""The student copies that `make student` writes."""

import nbformat
import pytest

from latentbio.exercises.student import stub_solution, student_notebook, write_student_copies

SOLUTION = '''import torch


def double(x):
    """Twice x."""
    # BEGIN SOLUTION
    y = 2 * x
    return y
    # END SOLUTION
'''


def test_stub_replaces_the_solution_at_its_indentation():
    stub = stub_solution(SOLUTION)
    assert "y = 2 * x" not in stub and "SOLUTION" not in stub
    assert '    raise NotImplementedError("Exercise: write your solution here")' in stub
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["double"](1)


@pytest.mark.parametrize("broken", ["# BEGIN SOLUTION\nx = 1", "x = 1\n# END SOLUTION",
                                    "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION"])
def test_unbalanced_markers_are_an_error(broken):
    with pytest.raises(ValueError):
        stub_solution(broken)


def make_notebook():
    solution = nbformat.v4.new_code_cell(SOLUTION, metadata={"tags": ["solution", "hide-input"]})
    solution.outputs = [nbformat.v4.new_output("stream", text="hi")]
    solution.execution_count = 3
    other = nbformat.v4.new_code_cell("print(1)")
    other.outputs = [nbformat.v4.new_output("stream", text="1")]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), solution, other])


def test_student_notebook_stubs_solutions_and_clears_outputs():
    student = student_notebook(make_notebook())
    solution, other = student.cells[1], student.cells[2]
    assert "NotImplementedError" in solution.source and "y = 2 * x" not in solution.source
    assert solution.metadata["tags"] == ["solution"]
    assert all(c.outputs == [] and c.execution_count is None for c in (solution, other))


def test_solution_cell_without_markers_is_an_error():
    notebook = make_notebook()
    notebook.cells[1].source = "def f():\n    return 1"
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        student_notebook(notebook)


def test_write_student_copies(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    nbformat.write(make_notebook(), chapters / "01_x.ipynb")
    written = write_student_copies(chapters, tmp_path / "student")
    assert [p.name for p in written] == ["01_x.ipynb"]
    assert "NotImplementedError" in nbformat.read(written[0], as_version=4).cells[1].source
    with pytest.raises(ValueError, match="no notebooks"):
        write_student_copies(tmp_path / "student" / "empty", tmp_path / "out")
