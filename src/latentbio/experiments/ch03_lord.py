"""Chapter 3's experiment: LORD, LORD without noise and two class-conditioned autoencoders (the
baseline, and the baseline with LORD's noise and penalty on its content codes) on procedural shapes,
each trained with one seed and judged by an independent classifier.

The world (:func:`make_shape_world`): grey 32x32 shapes whose class is the shape and whose content
is the pose. Five shapes are seen in training; the heart is held out. Three sets of images:
training, test (new images of the seen shapes, and of the heart) and a large judge set (all six
shapes) on which the judge classifier learns.

The models (:func:`train_lord`, :func:`train_amortized`, :func:`train_baseline`) use
``ARCHITECTURE`` and ``SCHEDULES``; ``scripts/sweeps/ch03_schedules.py`` chose the numbers of
epochs (the shortest schedule whose scores match those of a schedule twice as long), and the
seed table checks that rule again for every seed (:func:`plateau_check`).

The scores (:func:`transfer_scores`): the judge's error on reconstructions (each image drawn as
its own class: the ceiling of what a transfer can reach) and on transfers (drawn as another
class); the overlap of each transfer's silhouette with the exact answer, the target shape
rendered in the source pose; and the class accuracy of a classifier reading the content codes
(leakage).
:func:`run_experiment` does all of it for one seed.

Why stage 2 (:func:`stage2_tests`): the content codes of new images found without an encoder, by
optimising one code per test image against the frozen stage-1 generator and class codes
(:func:`optimise_content_codes`, scored by :func:`single_image_scores`), against the stage-2
encoder's; and the stage-2 encoder's codes of its own training images, whose leakage tests the
chapter's explanation of the leakage of its codes of new images.

The seed table (:data:`TABLE`, ``python -m latentbio.experiments ch03_lord``): every seed of
``TABLE_SEEDS`` with the chapter's schedules and with every schedule doubled, the scores and the
training curves, no models. The chapter reads it (:func:`load_seed_table`) for its claims over
seeds and for the plateau rule (:func:`plateau_check`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import train
from ..data.shapes import SHAPES, Shapes, make_shapes, render_classes
from ..metrics.leakage import class_leakage
from ..metrics.transfer import intersection_over_union
from ..models import LORD, AmortizedLORD, ClassConditionedAutoencoder, ImageClassifier
from ..models.lord import INIT_RANGE, noisy_codes
from ..seed import seed_everything
from .evidence import compare
from .tables import TableSpec, load_or_compute

UNSEEN_SHAPE = "heart"
SEEN_SHAPES = tuple(shape for shape in SHAPES if shape != UNSEEN_SHAPE)  # class indices 0..4, as in SHAPES
IMAGE_SIZE = 32

# LORD's networks (both stages) and the baseline's share these sizes.
ARCHITECTURE = {"content_dim": 64, "class_dim": 8, "channels": (32, 16)}
CONTENT_DECAY = 1e-5  # lambda of the L2 penalty on content codes (see the chapter for why not 1e-4)
CODE_WEIGHT = 10.0  # stage 2: weight of the squared code errors (official PyTorch value)

# Steps of single-image optimisation (all test images in one batch): about 10 CPU seconds per seed; the
# seed table checks them with the plateau rule like every schedule (doubled: 200 steps).
SINGLE_IMAGE_STEPS = 100

SCHEDULES = {
    "lord": {"epochs": 200, "lr": 5e-3, "code_lr_factor": 10.0, "batch_size": 64},
    "no_noise": {"epochs": 300, "lr": 5e-3, "code_lr_factor": 10.0, "batch_size": 64},
    "amortized": {"epochs": 40, "lr": 1e-2, "batch_size": 64},
    "baseline": {"epochs": 200, "lr": 5e-3, "batch_size": 16},
    "noisy_baseline": {"epochs": 200, "lr": 5e-3, "batch_size": 16},
    # one content code per test image against the frozen stage-1 generator: all images in one batch,
    # so an epoch is one step of Adam; lr = LORD's code learning rate (lr x code_lr_factor)
    "single_image": {"epochs": SINGLE_IMAGE_STEPS, "lr": 5e-2, "batch_size": None},
}
JUDGE_SCHEDULE = {"epochs": 8, "lr": 3e-3, "batch_size": 64}
TABLE_SEEDS = (0, 1, 2, 3, 4)
# The plateau rule: doubling the schedules changes the judge's errors by at most this much on average
# (5 of 500 images), and the probe's accuracy by no shown amount (the 95 % interval of the paired change
# over the seeds holds zero) or by at most this much.
PLATEAU_TOLERANCE = 0.01
PLATEAU_SCORES = ("reconstruction error", "transfer error", "class from content")
PROBE_SCORES = ("class from content",)
"""Scores read by a trained probe, which varies between random splits of the same codes: the plateau
rule lets their change be within the tolerance or not shown."""
NOISY_BASELINE = "baseline with LORD's noise"
MODEL_NAMES = ("LORD stage 1", "LORD stage 2", "LORD without noise", "baseline", NOISY_BASELINE)
"""The five trained models (each has a training curve in the seed table)."""
STAGE1_MODELS = ("LORD stage 1", "LORD without noise")
"""The models without an encoder: they have codes, and scores, only for their training images."""
SINGLE_IMAGE = "single-image optimisation"
STAGE2_TRAINING = "LORD stage 2, training images"
SCORED_NAMES = ("LORD stage 1", "LORD stage 2", STAGE2_TRAINING, SINGLE_IMAGE, "LORD without noise", "baseline",
                NOISY_BASELINE)
"""The rows of a seed's score table: the five models, the stage-2 encoders on their own training
images, and the content codes of the test images found by single-image optimisation."""
SCORE_NAMES = ("reconstruction error", "transfer error", "transfer IoU", "class from content")
UNSEEN_NAMES = ("heart as seen shapes: transfer error", "heart as seen shapes: transfer IoU", "heart redrawn: error",
                "seen shapes as heart: error")


@dataclass
class ShapeWorld:
    """The images of the experiment. ``train`` and ``test`` hold the seen shapes (classes 0..4,
    named by ``SEEN_SHAPES``); ``unseen`` holds test images of the held-out heart (class 5 of
    ``SHAPES``)."""

    train: Shapes
    test: Shapes
    unseen: Shapes

    @property
    def n_seen(self) -> int:
        """Number of seen classes."""
        return len(SEEN_SHAPES)


def make_shape_world(n_train: int = 100, n_test: int = 100, size: int = IMAGE_SIZE) -> ShapeWorld:
    """``n_train`` training and ``n_test`` test images of each seen shape, and ``n_test`` test
    images of the unseen heart; each set drawn with its own seed."""
    test = make_shapes(n_test, size, SHAPES, seed=1)
    unseen = SHAPES.index(UNSEEN_SHAPE)
    return ShapeWorld(train=make_shapes(n_train, size, SEEN_SHAPES, seed=0),
                      test=test.subset(test.classes != unseen), unseen=test.subset(test.classes == unseen))


def make_judge_set(n_per_class: int = 2000, size: int = IMAGE_SIZE) -> Shapes:
    """The judge's own training images: all six shapes, drawn with a seed of their own."""
    return make_shapes(n_per_class, size, SHAPES, seed=2)


