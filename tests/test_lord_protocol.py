import numpy as np
import pandas as pd
import pytest

from latentbio.experiments import ch03_lord as protocol
from latentbio.data.shapes import SHAPES
from latentbio.experiments.tables import load_or_compute

TINY = {"lord": {"epochs": 2, "lr": 5e-3, "code_lr_factor": 10.0, "batch_size": 16},
        "no_noise": {"epochs": 2, "lr": 5e-3, "code_lr_factor": 10.0, "batch_size": 16},
        "amortized": {"epochs": 2, "lr": 1e-2, "batch_size": 16},
        "baseline": {"epochs": 2, "lr": 5e-3, "batch_size": 16},
        "noisy_baseline": {"epochs": 2, "lr": 5e-3, "batch_size": 16},
        "single_image": {"epochs": 2, "lr": 5e-2, "batch_size": None}}


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
    assert set(run["models"]) == set(protocol.MODEL_NAMES)
    assert all(model.history.n_epochs == 2 for model in run["models"].values())
    assert run["models"]["LORD without noise"].module.content_codes.noise_std == 0
    noisy, plain = run["models"][protocol.NOISY_BASELINE].module, run["models"]["baseline"].module
    assert (noisy.content_noise, noisy.content_decay) == (1.0, protocol.CONTENT_DECAY)  # LORD's regulariser
    assert (plain.content_noise, plain.content_decay) == (0.0, 0.0)
    scores = run["scores"]
    assert list(scores.index) == list(protocol.MODEL_NAMES)
    assert list(scores["images"]) == ["training", "test", "training", "test", "test"]
    numbers = scores.drop(columns="images").astype(float)
    assert ((numbers >= 0) & (numbers <= 1)).all().all()
    assert set(run["unseen"]) == {"heart as seen shapes: transfer error", "heart as seen shapes: transfer IoU",
                                  "heart redrawn: error", "seen shapes as heart: error"}


def test_run_experiment_trains_only_the_models_asked_for(world, judge):
    run = protocol.run_experiment(world, judge, seed=0, schedules=TINY, models=("LORD stage 1", "baseline"))
    assert list(run["scores"].index) == ["LORD stage 1", "baseline"] and run["unseen"] == {}
    with pytest.raises(ValueError, match="stage 1"):
        protocol.run_experiment(world, judge, seed=0, schedules=TINY, models=("LORD stage 2",))
    with pytest.raises(ValueError, match="among"):
        protocol.run_experiment(world, judge, seed=0, schedules=TINY, models=("VAE",))


def test_single_image_optimisation_uses_lords_code_learning_rate():
    lord = protocol.SCHEDULES["lord"]
    assert protocol.SCHEDULES["single_image"]["lr"] == pytest.approx(lord["lr"] * lord["code_lr_factor"])


def test_optimised_codes_reconstruct_better_than_their_start_and_leave_the_generator_alone(world):
    lord = protocol.train_lord(world, seed=0, schedule={**TINY["lord"], "epochs": 5})
    before = {name: value.clone() for name, value in lord.module.state_dict().items()}
    images, classes = world.test.images, world.test.classes
    codes, errors = protocol.optimise_content_codes(lord, images, classes, epochs=40, lr=5e-2, seed=0)
    assert codes.shape == (len(images), protocol.ARCHITECTURE["content_dim"]) and errors.shape == (40,)
    # the generator and class codes are frozen, and still trainable afterwards
    assert all(np.array_equal(before[name], value) for name, value in lord.module.state_dict().items())
    assert all(parameter.requires_grad for parameter in lord.module.parameters())
    # the codes start as LORD starts its codes (near zero) and end reconstructing the images better
    start = np.random.default_rng(0).uniform(-0.05, 0.05, codes.shape).astype(np.float32)

    def error(z):
        return np.abs(lord.decode_mean(z, classes) - images).mean()

    assert error(codes) < 0.8 * error(start) and errors[-1] < errors[0]
    again, _ = protocol.optimise_content_codes(lord, images, classes, epochs=40, lr=5e-2, seed=0)
    np.testing.assert_array_equal(codes, again)


