"""How many epochs does each model of chapter 3 need? The sweep behind ``latentbio.experiments.ch03_lord.SCHEDULES``.

For each model (LORD stage 1, LORD without noise, LORD stage 2, the baseline, the baseline with
LORD's noise) and each schedule
length E in its list, the model is trained with the chapter's settings for 3 seeds and scored as
in the chapter (judge error on reconstructions and on transfers, transfer IoU, class from
content). The **plateau rule** (``protocol.plateau_change``): a schedule has converged when the
next, twice as long, changes the judge's errors by at most ``protocol.PLATEAU_TOLERANCE`` on average
over the seeds, and the probe's accuracy by no more than that or by no shown amount (the 95 %
interval of the paired change holds zero, ``latentbio.experiments.evidence``); the chapter uses the
shortest converged schedule (and its seed table checks the rule again: ``protocol.plateau_check``).
Stage 2 starts from stage 1 trained with ``SCHEDULES["lord"]``.

One process, one thread (``latentbio.configure``): run it on a quiet machine, or read its CPU
seconds. Writes one CSV row per (model, epochs, seed) and prints the plateau table.

The two baselines' schedules were chosen on tuning seeds (10, 11, 12), apart from the seed table's;
their log ships with the course and the chapter shows it:

    python scripts/sweeps/ch03_schedules.py --models baseline noisy_baseline --seeds 10 11 12 \
        --out scripts/sweeps/ch03_baselines.csv
    python scripts/sweeps/ch03_schedules.py --models lord --epochs 100 200 400
"""

import argparse
import time

import pandas as pd

import latentbio
from latentbio.experiments import ch03_lord as protocol

DEFAULT_EPOCHS = {"lord": [100, 200, 400], "no_noise": [75, 150, 300], "amortized": [20, 40, 80],
                  "baseline": [100, 200, 400, 800], "noisy_baseline": [100, 200, 400, 800]}


def train_and_score(model: str, epochs: int, seed: int, world, judge, stage1_cache: dict) -> dict:
    """Train one model with ``epochs`` (other settings as in the chapter) and return its scores."""
    schedule = {**protocol.SCHEDULES[model], "epochs": epochs}
    start = time.process_time()
    if model in ("lord", "no_noise"):
        trained = protocol.train_lord(world, seed, content_noise=1.0 if model == "lord" else 0.0, schedule=schedule)
        seconds = time.process_time() - start
        scores = protocol.stage1_scores(trained, judge, world)
        if model == "lord" and epochs == protocol.SCHEDULES["lord"]["epochs"]:
            stage1_cache[seed] = trained
    elif model == "amortized":
        if seed not in stage1_cache:
            stage1_cache[seed] = protocol.train_lord(world, seed)
        start = time.process_time()
        trained = protocol.train_amortized(stage1_cache[seed], world, seed, schedule=schedule)
        seconds = time.process_time() - start
        scores = protocol.encoder_scores(trained, judge, world)
    else:
        trained = protocol.train_baseline(world, seed, lord_noise=model == "noisy_baseline", schedule=schedule)
        seconds = time.process_time() - start
        scores = protocol.encoder_scores(trained, judge, world)
    return {"model": model, "epochs": epochs, "seed": seed, "cpu_seconds": round(seconds, 1),
            "final_loss": trained.history.train["loss"][-1], **scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_EPOCHS), choices=list(DEFAULT_EPOCHS))
    parser.add_argument("--epochs", nargs="+", type=int, help="schedule lengths (default: a list per model)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--out", default="_build/ch03_schedules.csv")
    args = parser.parse_args()

    latentbio.configure()
    world = protocol.make_shape_world()
    judge = protocol.train_judge(protocol.make_judge_set())
    stage1_cache: dict = {}
    rows = []
    for model in args.models:
        for epochs in args.epochs or DEFAULT_EPOCHS[model]:
            for seed in args.seeds:
                rows.append(train_and_score(model, epochs, seed, world, judge, stage1_cache))
                print({key: round(value, 3) if isinstance(value, float) else value for key, value in rows[-1].items()},
                      flush=True)
                pd.DataFrame(rows).to_csv(args.out, index=False)
    rows = pd.DataFrame(rows)
    summary = rows.groupby(["model", "epochs"]).agg(["mean", "sem"]).drop(columns="seed")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(summary.round(3))
        print(protocol.sweep_plateau(rows).round(3).to_string())


if __name__ == "__main__":
    main()