def train_judge(judge_set: Shapes, seed: int = 0) -> ImageClassifier:
    """The independent judge: a small convolutional classifier of all six shapes, trained on real images."""
    seed_everything(seed)
    judge = ImageClassifier(judge_set.image_shape, len(SHAPES))
    judge.fit(judge_set.images, judge_set.classes, seed=seed, **JUDGE_SCHEDULE)
    return judge


def train_lord(world: ShapeWorld, seed: int, *, content_noise: float = 1.0, schedule: dict | None = None) -> LORD:
    """Stage 1 of LORD on the training images (``content_noise=0``: the no-noise ablation, with its
    own schedule ``SCHEDULES["no_noise"]``)."""
    schedule = schedule or SCHEDULES["lord" if content_noise > 0 else "no_noise"]
    seed_everything(seed)
    lord = LORD(world.train.image_shape, world.n_seen, len(world.train.images), content_noise=content_noise,
                content_decay=CONTENT_DECAY, **ARCHITECTURE)
    lord.fit(world.train.images, world.train.classes, seed=seed, **schedule)
    return lord


def train_amortized(lord: LORD, world: ShapeWorld, seed: int, *, schedule: dict | None = None) -> AmortizedLORD:
    """Stage 2 of LORD: encoders for the stage-1 codes, on the same training images."""
    seed_everything(seed)
    amortized = AmortizedLORD(lord, code_weight=CODE_WEIGHT)
    amortized.fit(world.train.images, world.train.classes, seed=seed, **(schedule or SCHEDULES["amortized"]))
    return amortized