def test_stage2_tests_score_single_image_optimisation_and_the_training_images(world, judge):
    run = protocol.run_experiment(world, judge, seed=0, schedules=TINY)
    tests = protocol.stage2_tests(run, judge, world, seed=0, schedules=TINY)
    assert list(tests["scores"].index) == [protocol.SINGLE_IMAGE, protocol.STAGE2_TRAINING]
    assert set(tests["scores"].columns) == set(protocol.SCORE_NAMES)
    assert len(tests["curve"]) == TINY["single_image"]["epochs"] and tests["cpu_s"] > 0


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
    assert len(chapter) == 3 and list(chapter[0].index) == list(protocol.SCORED_NAMES)
    assert list(protocol.unseen_runs(table).columns) == list(protocol.UNSEEN_NAMES)
    curves = protocol.training_curves(table)
    assert {model for (_, _, model) in curves} == {*protocol.MODEL_NAMES, protocol.SINGLE_IMAGE}
    assert all(len(curve) == (4 if plan == "doubled" else 2) for (plan, _, _), curve in curves.items())
    assert table.loc[table["model"] == protocol.SINGLE_IMAGE, "cpu_s"].notna().any()
    # the stored table is read back, not recomputed
    again = load_or_compute(protocol.TABLE, TINY_SETTINGS, folder=tmp_path)
    pd.testing.assert_frame_equal(again, pd.read_csv(tmp_path / "ch03_lord.csv"))
    plateau = protocol.plateau_check(table)
    assert set(plateau.index.get_level_values("score")) == set(protocol.PLATEAU_SCORES)
    assert plateau["plateau"].dtype == bool


def score_table(changes, quantities=protocol.SCORE_NAMES):
    """A seed table in which doubling moves every score in ``quantities`` by ``changes`` (one per seed)."""
    rows = []
    for plan, shift in (("chapter", 0.0), ("doubled", 1.0)):
        for seed, change in enumerate(changes):
            for model in protocol.SCORED_NAMES:
                for quantity in protocol.SCORE_NAMES:
                    moved = shift * change if quantity in quantities else 0.0
                    rows.append({"schedule": plan, "seed": seed, "kind": "score", "model": model,
                                 "quantity": quantity, "epoch": -1, "value": 0.5 + moved})
    return pd.DataFrame(rows)


def test_the_plateau_rule_asks_the_judges_errors_to_stay_within_the_tolerance():
    assert protocol.PLATEAU_TOLERANCE == 0.01
    assert protocol.plateau_check(score_table([0.005, 0.006, 0.0055]))["plateau"].all()  # shown, but small
    unsettled = protocol.plateau_check(score_table([0.05, -0.04, 0.06]))  # large, not shown
    errors = unsettled.xs("transfer error", level="score")["plateau"]
    probe = unsettled.xs("class from content", level="score")["plateau"]
    assert not errors.any() and probe.all()  # the probe's change may be noise; the judge's may not
    assert not protocol.plateau_check(score_table([0.02, 0.025, 0.022]))["plateau"].any()  # shown and large


def test_the_sweep_plateau_compares_each_schedule_with_its_double():
    log = pd.DataFrame([{"model": "baseline", "epochs": epochs, "seed": seed, "reconstruction error": 0.0,
                         "transfer error": {100: 0.05, 200: 0.02, 400: 0.015}[epochs] + 0.001 * seed,
                         "class from content": 0.3}
                        for epochs in (100, 200, 400) for seed in (10, 11, 12)])
    plateau = protocol.sweep_plateau(log)
    assert sorted(set(plateau.index.get_level_values("epochs"))) == [100, 200]
    passing = plateau.groupby("epochs")["plateau"].all()
    assert not passing[100] and passing[200]
    with pytest.raises(ValueError, match="different seeds"):
        protocol.sweep_plateau(log[~((log["epochs"] == 200) & (log["seed"] == 12))])
