"""Tables: made by the pool, stored with their settings, reused only when they fit, compared within tolerances."""

import json

import pandas as pd
import pytest

from latentbio.experiments import TABLE_MODULES, table_spec
from latentbio.experiments.__main__ import main as experiments_main
from latentbio.experiments.tables import SHIPPED, TableSpec, differences, load_or_compute, read


def square_rows(task, settings, context):
    return [{"case": task, "value": task ** settings["power"] + context, "cpu_s": 0.1}]


def tasks_of(settings):
    return list(range(settings["n"]))


def offset(settings):
    return settings.get("offset", 0)


SPEC = TableSpec("toy", {"n": 3, "power": 2}, tasks_of, square_rows, keys=("case",), tolerance={"value": 0.5},
                 prepare=offset)


@pytest.mark.parametrize("workers", [1, 2])
def test_compute_write_and_reuse(tmp_path, workers):
    table = load_or_compute(SPEC, folder=tmp_path, workers=workers)
    assert table["value"].tolist() == [0, 1, 4]
    meta = json.loads((tmp_path / "toy.json").read_text())
    assert meta["settings"] == {"n": 3, "power": 2} and meta["plan"] == [0, 1, 2] and len(meta["code"]) == 16
    (tmp_path / "toy.csv").write_text("case,value,cpu_s\n0,7,0\n1,7,0\n2,7,0\n")  # reused, not recomputed
    assert load_or_compute(SPEC, folder=tmp_path)["value"].tolist() == [7, 7, 7]


def test_other_settings_are_computed_again(tmp_path, capsys):
    load_or_compute(SPEC, folder=tmp_path)
    again = load_or_compute(SPEC, {"n": 2, "power": 3}, folder=tmp_path)
    assert again["value"].tolist() == [0, 1] and "other settings" in capsys.readouterr().out


def test_differences_name_the_rows_beyond_tolerance_and_the_missing_ones():
    shipped = pd.DataFrame({"case": [0, 1, 2], "value": [0.0, 1.0, 4.0], "cpu_s": [1, 1, 1]})
    computed = pd.DataFrame({"case": [0, 1, 3], "value": [0.4, 2.0, 9.0], "cpu_s": [5, 5, 5]})
    wrong = differences(SPEC, computed, shipped)
    assert sorted(wrong["case"]) == [1, 2, 3]  # 0 is within 0.5; timings are never compared
    assert differences(SPEC, shipped, shipped).empty
    with pytest.raises(ValueError, match="columns"):
        differences(SPEC, computed.drop(columns="cpu_s"), shipped)


def test_a_sample_is_compared_on_its_own_rows_only():
    shipped = pd.DataFrame({"case": [0, 1, 2], "value": [0.0, 1.0, 4.0], "cpu_s": [1, 1, 1]})
    sample = pd.DataFrame({"case": [1, 5], "value": [1.2, 25.0], "cpu_s": [5, 5]})
    assert differences(SPEC, sample, shipped, sample=True)["case"].tolist() == [5]  # 0 and 2 were not recomputed
    assert sorted(differences(SPEC, sample, shipped)["case"]) == [0, 2, 5]


def test_the_sample_of_a_table_is_one_of_its_plans_tasks():
    assert SPEC.sample_tasks() == [0]  # default: the first task
    chosen = TableSpec("toy", {"n": 3, "power": 2}, tasks_of, square_rows, keys=("case",), sample=lambda s: [2])
    assert chosen.sample_tasks() == [2] and chosen.sample_tasks({"n": 4, "power": 2}) == [2]
    with pytest.raises(ValueError, match="outside the plan"):
        chosen.sample_tasks({"n": 2, "power": 2})


@pytest.mark.parametrize("name", list(TABLE_MODULES))
def test_every_chapter_table_has_a_sample_of_one_task_of_each_kind(name):
    spec = table_spec(name)
    sample, plan = spec.sample_tasks(), spec.tasks(spec.settings)
    assert 0 < len(sample) < len(plan) and len(set(map(str, sample))) == len(sample)


def test_a_sample_is_never_written_over_the_shipped_tables():
    with pytest.raises(SystemExit):
        experiments_main(["ch04_clusters", "--sample"])
    with pytest.raises(SystemExit):
        experiments_main(["ch04_clusters", "--check", "--sample"])


def test_a_missing_table_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m latentbio.experiments toy"):
        read("toy", tmp_path)


@pytest.mark.parametrize("name", list(TABLE_MODULES))
def test_every_chapter_table_ships_with_its_settings(name):
    spec = table_spec(name)
    table, meta = read(name, SHIPPED)
    assert meta["settings"] == json.loads(json.dumps(spec.settings)), f"{name}: remake it, its settings changed"
    assert meta["plan"] == json.loads(json.dumps(spec.tasks(spec.settings)))
    assert set(spec.keys) <= set(table.columns) and not table.duplicated(list(spec.keys)).any()


def test_unknown_table():
    with pytest.raises(ValueError, match="ch04_clusters"):
        table_spec("ch99")