def train_baseline(world: ShapeWorld, seed: int, *, lord_noise: bool = False, schedule: dict | None = None
                   ) -> ClassConditionedAutoencoder:
    """The baseline: an autoencoder given the class, with LORD's generator, trained to reconstruct.
    ``lord_noise=True``: with LORD's noise and penalty on its content codes (``NOISY_BASELINE``,
    schedule ``SCHEDULES["noisy_baseline"]``), so that it differs from LORD only in amortisation."""
    seed_everything(seed)
    baseline = ClassConditionedAutoencoder(world.train.image_shape, world.n_seen,
                                           content_dim=ARCHITECTURE["content_dim"],
                                           class_dim=ARCHITECTURE["class_dim"],
                                           generator_channels=ARCHITECTURE["channels"],
                                           content_noise=1.0 if lord_noise else 0.0,
                                           content_decay=CONTENT_DECAY if lord_noise else 0.0)
    schedule = schedule or SCHEDULES["noisy_baseline" if lord_noise else "baseline"]
    baseline.fit(world.train.images, world.train.classes, seed=seed, **schedule)
    return baseline


def other_classes(classes, n_classes: int, seed: int) -> np.ndarray:
    """For each class, another class drawn at random (reproducibly): the target of its transfer."""
    classes = np.asarray(classes)
    return (classes + np.random.default_rng(seed).integers(1, n_classes, len(classes))) % n_classes


def transfer_scores(judge: ImageClassifier, data: Shapes, content_codes, reconstructions, transfers,
                    targets) -> dict[str, float]:
    """The scores of one model on ``data`` (module docstring).

    ``content_codes``: the model's content code of each image; ``reconstructions``: each image
    drawn from its code as its own class; ``transfers``: drawn as ``targets``.
    """
    judged = judge.predict(transfers)
    truth = render_classes(targets, data.factors, SHAPES, data.image_shape[0])
    return {
        "reconstruction error": judge.error(reconstructions, data.classes),
        "transfer error": float(np.mean(judged != targets)),
        "transfer IoU": float(intersection_over_union(transfers, truth).mean()),
        "class from content": class_leakage(content_codes, data.classes)["accuracy"],
    }


def stage1_scores(model: LORD, judge: ImageClassifier, world: ShapeWorld) -> dict[str, float]:
    """Scores of a stage-1 model on its training images (it has codes for no other images)."""
    codes, data = model.learned_content_codes(), world.train
    targets = other_classes(data.classes, world.n_seen, seed=0)
    return transfer_scores(judge, data, codes, model.decode_mean(codes, data.classes),
                           model.decode_mean(codes, targets), targets)


def encoder_scores(model, judge: ImageClassifier, world: ShapeWorld, images: str = "test") -> dict[str, float]:
    """Scores of a model with a content encoder (LORD stage 2, the baselines) on the test images
    (``images="training"``: on the training images, with the targets of :func:`stage1_scores`)."""
    data = world.test if images == "test" else world.train
    codes = model.latent(data.images)
    targets = other_classes(data.classes, world.n_seen, seed=1 if images == "test" else 0)
    return transfer_scores(judge, data, codes, model.decode_mean(codes, data.classes),
                           model.decode_mean(codes, targets), targets)


