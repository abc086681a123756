"""Chapter 4's comparison of PCA and a count VAE on simulated cells, shared by the notebook and
``scripts/ch04_seed_table.py``.

The simulation: 2,000 cells, 1,000 genes, 5 cell types and 2 gene programs (30 genes each, each on in
a random half of the cells, across all types), or no programs (the control). PCA (10 components) of
the log-normalised 500 highly variable genes, as scanpy does; the count VAE (negative binomial,
10 dimensions) on the counts of the same genes, trained for 400 epochs (scVI's budget for a data set
of this size). :func:`recovery_scores` scores how well each space recovers the cell types.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import scanpy as sc
from sklearn.metrics import adjusted_rand_score

from .data import simulate_counts
from .device import reapply_thread_policy
from .metrics.clustering import cluster_codes, clustering_ari, silhouette
from .models import CountVAE
from .replicates import map_tasks
from .seed import seed_everything

SEEDS = (0, 1, 2)
VAE_EPOCHS = 400
COLUMNS = ["silhouette", "ARI Leiden", "Leiden clusters", "ARI Leiden vs type x programs", "ARI k-means",
           "ARI k-means, whitened"]


def simulate_cells(seed: int, programs: int = 2):
    """The chapter's simulated cells (raw counts in ``X`` and ``layers["counts"]``)."""
    return simulate_counts(n_cells=2000, n_genes=1000, n_cell_types=5, programs_per_group=programs,
                           program_genes=30, lib_loc=8.5, de_fac_loc=0.4, seed=seed)


def preprocess(data, seed: int) -> None:
    """scanpy's standard steps, in place: normalise to 10,000 per cell, log1p, 500 highly variable
    genes (``var["highly_variable"]``), 10 principal components of those (``obsm["X_pca"]``)."""
    sc.pp.normalize_total(data, target_sum=1e4)
    sc.pp.log1p(data)
    sc.pp.highly_variable_genes(data, n_top_genes=500, flavor="seurat")
    sc.pp.pca(data, n_comps=10, mask_var="highly_variable", random_state=seed)


def train_count_vae(genes, seed: int, epochs: int = VAE_EPOCHS) -> CountVAE:
    """The chapter's count VAE on the counts of ``genes`` (an AnnData of the highly variable genes)."""
    reapply_thread_policy()  # scanpy's neighbour search changes torch's thread count
    seed_everything(seed)
    model = CountVAE(genes, layer="counts", n_latent=10, hidden=(128,))
    model.train(max_epochs=epochs, batch_size=128, seed=seed)
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


def run_task(task: tuple[int, int]) -> pd.DataFrame:
    """One simulated data set, ``task = (seed, programs)``: PCA and (with programs) the count VAE, scored."""
    seed, programs = task
    start = time.process_time()
    data = simulate_cells(seed, programs)
    preprocess(data, seed)
    spaces = {"PCA": data.obsm["X_pca"]}
    if programs:
        genes = data[:, data.var["highly_variable"].to_numpy()].copy()
        spaces["count VAE"] = train_count_vae(genes, seed).get_latent_representation()
    scores = recovery_scores(spaces, data.obs["cell_type"].to_numpy(), program_state(data))
    scores.index.name = "space"
    return scores.reset_index().assign(seed=seed, programs="yes" if programs else "no (control)",
                                       cpu_s=round(time.process_time() - start, 1))


def tasks(seeds=SEEDS) -> list[tuple[int, int]]:
    """Every (seed, programs) of the table, the slow ones (with a VAE) first."""
    return [(seed, 2) for seed in seeds] + [(seed, 0) for seed in seeds]


def compute_table(seeds=SEEDS, *, workers: int = 1) -> pd.DataFrame:
    """The seed table, computed here (a progress bar per data set); ``workers`` > 1 runs the data
    sets in that many processes, one torch thread each (:func:`latentbio.replicates.map_tasks`)."""
    parts = map_tasks(run_task, tasks(seeds), workers=workers, desc="chapter 4 seed table (data sets)")
    return pd.concat(parts, ignore_index=True)


def load_table(path, seeds=SEEDS) -> pd.DataFrame:
    """The file ``scripts/ch04_seed_table.py`` writes, checked: PCA for every seed with and without the
    programs, the count VAE for every seed with them."""
    table = pd.read_csv(Path(path))
    found = set(zip(table["space"], table["seed"], table["programs"]))
    expected = [("PCA", s, p) for s in seeds for p in ("yes", "no (control)")] + [("count VAE", s, "yes") for s in seeds]
    missing = [row for row in expected if row not in found]
    if missing:
        raise ValueError(f"{path} lacks {missing}: run `python scripts/ch04_seed_table.py` again")
    return table
