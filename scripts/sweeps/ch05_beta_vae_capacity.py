"""Calibrate chapter 5's capacity-controlled beta-VAE by disentanglement, on the paper protocol's splits.

A code that must hold cell type and condition needs at least their joint entropy, H(type, condition)
(about 2.4 nats on the Kang subset: :func:`latentbio.experiments.ch05_paper_protocol.factor_entropy`), so
every capacity here is at or above it. For each held-out cell type (the paper's split: the whole type out),
this script trains the chapter's beta-VAE (``train_chapter_model("beta_vae", ...)``, seed 0, the chapter's
epochs and capacity ramp) for each capacity C_max in {2.5, 3.5, 5} nats at the chapter's beta = 5 (the question is the capacity;
other (beta, C_max) pairs with ``--settings``), on the *training* cells, and scores the
training cells' codes only (no held-out cell is encoded):

- MIG of cell type and condition, and each factor's gap;
- the dimension that carries most information about each factor, and whether the two differ
  (``separate_dimensions``);
- the final KL (does the code use its capacity?) and the loss plateau.

The criterion (never R^2, never a held-out cell): the setting whose two factors read from different
dimensions on the most splits, then the highest mean MIG. Writes ``ch05_beta_vae_capacity.csv`` beside
this script and prints the summary.

Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/sweeps/ch05_beta_vae_capacity.py [--workers 2]
"""

import argparse
import functools
import time
from pathlib import Path

import numpy as np
import pandas as pd

from latentbio.data import load_kang2018
from latentbio.experiments.ch05_paper_protocol import factor_dimensions, factor_entropy, hold_out_cell_type
from latentbio.experiments.ch05_scgen_task import CHAPTER_SETTINGS, loss_plateau, train_chapter_model
from latentbio.experiments.ch05_table import CELL_TYPES
from latentbio.experiments.pool import map_tasks

HERE = Path(__file__).resolve().parent


def run(task, seed: int = 0, log: Path | None = None) -> dict:
    """Train one (held-out type, beta, C_max) beta-VAE and score its training codes (the row is also
    appended to ``log`` when given, so that a long sweep shows its progress)."""
    cell_type, beta, capacity = task
    split = hold_out_cell_type(load_kang2018(), cell_type, n_top_genes=CHAPTER_SETTINGS["n_genes"])
    start = time.process_time()
    model = train_chapter_model("beta_vae", split.train, seed=seed, settings={"beta": beta, "capacity_max": capacity})
    codes = model.get_latent_representation()
    history = model.history.train
    fifth = max(1, len(history["kl"]) // 5)
    row = {"held_out": cell_type, "beta": beta, "capacity_max": capacity, "seed": seed,
           **factor_dimensions(codes, split.train.obs),
           "kl": float(np.mean(history["kl"][-fifth:])), "plateau": loss_plateau(history["loss"]),
           "cpu_s": round(time.process_time() - start, 1)}
    if log is not None:
        with open(log, "a") as file:
            print(row, file=file, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=float, nargs="+", default=[5.0, 2.5, 5.0, 3.5, 5.0, 5.0],
                        help="beta, C_max pairs (default: C_max 2.5, 3.5 and 5 nats at beta 5)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--output", type=Path, default=HERE / "ch05_beta_vae_capacity.csv")
    arguments = parser.parse_args()
    entropy = factor_entropy(load_kang2018().obs)
    print("entropies (nats):", {key: round(value, 3) for key, value in entropy.items()})
    pairs = list(zip(arguments.settings[::2], arguments.settings[1::2]))
    tasks = [(cell_type, beta, capacity) for beta, capacity in pairs for cell_type in CELL_TYPES]
    log = arguments.output.with_suffix(".log")
    log.unlink(missing_ok=True)
    table = pd.DataFrame(map_tasks(functools.partial(run, log=log), tasks, workers=arguments.workers, desc="beta-VAEs"))
    log.unlink()
    table.round(4).to_csv(arguments.output, index=False)
    print(summarize(table).to_string())


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Per (beta, C_max): splits with separate dimensions, mean MIG and gaps, mean KL, worst plateau,
    best first by the sweep's criterion."""
    summary = table.groupby(["beta", "capacity_max"]).agg(
        splits_separate=("separate_dimensions", "sum"), n_splits=("held_out", "size"), mig=("mig", "mean"),
        gap_cell_type=("gap_cell_type", "mean"), gap_condition=("gap_condition", "mean"), kl=("kl", "mean"),
        worst_plateau=("plateau", "min"), cpu_s=("cpu_s", "sum"))
    return summary.sort_values(["splits_separate", "mig"], ascending=False).round(3)


if __name__ == "__main__":
    main()