def unseen_scores(amortized: AmortizedLORD, judge: ImageClassifier, world: ShapeWorld) -> dict[str, float]:
    """What the stage-2 encoders do with the held-out heart (``judge`` knows hearts; LORD does not).

    - ``heart as seen shapes``: judge error of hearts transferred to random seen shapes (their
      content code from the content encoder), and the IoU with the exact answer;
    - ``heart redrawn``: judge error (target: heart) of hearts drawn from their own two codes, the
      class code read from the heart itself by the class encoder;
    - ``seen shapes as heart``: judge error (target: heart) of seen test images drawn with the
      class code of a heart.
    """
    hearts, heart_class = world.unseen, SHAPES.index(UNSEEN_SHAPE)
    targets = np.random.default_rng(2).integers(0, world.n_seen, len(hearts.images))
    as_seen = amortized.transfer(hearts.images, targets)
    truth = render_classes(targets, hearts.factors, SHAPES, hearts.image_shape[0])
    redrawn = amortized.transfer_from_examples(hearts.images, hearts.images)
    seen_images = world.test.images[:len(hearts.images)]
    as_heart = amortized.transfer_from_examples(seen_images, hearts.images)
    return {
        "heart as seen shapes: transfer error": judge.error(as_seen, targets),
        "heart as seen shapes: transfer IoU": float(intersection_over_union(as_seen, truth).mean()),
        "heart redrawn: error": judge.error(redrawn, np.full(len(redrawn), heart_class)),
        "seen shapes as heart: error": judge.error(as_heart, np.full(len(as_heart), heart_class)),
    }


def run_experiment(world: ShapeWorld, judge: ImageClassifier, seed: int, schedules: dict | None = None,
                   models=MODEL_NAMES) -> dict:
    """Train the ``models`` (default: all of ``MODEL_NAMES``; LORD stage 2 starts from stage 1, so it
    needs it) with ``seed``, and score them: stage-1 models on their training images, models with an
    encoder on the test images.

    Returns ``{"models": {name: model}, "scores": DataFrame (one row per model), "unseen": dict}``
    (``unseen``: :func:`unseen_scores` of stage 2; empty without it).
    """
    schedules = schedules or SCHEDULES
    unknown = [name for name in models if name not in MODEL_NAMES]
    if unknown or ("LORD stage 2" in models and "LORD stage 1" not in models):
        raise ValueError(f"models must be among {MODEL_NAMES}, with LORD stage 1 wherever stage 2 is; got {models}")
    trainers = {
        "LORD stage 1": lambda: train_lord(world, seed, schedule=schedules["lord"]),
        "LORD stage 2": lambda: train_amortized(trained["LORD stage 1"], world, seed, schedule=schedules["amortized"]),
        "LORD without noise": lambda: train_lord(world, seed, content_noise=0.0, schedule=schedules["no_noise"]),
        "baseline": lambda: train_baseline(world, seed, schedule=schedules["baseline"]),
        NOISY_BASELINE: lambda: train_baseline(world, seed, lord_noise=True, schedule=schedules["noisy_baseline"]),
    }
    trained = {}
    for name in MODEL_NAMES:  # in this order: stage 1 before stage 2
        if name in models:
            trained[name] = trainers[name]()
    scores = pd.DataFrame({name: stage1_scores(model, judge, world) if name in STAGE1_MODELS
                           else encoder_scores(model, judge, world) for name, model in trained.items()}).T
    scores["images"] = ["training" if name in STAGE1_MODELS else "test" for name in trained]
    unseen = unseen_scores(trained["LORD stage 2"], judge, world) if "LORD stage 2" in trained else {}
    return {"models": trained, "scores": scores, "unseen": unseen}


