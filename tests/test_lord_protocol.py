import json

import numpy as np
import pandas as pd
import pytest

from latentbio import lord_protocol as protocol
from latentbio.data.shapes import SHAPES

TINY = {"lord": {"epochs": 2, "lr": 5e-3, "code_lr_factor": 10.0, "batch_size": 16},
        "no_noise": {"epochs": 2, "lr": 5e-3, "code_lr_factor": 10.0, "batch_size": 16},
        "amortized": {"epochs": 2, "lr": 1e-2, "batch_size": 16},
        "baseline": {"epochs": 2, "lr": 5e-3, "batch_size": 16}}


@pytest.fixture(scope="module")
def world():
    return protocol.make_shape_world(n_train=16, n_test=16)


@pytest.fixture(scope="module")
def judge():
    return protocol.train_judge(protocol.make_judge_set(n_per_class=10))


def test_the_world_holds_the_seen_shapes_and_the_held_out_heart(world):
    assert world.n_seen == 5 and protocol.SEEN_SHAPES == SHAPES[:5]
    assert sorted(set(world.train.classes)) == sorted(set(world.test.classes)) == list(range(5))
    assert (world.unseen.classes == SHAPES.index("heart")).all() and len(world.unseen.images) == 16
    assert world.train.images.shape == (80, 32, 32)
    # three independent draws: no test image repeats a training image
    assert not any(np.array_equal(a, b) for a in world.test.images[:5] for b in world.train.images)


def test_targets_are_other_classes_and_reproducible():
    classes = np.repeat(np.arange(5), 20)
    targets = protocol.other_classes(classes, 5, seed=3)
    assert (targets != classes).all() and set(targets) == set(range(5))
    np.testing.assert_array_equal(targets, protocol.other_classes(classes, 5, seed=3))


def test_run_experiment_trains_and_scores_every_model(world, judge):
    run = protocol.run_experiment(world, judge, seed=0, schedules=TINY)
    assert set(run["models"]) == {"LORD stage 1", "LORD stage 2", "LORD without noise", "baseline"}
    assert all(model.history.n_epochs == 2 for model in run["models"].values())
    assert run["models"]["LORD without noise"].module.content_codes.noise_std == 0
    scores = run["scores"]
    assert list(scores.index) == ["LORD stage 1", "LORD stage 2", "LORD without noise", "baseline"]
    assert list(scores["images"]) == ["training", "test", "training", "test"]
    numbers = scores.drop(columns="images").astype(float)
    assert ((numbers >= 0) & (numbers <= 1)).all().all()
    assert set(run["unseen"]) == {"heart as seen shapes: transfer error", "heart as seen shapes: transfer IoU",
                                  "heart redrawn: error", "seen shapes as heart: error"}


def test_the_same_seed_trains_the_same_model(world):
    first = protocol.train_lord(world, seed=4, schedule=TINY["lord"])
    second = protocol.train_lord(world, seed=4, schedule=TINY["lord"])
    np.testing.assert_array_equal(first.learned_content_codes(), second.learned_content_codes())


def test_mean_and_standard_error_over_seeds():
    tables = [pd.DataFrame({"a": [1.0, 2.0]}, index=["x", "y"]), pd.DataFrame({"a": [3.0, 2.0]}, index=["x", "y"])]
    mean, error = protocol.mean_and_standard_error(tables)
    assert mean.loc["x", "a"] == 2.0 and mean.loc["y", "a"] == 2.0
    assert error.loc["x", "a"] == pytest.approx(np.std([1, 3], ddof=1) / np.sqrt(2)) and error.loc["y", "a"] == 0
    with pytest.raises(ValueError, match="two seeds"):
        protocol.mean_and_standard_error(tables[:1])


def test_doubled_schedules_keep_everything_but_the_epochs():
    longer = protocol.doubled(TINY)
    assert {name: s["epochs"] for name, s in longer.items()} == {name: 4 for name in TINY}
    assert all({**s, "epochs": 2} == TINY[name] for name, s in longer.items())


def test_the_seed_table_holds_every_seed_twice_and_is_reused(world, judge, tmp_path):
    path = tmp_path / "table.json"
    table = protocol.load_or_run_seed_table(path, world, judge, seeds=(0, 1), schedules=TINY, n_jobs=1)
    assert sorted((run["schedule"], run["seed"]) for run in table["runs"]) == [
        ("chapter", 0), ("chapter", 1), ("doubled", 0), ("doubled", 1)]
    chapter = protocol.seed_scores(table, "chapter")
    assert len(chapter) == 2 and list(chapter[0].index) == ["LORD stage 1", "LORD stage 2", "LORD without noise",
                                                            "baseline"]
    assert all(len(curve) == 4 for run in table["runs"] if run["schedule"] == "doubled"
               for curve in run["curves"].values())
    # the file is read back, not recomputed (no world, no judge needed)
    again = protocol.load_or_run_seed_table(path, None, None, seeds=(0, 1), schedules=TINY)
    assert again == json.loads(path.read_text())
    plateau = protocol.plateau_check(table)
    assert set(plateau.index.get_level_values("score")) == set(protocol.PLATEAU_SCORES)
    assert plateau["plateau"].dtype == bool


def test_a_table_made_with_other_settings_is_computed_again(world, judge, tmp_path):
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"settings": {"seeds": [0, 1]}, "runs": []}))
    table = protocol.load_or_run_seed_table(path, world, judge, seeds=(0, 1), schedules=TINY, n_jobs=1)
    assert len(table["runs"]) == 4 and json.loads(path.read_text())["settings"] == table["settings"]


def test_paired_change_and_the_plateau_rule():
    change, error = protocol.paired_change([0.10, 0.20, 0.30], [0.12, 0.20, 0.34])
    assert change == pytest.approx(0.02) and error == pytest.approx(np.std([0.02, 0, 0.04], ddof=1) / np.sqrt(3))
    with pytest.raises(ValueError, match="two seeds"):
        protocol.paired_change([0.1], [0.2])
