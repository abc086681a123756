"""The install files agree with each other: pyproject, environment.yml, constraints and data/README."""

import re
import tomllib
from pathlib import Path

import yaml

import latentbio.data  # noqa: F401  (registers every dataset)
from latentbio.data.datasets import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


def pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return {r.replace(" ", "") for r in project["dependencies"] + extras["book"] + extras["test"]}


def environment_requirements() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    return {r.replace(" ", "") for r in pip_section if not r.startswith("-")}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_constraints_pin_torch_and_jupyter_book():
    pins = set((ROOT / "constraints.txt").read_text().split())
    assert {"torch==2.13.0", "jupyter-book==1.0.4.post1"} <= pins


def test_every_registered_dataset_is_documented_in_data_readme():
    readme = (ROOT / "data" / "README.md").read_text()
    for entry in REGISTRY.values():
        assert entry.sha256 in readme, f"data/README.md does not document {entry.name} (sha256 {entry.sha256})"
        assert entry.url in readme, f"data/README.md does not give the URL of {entry.name}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\s*$", (ROOT / "README.md").read_text(), re.M)


def test_license_is_an_spdx_string():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"


def test_readme_names_both_ways_to_build_the_book_and_the_cpu_torch():
    readme = (ROOT / "README.md").read_text()
    for command in ("make book\n", "make book-committed\n", "make grade SUBMISSIONS=", "TORCH_INDEX="):
        assert command in readme, f"README.md does not mention {command.strip()}"
    assert "TORCH_INDEX" in (ROOT / "Makefile").read_text()
    assert "TORCH_INDEX=" in (ROOT / "book" / "running.md").read_text()


def test_the_chapter_times_table_is_valid():
    import json

    times = json.loads((ROOT / "book" / "chapter_times.json").read_text())
    assert set(times) == {"date", "machine", "chapters"}
    for name, row in times["chapters"].items():
        assert (ROOT / "chapters" / name).exists() and row["seconds"] > 0