def optimise_content_codes(lord: LORD, images, classes, *, epochs: int, lr: float, seed: int = 0
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Content codes of ``images`` (of the seen ``classes``) found as stage 1 found those of its training
    images, without an encoder: the generator and class codes of the trained ``lord`` stay frozen;
    one free code per image starts uniform in (-0.05, 0.05), as LORD's codes start, and follows
    stage 1's objective (pixel L1 of its rendering as its own class, with the same noise on the code
    and the same L2 penalty) for ``epochs`` steps of Adam (betas 0.5, 0.999; learning rate ``lr``
    along the cosine schedule). All images form one batch; the loss is the sum of the images'
    losses, so each code follows the gradient of its own image's loss.

    Returns the codes ``(n, content_dim)`` (without noise) and the mean pixel L1 error at each step.
    """
    module = lord.module
    seed_everything(seed)
    device = lord.device
    batch, labels = lord._labelled_images(images, classes, "optimise_content_codes")
    batch, labels = batch.to(device), labels.to(device)
    noise_std, decay = module.content_codes.noise_std, module.content_decay
    codes = torch.empty(len(batch), module.generator.content_dim, device=device).uniform_(-INIT_RANGE, INIT_RANGE)
    codes.requires_grad_(True)
    optimizer = train.adam([codes], lr, betas=(0.5, 0.999))
    scheduler = train.cosine_schedule(epochs)(optimizer)
    frozen = [(parameter, parameter.requires_grad) for parameter in module.parameters()]
    errors = []
    module.eval()
    try:
        for parameter, _ in frozen:
            parameter.requires_grad_(False)
        class_codes = module.class_codes(labels)
        for _ in range(epochs):
            noisy = noisy_codes(codes, noise_std)
            per_image = (module.generator(noisy, class_codes) - batch).abs().flatten(1).mean(1)
            loss = per_image.sum() + decay * noisy.pow(2).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            errors.append(float(per_image.detach().mean()))
    finally:
        for parameter, requires_grad in frozen:
            parameter.requires_grad_(requires_grad)
    return codes.detach().cpu().numpy(), np.array(errors)


def single_image_scores(lord: LORD, judge: ImageClassifier, world: ShapeWorld, *, schedule: dict, seed: int
                        ) -> tuple[dict[str, float], np.ndarray]:
    """The scores of :func:`transfer_scores` for the content codes of the test images found by
    :func:`optimise_content_codes` (same test images and targets as :func:`encoder_scores`; the
    images are drawn by the stage-1 generator), and the optimisation's error per step."""
    data = world.test
    codes, errors = optimise_content_codes(lord, data.images, data.classes, epochs=schedule["epochs"],
                                           lr=schedule["lr"], seed=seed)
    targets = other_classes(data.classes, world.n_seen, seed=1)
    scores = transfer_scores(judge, data, codes, lord.decode_mean(codes, data.classes),
                             lord.decode_mean(codes, targets), targets)
    return scores, errors


def stage2_tests(run: dict, judge: ImageClassifier, world: ShapeWorld, seed: int, schedules: dict | None = None
                 ) -> dict:
    """What stage 2 is for, on one seed's :func:`run_experiment`: the scores of single-image
    optimisation (:func:`single_image_scores`, with ``schedules["single_image"]``) and of the stage-2
    encoders on their own training images (:func:`encoder_scores`).

    Returns ``{"scores": DataFrame (the two rows), "curve": errors per step, "cpu_s": seconds of the
    single-image optimisation}``.
    """
    schedules = schedules or SCHEDULES
    start = time.process_time()
    single, curve = single_image_scores(run["models"]["LORD stage 1"], judge, world,
                                        schedule=schedules["single_image"], seed=seed)
    cpu_s = time.process_time() - start
    scores = pd.DataFrame({SINGLE_IMAGE: single,
                           STAGE2_TRAINING: encoder_scores(run["models"]["LORD stage 2"], judge, world, "training")}).T
    return {"scores": scores, "curve": curve, "cpu_s": cpu_s}


def doubled(schedules: dict) -> dict:
    """The same schedules with twice the epochs (what the plateau rule compares with)."""
    return {name: {**schedule, "epochs": 2 * schedule["epochs"]} for name, schedule in schedules.items()}


