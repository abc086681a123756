"""Chapter 6 sweep: what an extra OT penalty on the shared space does when the groups' cell-type

Phase-A record (issue 13): written against the package of commit 821367d (package-ready); later API
changes (train.fit without DataLoaders, balanced_group_loader removed) may break it. The chapter's
own tables are made by scripts/ch04_seed_table.py and scripts/ch06_tables.py.
compositions differ.

Simulates two groups, then removes cells of one type from group_0 (``--keep`` of them stay:
1/3 makes the type three times as frequent in group_1, 0 makes it absent from group_0), and
trains multiGroupVI with and without the sample-based OT penalty between the groups' shared
codes. Scores: group mixing (random labels beside it), the cell-type ARI of the shared space,
and the cross-group cell-type agreement (for each cell, the share of its nearest neighbours
*from the other group* that have its cell type, over cells whose type both groups have).

    python scripts/sweep_ch06_composition.py --keep 0.333 --seeds 0 1 2 --out _build/sweep_ch06_composition.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("LATENTBIO_PROGRESS", "0")

import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, os.path.dirname(__file__))
from sweep_ch06_budget import simulate  # noqa: E402

import latentbio  # noqa: E402
from latentbio.metrics.clustering import clustering_ari  # noqa: E402
from latentbio.metrics.mixing import knn_group_entropy  # noqa: E402
from latentbio.models.multigroupvi import MultiGroupVI  # noqa: E402


def cross_group_agreement(codes, groups, labels, n_neighbors: int = 15, only=None) -> float:
    """Mean over cells (of labels both groups have; of label ``only`` if given) of the share of their
    ``n_neighbors`` nearest cells of the other group that carry the same label."""
    shared_labels = set(labels[groups == np.unique(groups)[0]]) & set(labels[groups == np.unique(groups)[1]])
    agreement = []
    for group in np.unique(groups):
        own, other = groups == group, groups != group
        index = NearestNeighbors(n_neighbors=n_neighbors).fit(codes[other])
        neighbours = index.kneighbors(codes[own], return_distance=False)
        same = labels[other][neighbours] == labels[own][:, None]
        keep = np.isin(labels[own], list(shared_labels) if only is None else [only])
        agreement.append(same[keep].mean(axis=1))
    return float(np.concatenate(agreement).mean())


def subsample(adata, cell_type: str, group: str, keep: float, seed: int):
    rng = np.random.default_rng(seed)
    target = np.flatnonzero((adata.obs["cell_type"] == cell_type).to_numpy() & (adata.obs["group"] == group).to_numpy())
    drop = rng.choice(target, size=len(target) - int(round(keep * len(target))), replace=False)
    return adata[np.setdiff1d(np.arange(adata.n_obs), drop)].copy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="g2")
    parser.add_argument("--keep", type=float, default=1 / 3)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--ot", type=float, nargs="+", default=[0.0, 10.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default="_build/sweep_ch06_composition.jsonl")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    for seed in args.seeds:
        adata = subsample(simulate(args.data, seed), "type_0", "group_0", args.keep, seed)
        groups, types = adata.obs["group"].to_numpy(), adata.obs["cell_type"].to_numpy()
        for weight in args.ot:
            latentbio.seed_everything(seed)
            model = MultiGroupVI(adata, "group", shared_ot_penalty=weight)
            cpu = time.process_time()
            model.fit(epochs=args.epochs, kl_warmup_epochs=args.warmup, seed=seed)
            shared = model.get_latent(adata)
            row = {"data": args.data, "keep": args.keep, "seed": seed, "ot": weight, "epochs": args.epochs,
                   "warmup": args.warmup, "cpu_s": round(time.process_time() - cpu, 1),
                   "mixing": knn_group_entropy(shared, groups),
                   "mixing_random": knn_group_entropy(shared, np.random.default_rng(seed).permutation(groups)),
                   "ari": clustering_ari(shared, types),
                   "agreement": cross_group_agreement(shared, groups, types),
                   "agreement_type0": cross_group_agreement(shared, groups, types, only="type_0")
                   if args.keep > 0 else None}
            print(json.dumps(row), flush=True)
            with open(args.out, "a") as handle:
                handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
