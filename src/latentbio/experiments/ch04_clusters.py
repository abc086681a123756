"""Chapter 4's experiment: PCA and a count VAE on simulated cells, over seeds (the table ``ch04_clusters``).

The simulation: 2,000 cells, 1,000 genes, 5 cell types and 2 gene programs (30 genes each, each on in
a random half of the cells, across all types), or no programs (the control). On each, PCA (10
components) of the log-normalised 500 highly variable genes, as scanpy does, and the count VAE
(negative binomial, 10 dimensions) on the counts of the same genes, trained for 400 epochs (scVI's
budget for a data set of this size). :func:`recovery_scores` scores how well each space recovers the
cell types; the control shows whether the programs' cap on the silhouette holds for both spaces.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import scanpy as sc
from sklearn.metrics import adjusted_rand_score

from ..data import simulate_counts
from ..device import reapply_thread_policy
from ..metrics.clustering import cluster_codes, clustering_ari, silhouette
from ..models import CountVAE
from ..seed import seed_everything
from .tables import TableSpec, load_or_compute

SETTINGS = {
    "seeds": [0, 1, 2],
    # the simulation: 5 cell types, and 2 programs of 30 genes each on in a random half of the cells
    "n_cells": 2000, "n_genes": 1000, "n_cell_types": 5, "programs": 2, "program_genes": 30,
    "lib_loc": 8.5, "de_fac_loc": 0.4,
    # scanpy's steps, then the count VAE on the same genes at scVI's budget for this size
    "n_top_genes": 500, "n_components": 10, "n_latent": 10, "hidden": [128], "epochs": 400, "batch_size": 128,
}
"""The settings of the chapter's table (``python -m latentbio.experiments ch04_clusters``)."""
VAE_EPOCHS = SETTINGS["epochs"]
COLUMNS = ["silhouette", "ARI Leiden", "Leiden clusters", "ARI Leiden vs type x programs", "ARI k-means",
           "ARI k-means, whitened"]


def simulate_cells(seed: int, programs: int = 2, settings: dict = SETTINGS):
    """The chapter's simulated cells (raw counts in ``X`` and ``layers["counts"]``)."""
    s = settings
    return simulate_counts(n_cells=s["n_cells"], n_genes=s["n_genes"], n_cell_types=s["n_cell_types"],
                           programs_per_group=programs, program_genes=s["program_genes"], lib_loc=s["lib_loc"],
                           de_fac_loc=s["de_fac_loc"], seed=seed)


def preprocess(data, seed: int, settings: dict = SETTINGS) -> None:
    """scanpy's standard steps, in place: normalise to 10,000 per cell, log1p, the highly variable
    genes (``var["highly_variable"]``), principal components of those (``obsm["X_pca"]``)."""
    sc.pp.normalize_total(data, target_sum=1e4)
    sc.pp.log1p(data)
    sc.pp.highly_variable_genes(data, n_top_genes=settings["n_top_genes"], flavor="seurat")
    sc.pp.pca(data, n_comps=settings["n_components"], mask_var="highly_variable", random_state=seed)


def train_count_vae(genes, seed: int, settings: dict = SETTINGS) -> CountVAE:
    """The chapter's count VAE on the counts of ``genes`` (an AnnData of the highly variable genes)."""
    reapply_thread_policy()  # scanpy's neighbour search changes torch's thread count
    seed_everything(seed)
    model = CountVAE(genes, layer="counts", n_latent=settings["n_latent"], hidden=tuple(settings["hidden"]))
    model.train(max_epochs=settings["epochs"], batch_size=settings["batch_size"], seed=seed)
    return model


def program_state(data) -> np.ndarray:
    """Each cell's combination of program activities, e.g. ``"1/0"`` (all ``""`` without programs)."""
    if "program_0_0" not in data.obs:
        return np.full(data.n_obs, "", dtype=object)
    return (data.obs["program_0_0"].astype(str) + "/" + data.obs["program_0_1"].astype(str)).to_numpy()


def recovery_scores(spaces: dict, cell_types, program_state) -> pd.DataFrame:
    """One row per space: silhouette of the true types; Leiden (resolution 1 on scanpy's 15-nearest-
    neighbour graph) ARI against the types, its number of clusters and its ARI against type x program
    state; k-means (as many clusters as types) ARI on the codes and on the whitened codes."""
    rows = {}
    for name, codes in spaces.items():
        leiden = cluster_codes(codes, method="leiden", resolution=1.0)
        rows[name] = {"silhouette": silhouette(codes, cell_types),
                      "ARI Leiden": adjusted_rand_score(cell_types, leiden),
                      "Leiden clusters": len(np.unique(leiden)),
                      "ARI Leiden vs type x programs": adjusted_rand_score(
                          np.char.add(np.asarray(cell_types).astype(str), np.asarray(program_state).astype(str)),
                          leiden),
                      "ARI k-means": clustering_ari(codes, cell_types, method="kmeans"),
                      "ARI k-means, whitened": clustering_ari(codes, cell_types, method="kmeans", whiten_codes=True)}
    return pd.DataFrame(rows).T[COLUMNS]


def run_task(task: tuple[int, int], settings: dict, context=None) -> list[dict]:
    """One simulated data set, ``task = (seed, programs)``: PCA and the count VAE, scored; one row
    per space."""
    seed, programs = task
    start = time.process_time()
    data = simulate_cells(seed, programs, settings)
    preprocess(data, seed, settings)
    genes = data[:, data.var["highly_variable"].to_numpy()].copy()
    spaces = {"PCA": data.obsm["X_pca"],
              "count VAE": train_count_vae(genes, seed, settings).get_latent_representation()}
    scores = recovery_scores(spaces, data.obs["cell_type"].to_numpy(), program_state(data))
    scores.index.name = "space"
    scores = scores.reset_index().assign(seed=seed, programs="yes" if programs else "no (control)",
                                         cpu_s=round(time.process_time() - start, 1))
    return scores.to_dict(orient="records")


def tasks(settings: dict = SETTINGS) -> list[tuple[int, int]]:
    """Every (seed, programs) of the table: each seed with the programs, then each without (the control)."""
    seeds = settings["seeds"]
    return [(seed, settings["programs"]) for seed in seeds] + [(seed, 0) for seed in seeds]


def sample(settings: dict) -> list[tuple[int, int]]:
    """What ``make test`` recomputes: the first seed, with and without the programs."""
    return [(settings["seeds"][0], settings["programs"]), (settings["seeds"][0], 0)]


TABLE = TableSpec("ch04_clusters", SETTINGS, tasks, run_task, keys=("space", "seed", "programs"),
                  tolerance={"*": 0.02, "Leiden clusters": 1}, sample=sample)
"""Chapter 4's table: one row per data set (seed, with or without programs) and space."""


def load_table(settings: dict = SETTINGS) -> pd.DataFrame:
    """The chapter's table: the shipped one when it was made with ``settings``, else computed here
    (:func:`latentbio.experiments.tables.load_or_compute`)."""
    return load_or_compute(TABLE, settings)
