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
