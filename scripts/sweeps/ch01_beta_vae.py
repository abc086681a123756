"""Sweep of chapter 1's settings: which beta-VAE disentangles the sprites, and how fast?

Chapter 1 compares PCA, a convolutional autoencoder and a convolutional beta-VAE on
:func:`latentbio.data.make_sprites` by the mutual information gap (MIG). This script chose its
settings (beta, latent size, epochs, data size, image size, factor levels, learning rate,
batch size) by training every combination given on the command line and scoring each model
with MIG *against the true factors*: a kind of supervision that real data do not offer, which
the chapter says.

MIG is disentanglement_lib's estimator (Locatello et al. 2019, ``mig.py``): the posterior
means, each dimension cut into 20 equal-width bins, ``mutual_info_score`` against each factor's
value index, the gap between the best and the second-best dimension divided by the factor's
entropy, averaged over factors (:func:`latentbio.metrics.mutual_information_gap`).

Every run prints one line and appends one JSON record per checkpoint to ``--out`` (MIG, loss,
KL per dimension, active dimensions, CPU seconds so far), so a single run also gives MIG and
loss against epochs: the plateau. ``kept_per_factor`` is, for each factor, the largest normalised
mutual information of one dimension with it: whether the code keeps the factor at all.
The sweep draws its sprites with ``--data-seed 0``: the *tuning draw*. Chapter 1 reports on another
draw (seed 1), so the numbers it states were not used to choose the settings. ``--summary`` also
writes one CSV row per run (its last checkpoint), the small log committed beside this script.
Run one sweep at a time, with one thread, e.g.::

    python scripts/sweeps/ch01_beta_vae.py --beta 1 2 4 8 --epochs 80 --seeds 0 1 2 --out sweep.jsonl

The log committed with the course, ``ch01_beta_vae.csv``, comes from the chapter's networks and
training settings, with beta and the seeds varied on the tuning draw (about 7 CPU minutes)::

    python scripts/sweeps/ch01_beta_vae.py --model beta-VAE --beta 1 2 4 8 --epochs 60 --batch-size 64 \
        --channels 8,16 --seeds 0 1 2 --eval-every 20 --out /tmp/ch01.jsonl --summary scripts/sweeps/ch01_beta_vae.csv
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA

import latentbio
from latentbio.data.sprites import make_sprites
from latentbio.metrics import anchor_codes, factor_entropies, mutual_information_gap, mutual_information_matrix
from latentbio.models.conv_vae import ConvAutoencoder, ConvVAE
from latentbio.train import cosine_schedule

ACTIVE_NATS = 0.1  # a dimension whose mean KL exceeds this is counted as in use


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    grid = parser.add_argument_group("the grid (every combination is trained)")
    grid.add_argument("--model", nargs="+", default=["beta-VAE"], choices=["beta-VAE", "autoencoder"])
    grid.add_argument("--beta", nargs="+", type=float, default=[4.0])
    grid.add_argument("--n-latent", nargs="+", type=int, default=[10])
    grid.add_argument("--epochs", nargs="+", type=int, default=[40])
    grid.add_argument("--n", nargs="+", type=int, default=[5000], help="images in the data set")
    grid.add_argument("--size", nargs="+", type=int, default=[16], help="image side in pixels")
    grid.add_argument("--levels", nargs="+", type=int, default=[5], help="values per factor")
    grid.add_argument("--lr", nargs="+", type=float, default=[2e-3])
    grid.add_argument("--batch-size", nargs="+", type=int, default=[128])
    grid.add_argument("--channels", nargs="+", default=["16,32,32"], help="conv widths, e.g. 16,32,32")
    grid.add_argument("--cosine", nargs="+", type=int, default=[0], help="1: cosine learning-rate decay to 1%%")
    grid.add_argument("--warmup", nargs="+", type=int, default=[0], help="epochs of linear KL warm-up")
    grid.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--eval-every", type=int, default=10, help="epochs between MIG checkpoints")
    parser.add_argument("--data-seed", type=int, default=0, help="seed of the sprites (0: the tuning draw)")
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to append to")
    parser.add_argument("--summary", type=Path, help="CSV file to write: one row per run (its last checkpoint)")
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def anchors(sprites, n_latent: int) -> dict[str, float]:
    """MIG of known codes on these sprites: PCA and the anchors of
    :func:`latentbio.metrics.anchor_codes` (each averaged over its codes)."""
    pixels = sprites.images.reshape(len(sprites.images), -1)
    codes = {"PCA": [PCA(n_latent, random_state=0).fit_transform(pixels)], **anchor_codes(sprites.factors)}
    return {name: round(float(np.mean([mutual_information_gap(code, sprites.factors) for code in group])), 4)
            for name, group in codes.items()}


def main() -> None:
    arguments = parse_arguments()
    latentbio.configure(arguments.threads)
    names = ["model", "beta", "n_latent", "epochs", "n", "size", "levels", "lr", "batch_size", "channels", "cosine", "warmup", "seed"]
    values = [arguments.model, arguments.beta, arguments.n_latent, arguments.epochs, arguments.n, arguments.size,
              arguments.levels, arguments.lr, arguments.batch_size, arguments.channels, arguments.cosine, arguments.warmup, arguments.seeds]
    data_cache: dict[tuple, object] = {}
    rows: list[dict] = []
    for combination in itertools.product(*values):
        setting = dict(zip(names, combination))
        if setting["model"] == "autoencoder" and (setting["beta"], setting["warmup"]) != (arguments.beta[0], arguments.warmup[0]):
            continue  # beta does not enter an autoencoder
        data_key = (setting["n"], setting["size"], setting["levels"])
        if data_key not in data_cache:
            sprites = make_sprites(n=setting["n"], size=setting["size"], n_values=setting["levels"],
                                   seed=arguments.data_seed)
            data_cache[data_key] = sprites
            record = {"anchors": anchors(sprites, setting["n_latent"]), "n": setting["n"], "size": setting["size"],
                      "levels": setting["levels"], "data_seed": arguments.data_seed}
            print(json.dumps(record), flush=True)
            with arguments.out.open("a") as out:
                out.write(json.dumps(record) + "\n")
        sprites = data_cache[data_key]
        channels = tuple(int(c) for c in setting["channels"].split(","))
        latentbio.seed_everything(setting["seed"])
        if setting["model"] == "beta-VAE":
            model = ConvVAE(sprites.image_shape, setting["n_latent"], setting["beta"], channels)
        else:
            model = ConvAutoencoder(sprites.image_shape, setting["n_latent"], channels)
        start = time.process_time()
        checkpoints = []

        def checkpoint(epoch: int) -> None:
            if isinstance(model, ConvVAE) and setting["warmup"]:
                model.module.beta = setting["beta"] * min(1.0, (epoch + 1) / setting["warmup"])
            if epoch == 0 or epoch % arguments.eval_every:
                return
            cpu = time.process_time() - start
            codes = model.latent(sprites.images)
            information = mutual_information_matrix(codes, sprites.factors) / factor_entropies(sprites.factors)
            ranked = np.sort(information, axis=0)
            entry = {**setting, "at_epoch": epoch, "cpu_s": round(cpu, 1),
                     "mig": round(mutual_information_gap(codes, sprites.factors), 4),
                     "gap_per_factor": np.round(ranked[-1] - ranked[-2], 3).tolist(),
                     "best_dimension": information.argmax(axis=0).tolist(),
                     "kept_per_factor": np.round(ranked[-1], 3).tolist()}
            if isinstance(model, ConvVAE):
                kl = model.kl_per_dimension(sprites.images)
                entry.update(kl_per_dimension=np.round(kl, 3).tolist(), active=int((kl > ACTIVE_NATS).sum()))
            checkpoints.append(entry)

        scheduler = cosine_schedule(setting["epochs"]) if setting["cosine"] else None
        history = model.fit(sprites.images, epochs=setting["epochs"], batch_size=setting["batch_size"],
                            lr=setting["lr"], seed=setting["seed"], on_epoch_start=checkpoint, scheduler=scheduler)
        checkpoint(setting["epochs"])
        for entry in checkpoints:
            entry["loss"] = round(history.train["loss"][entry["at_epoch"] - 1], 3)
        with arguments.out.open("a") as out:
            for entry in checkpoints:
                out.write(json.dumps(entry) + "\n")
        final = checkpoints[-1]
        curve = [entry["mig"] for entry in checkpoints]
        print(f"{setting} cpu {final['cpu_s']}s MIG {final['mig']:.3f} (by checkpoint {curve}) "
              f"loss {final['loss']} active {final.get('active')}", flush=True)
        if arguments.summary:
            rows.append({**setting, "data_seed": arguments.data_seed, "cpu_s": final["cpu_s"], "loss": final["loss"],
                         "mig": final["mig"], "active": final.get("active", ""),
                         **{f"kept_{name}": kept for name, kept in zip(sprites.factor_names, final["kept_per_factor"])},
                         **{f"gap_{name}": gap for name, gap in zip(sprites.factor_names, final["gap_per_factor"])}})
            with arguments.summary.open("w", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)


if __name__ == "__main__":
    main()