def experiment_rows(world: ShapeWorld, judge: ImageClassifier, seed: int, schedules: dict, plan: str) -> list[dict]:
    """What the seed table keeps of :func:`run_experiment`, as rows ``(schedule, seed, kind, model,
    quantity, epoch, value)``: the scores (kind "score", rows ``SCORED_NAMES``, with :func:`stage2_tests`),
    the unseen-class scores ("unseen", model "LORD stage 2") and each model's reconstruction term per
    epoch ("curve"; single-image optimisation: per step); plain numbers, no models. Timing columns
    (never compared): ``task_cpu_s``, the task's CPU seconds, and ``cpu_s``, those of the single-image
    optimisation on its score rows."""
    start = time.process_time()
    run = run_experiment(world, judge, seed, schedules)
    tests = stage2_tests(run, judge, world, seed, schedules)
    base = {"schedule": plan, "seed": seed}
    scores = pd.concat([run["scores"].drop(columns="images"), tests["scores"]])
    rows = [{**base, "kind": "score", "model": model, "quantity": quantity, "epoch": -1, "value": float(value)}
            for model, model_scores in scores.iterrows() for quantity, value in model_scores.items()]
    rows += [{**base, "kind": "unseen", "model": "LORD stage 2", "quantity": quantity, "epoch": -1,
              "value": float(value)} for quantity, value in run["unseen"].items()]
    rows += [{**base, "kind": "curve", "model": name, "quantity": "reconstruction", "epoch": epoch + 1,
              "value": float(value)}
             for name, model in run["models"].items() for epoch, value in enumerate(model.history.train["reconstruction"])]
    rows += [{**base, "kind": "curve", "model": SINGLE_IMAGE, "quantity": "reconstruction", "epoch": step + 1,
              "value": float(value)} for step, value in enumerate(tests["curve"])]
    # seconds (never compared): the whole task's, and the single-image optimisation's on its score rows
    task_cpu_s = round(time.process_time() - start, 1)
    single_cpu_s = round(tests["cpu_s"], 1)
    return [{**row, "task_cpu_s": task_cpu_s,
             "cpu_s": single_cpu_s if row["model"] == SINGLE_IMAGE and row["kind"] == "score" else float("nan")}
            for row in rows]


SETTINGS = {"seeds": list(TABLE_SEEDS), "schedules": SCHEDULES, "images_per_shape": {"train": 100, "test": 100},
            "judge_images_per_shape": 2000, "architecture": ARCHITECTURE, "content_decay": CONTENT_DECAY,
            "code_weight": CODE_WEIGHT, "judge": JUDGE_SCHEDULE}
"""The settings of the seed table: the seeds, schedules and numbers of images are read from here;
the rest is recorded so that a table made with other constants is not reused."""


def tasks(settings: dict = SETTINGS) -> list[tuple[str, int]]:
    """Every (schedule plan, seed) of the table: ``"doubled"`` (every schedule twice as long, the
    plateau rule's check) and ``"chapter"``, the longest runs first."""
    return [(plan, seed) for plan in ("doubled", "chapter") for seed in settings["seeds"]]


def prepare(settings: dict) -> tuple[ShapeWorld, ImageClassifier]:
    """What every task reads: the chapter's images and the trained judge."""
    sizes = settings["images_per_shape"]
    return (make_shape_world(n_train=sizes["train"], n_test=sizes["test"]),
            train_judge(make_judge_set(n_per_class=settings["judge_images_per_shape"])))


def run_task(task: tuple[str, int], settings: dict, context) -> list[dict]:
    """One seed with the chapter's schedules or with them doubled: :func:`experiment_rows`."""
    plan, seed = task
    world, judge = context
    schedules = settings["schedules"] if plan == "chapter" else doubled(settings["schedules"])
    return experiment_rows(world, judge, seed, schedules, plan)


def sample(settings: dict) -> list[tuple[str, int]]:
    """What ``make test`` recomputes: the first seed with the chapter's schedules (the doubled plan
    runs the same code for longer)."""
    return [("chapter", settings["seeds"][0])]


TABLE = TableSpec("ch03_lord", SETTINGS, tasks, run_task,
                  keys=("schedule", "seed", "kind", "model", "quantity", "epoch"), tolerance={"value": 0.03},
                  prepare=prepare, sample=sample)
"""Chapter 3's seed table, in long form: one row per (schedule, seed, kind, model, quantity, epoch)."""


