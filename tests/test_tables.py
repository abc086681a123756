"""Tables: made by the pool, stored with their settings, reused only when they fit, compared within tolerances."""

import json

import pandas as pd
import pytest

from latentbio.experiments import TABLE_MODULES, table_spec
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
