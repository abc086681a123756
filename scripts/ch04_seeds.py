"""Chapter 4 over seeds: does the count VAE recover cell types better than PCA, or is it the clustering?

Phase-A record (issue 13): written against the package of commit 821367d (package-ready); later API
changes (train.fit without DataLoaders, balanced_group_loader removed) may break it. The chapter's
own tables are made by scripts/ch04_seed_table.py and scripts/ch06_tables.py.

For each seed: simulate the chapter's counts (with and without the two gene programs), run
the scanpy pipeline (normalise, log1p, 500 highly variable genes, 10 PCs) and train the
count VAE on the same genes; score cell-type recovery with k-means on raw and on whitened
codes and with Leiden on scanpy's kNN graph, and the silhouette. One JSON line per
(seed, programs, space) goes to ``--out``.

    python scripts/ch04_seeds.py --seeds 0 1 2 --out _build/ch04_seeds.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("LATENTBIO_PROGRESS", "0")

import anndata as ad
import numpy as np
import scanpy as sc
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

import latentbio
from latentbio.data import simulate_counts
from latentbio.models import CountVAE


def leiden_ari(codes, labels, resolution: float, seed: int) -> tuple[float, int]:
    """ARI of scanpy's Leiden (igraph) on scanpy's 15-nearest-neighbour graph of ``codes``, and the cluster count."""
    cells = ad.AnnData(obs={"cell": np.arange(len(codes)).astype(str)})
    cells.obsm["codes"] = np.asarray(codes, dtype=np.float32)
    sc.pp.neighbors(cells, n_neighbors=15, use_rep="codes", random_state=seed)
    sc.tl.leiden(cells, resolution=resolution, flavor="igraph", n_iterations=2, directed=False, random_state=seed)
    clusters = cells.obs["leiden"].to_numpy()
    return float(adjusted_rand_score(labels, clusters)), int(len(np.unique(clusters)))


def kmeans_ari(codes, labels, n_clusters: int, seed: int) -> float:
    return float(adjusted_rand_score(labels, KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(codes)))


def whiten(codes):
    codes = np.asarray(codes, dtype=float)
    return (codes - codes.mean(0)) / codes.std(0)


def run(seed: int, programs: int, epochs: int, out) -> None:
    adata = simulate_counts(n_cells=2000, n_genes=1000, n_cell_types=5, programs_per_group=programs,
                            program_genes=30, lib_loc=8.5, de_fac_loc=0.4, seed=seed)
    sc.pp.normalize_total(adata, target_sum=1e4)
    sc.pp.log1p(adata)
    sc.pp.highly_variable_genes(adata, n_top_genes=500, flavor="seurat")
    sc.pp.pca(adata, n_comps=10, mask_var="highly_variable", random_state=seed)
    hvg = adata[:, adata.var["highly_variable"].to_numpy()].copy()
    latentbio.seed_everything(seed)
    torch.set_num_threads(1)  # sc.pp.neighbors (numba) resets torch's thread count
    model = CountVAE(hvg, layer="counts", n_latent=10, hidden=(128,))
    cpu = time.process_time()
    history = model.train(max_epochs=epochs, batch_size=128, seed=seed)
    train_cpu = time.process_time() - cpu
    latent = model.get_latent_representation(obsm_key=None)
    types = adata.obs["cell_type"].to_numpy()
    combos = None
    if programs:
        combos = (adata.obs["program_0_0"].astype(str) + adata.obs["program_0_1"].astype(str)).to_numpy()
    for name, codes in {"pca": adata.obsm["X_pca"], "countvae": latent}.items():
        row = {"seed": seed, "programs": programs, "epochs": epochs, "space": name,
               "silhouette": float(silhouette_score(codes, types)),
               "ari_kmeans": kmeans_ari(codes, types, 5, seed),
               "ari_kmeans_whitened": kmeans_ari(whiten(codes), types, 5, seed),
               "silhouette_whitened": float(silhouette_score(whiten(codes), types))}
        for resolution in (0.5, 1.0):
            row[f"ari_leiden_{resolution}"], row[f"n_leiden_{resolution}"] = leiden_ari(codes, types, resolution, seed)
        if programs:
            row["ari_kmeans_vs_program_combos"] = kmeans_ari(codes, combos, 4, seed)
            row["abs_r_dim_program"] = [
                float(max(abs(np.corrcoef(codes[:, d], adata.obs[p])[0, 1]) for d in range(2)))
                for p in ("program_0_0", "program_0_1")]
        if name == "countvae":
            row["train_cpu_s"] = round(train_cpu, 1)
            row["final_loss"] = history.train["loss"][-1]
            row["loss_at_half"] = history.train["loss"][epochs // 2 - 1]
        print(json.dumps(row), flush=True)
        out.write(json.dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, nargs="+", default=[60])
    parser.add_argument("--programs", type=int, nargs="+", default=[2, 0])
    parser.add_argument("--out", default="_build/ch04_seeds.jsonl")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "a") as out:
        for seed in args.seeds:
            for programs in args.programs:
                for epochs in args.epochs:
                    run(seed, programs, epochs, out)


if __name__ == "__main__":
    main()