def load_seed_table(settings: dict = SETTINGS) -> pd.DataFrame:
    """The chapter's seed table: the shipped one when made with ``settings``, else computed here
    (about 20 CPU minutes: every seed, twice)."""
    return load_or_compute(TABLE, settings)


def seed_scores(table: pd.DataFrame, schedule: str = "chapter") -> list[pd.DataFrame]:
    """One score table (``SCORED_NAMES`` x scores) per seed of ``schedule``, in the order of the seeds."""
    scores = table[(table["kind"] == "score") & (table["schedule"] == schedule)]
    return [part.pivot(index="model", columns="quantity", values="value").loc[list(SCORED_NAMES), list(SCORE_NAMES)]
            for _, part in scores.groupby("seed", sort=True)]


def unseen_runs(table: pd.DataFrame, schedule: str = "chapter") -> pd.DataFrame:
    """The unseen-class scores (:func:`unseen_scores`), one row per seed of ``schedule``."""
    unseen = table[(table["kind"] == "unseen") & (table["schedule"] == schedule)]
    return unseen.pivot(index="seed", columns="quantity", values="value")[list(UNSEEN_NAMES)]


def training_curves(table: pd.DataFrame) -> dict[tuple[str, int, str], np.ndarray]:
    """Each model's reconstruction term per epoch: ``{(schedule, seed, model): values}``."""
    curves = table[table["kind"] == "curve"].sort_values("epoch")
    return {key: part["value"].to_numpy() for key, part in curves.groupby(["schedule", "seed", "model"])}


def plateau_change(score: str, before, after) -> dict:
    """The plateau rule for one ``score`` of one model: its mean over the seeds with a schedule
    (``before``, one value per seed) and with the schedule doubled (``after``, the same seeds in the
    same order), the evidence of the paired change (:func:`latentbio.experiments.evidence.compare`),
    and whether it passes: the mean change is at most ``PLATEAU_TOLERANCE``; for a score read by a
    probe (``PROBE_SCORES``), a change that is not shown (its 95 % interval holds zero) passes too."""
    change = compare(after, before)
    small = abs(change.mean) <= PLATEAU_TOLERANCE + 1e-9  # a mean of 5 images in 500 is within 0.01
    return {"score": score, "chapter": float(np.mean(before)), "doubled": float(np.mean(after)),
            "change": change.mean, "95% CI low": change.low, "95% CI high": change.high,
            "plateau": small or (score in PROBE_SCORES and change.verdict == "not shown")}


def plateau_check(table: pd.DataFrame, scores=PLATEAU_SCORES) -> pd.DataFrame:
    """For every model and score of the seed table: :func:`plateau_change` from the chapter's
    schedules to the doubled ones."""
    chapter, longer = seed_scores(table, "chapter"), seed_scores(table, "doubled")
    rows = [{"model": model,
             **plateau_change(score, [t.loc[model, score] for t in chapter], [t.loc[model, score] for t in longer])}
            for model in chapter[0].index for score in scores]
    return pd.DataFrame(rows).set_index(["model", "score"])


def sweep_plateau(log: pd.DataFrame, scores=PLATEAU_SCORES) -> pd.DataFrame:
    """The plateau rule on a schedule sweep's log (one row per model, epochs and seed, with the
    scores; ``scripts/sweeps/ch03_schedules.py``): for every model, every schedule E whose double 2E
    was trained too, and every score, :func:`plateau_change` from E to 2E (``chapter``: the mean
    with E epochs)."""
    rows = []
    for model, runs in log.groupby("model", sort=False):
        by_epochs = {epochs: part.sort_values("seed") for epochs, part in runs.groupby("epochs")}
        for epochs in sorted(by_epochs):
            if 2 * epochs in by_epochs:
                short, longer = by_epochs[epochs], by_epochs[2 * epochs]
                if short["seed"].tolist() != longer["seed"].tolist():
                    raise ValueError(f"{model}: {epochs} and {2 * epochs} epochs were trained on different seeds")
                rows += [{"model": model, "epochs": epochs,
                          **plateau_change(score, short[score].to_numpy(), longer[score].to_numpy())}
                         for score in scores]
    return pd.DataFrame(rows).set_index(["model", "epochs", "score"])
