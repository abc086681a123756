import numpy as np
import pandas as pd
import pytest

from latentbio.experiments import ch03_lord as protocol
from latentbio.data.shapes import SHAPES
from latentbio.experiments.tables import load_or_compute

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


def test_doubled_schedules_keep_everything_but_the_epochs():
    longer = protocol.doubled(TINY)
    assert {name: s["epochs"] for name, s in longer.items()} == {name: 4 for name in TINY}
    assert all({**s, "epochs": 2} == TINY[name] for name, s in longer.items())


TINY_SETTINGS = {**protocol.SETTINGS, "seeds": [0, 1, 2], "schedules": TINY,
                 "images_per_shape": {"train": 16, "test": 16}, "judge_images_per_shape": 10}


def test_the_seed_table_holds_every_seed_twice_and_is_reused(tmp_path):
    table = load_or_compute(protocol.TABLE, TINY_SETTINGS, folder=tmp_path)
    runs = table[table["kind"] == "score"][["schedule", "seed"]].drop_duplicates()
    assert sorted(map(tuple, runs.to_numpy().tolist())) == [(p, s) for p in ("chapter", "doubled") for s in (0, 1, 2)]
    chapter = protocol.seed_scores(table, "chapter")
    assert len(chapter) == 3 and list(chapter[0].index) == list(protocol.MODEL_NAMES)
    assert list(protocol.unseen_runs(table).columns) == list(protocol.UNSEEN_NAMES)
    curves = protocol.training_curves(table)
    assert all(len(curve) == (4 if plan == "doubled" else 2) for (plan, _, _), curve in curves.items())
    # the stored table is read back, not recomputed
    again = load_or_compute(protocol.TABLE, TINY_SETTINGS, folder=tmp_path)
    pd.testing.assert_frame_equal(again, pd.read_csv(tmp_path / "ch03_lord.csv"))
    plateau = protocol.plateau_check(table)
    assert set(plateau.index.get_level_values("score")) == set(protocol.PLATEAU_SCORES)
    assert plateau["plateau"].dtype == bool


def test_the_plateau_rule_passes_changes_that_are_not_shown_or_small():
    def table(changes):
        rows = []
        for plan, shift in (("chapter", 0.0), ("doubled", 1.0)):
            for seed, change in enumerate(changes):
                for model in protocol.MODEL_NAMES:
                    for quantity in protocol.SCORE_NAMES:
                        rows.append({"schedule": plan, "seed": seed, "kind": "score", "model": model,
                                     "quantity": quantity, "epoch": -1, "value": 0.5 + shift * change})
        return pd.DataFrame(rows)

    assert protocol.plateau_check(table([0.01, 0.012, 0.011]))["plateau"].all()  # shown, but within the tolerance
    assert protocol.plateau_check(table([0.05, -0.04, 0.06]))["plateau"].all()  # large, but not shown
    assert not protocol.plateau_check(table([0.05, 0.06, 0.055]))["plateau"].any()  # shown and large
