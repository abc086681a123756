"""Chapter 6's experiments on simulated groups (the table ``ch06_multigroup``), shared with the notebook.

The simulation (:func:`simulate_groups`): Splatter-style counts of 5 cell types in 2 groups; each
group switches on 2 gene programs of its own (30 genes each) in a random half of its cells; the 200
most variable of 1,000 genes are kept, as the paper keeps highly variable genes. Every model is
trained to the official budget (:func:`latentbio.models.multigroupvi.official_max_epochs`, KL
warm-up over 400 epochs).

Three tables, one row per (experiment, model, seed), each row one trained model:

- ``"seeds"``: multiGroupVI (the paper's penalty weight lambda = 1), the same network with
  lambda = 0, and a single count VAE (ZINB) on the pooled cells; scores of the shared space
  (:func:`shared_scores`) and, for the two multiGroupVI models, of the private spaces
  (:func:`private_scores`).
- ``"composition"``: the same simulation with two thirds of group_0's type_0 cells removed
  (:func:`composition_shift`: type_0 three times as frequent in group_1), multiGroupVI with and
  without the extra OT penalty on the shared codes (weight 10), scored by :func:`composition_scores`.
- ``"balanced"``: the control of the composition experiment: the same two models on the groups
  without the shift (:func:`simulate_groups`), scored the same way, so that the effect of the OT
  penalty with and without a composition shift can be compared seed by seed.

:data:`TABLE` describes the table (``python -m latentbio.experiments ch06_multigroup`` makes it);
:func:`load_tables` reads the shipped one.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..data import simulate_counts
from ..data.preprocess import select_highly_variable_genes
from ..metrics.clustering import clustering_ari
from ..metrics.mixing import cross_group_label_agreement, knn_group_entropy
from ..metrics.readout import label_auc, private_space_leakage
from ..models import CountVAE, MultiGroupVI
from ..models.multigroupvi import official_max_epochs
from ..seed import seed_everything
from .tables import TableSpec, load_or_compute

SETTINGS = {
    "seeds": [0, 1, 2, 3, 4],
    # the simulation: 5 cell types in 2 groups, 2 programs of 30 genes per group in half its cells
    "n_cells": 1000, "n_genes": 1000, "n_cell_types": 5, "programs": 2, "program_fraction": 0.5,
    "program_genes": 30, "de_fac_loc": 0.5, "de_prob": 0.2, "lib_loc": 8.5, "n_top_genes": 200,
    # the composition shift keeps a third of group_0's type_0 cells; the extra OT penalty's weight
    "shift_keep": 1 / 3, "ot_weight": 10.0,
    # training: the official budget with a KL warm-up over 400 epochs; the single VAE's batch size
    "kl_warmup_epochs": 400, "single_vae_batch_size": 256, "n_latent": 10,
    "max_epochs": None,  # None: the official budget for the number of cells (a number: for quick tests)
}
"""The settings of the chapter's table (``python -m latentbio.experiments ch06_multigroup``)."""
OT_WEIGHT = SETTINGS["ot_weight"]
MODELS = {
    "seeds": ("multiGroupVI", "lambda = 0", "single VAE"),
    "composition": ("multiGroupVI", "multiGroupVI + OT"),
    "balanced": ("multiGroupVI", "multiGroupVI + OT"),
}


def simulate_groups(seed: int, settings: dict = SETTINGS):
    """The chapter's simulated groups (raw counts in ``layers["counts"]``, the highly variable genes)."""
    s = settings
    counts = simulate_counts(s["n_cells"], s["n_genes"], s["n_cell_types"], n_groups=2,
                             programs_per_group=s["programs"], program_fraction=s["program_fraction"],
                             program_genes=s["program_genes"], de_fac_loc=s["de_fac_loc"], de_prob=s["de_prob"],
                             lib_loc=s["lib_loc"], seed=seed)
    return select_highly_variable_genes(counts, n_top_genes=s["n_top_genes"])


def program_genes(data, g: int) -> set:
    """The genes of group ``g``'s two programs among the genes kept in ``data``."""
    factors = data.var[[f"program_{g}_0", f"program_{g}_1"]].to_numpy()
    return set(data.var_names[(factors > 1).any(axis=1)])


def composition_shift(seed: int, settings: dict = SETTINGS):
    """:func:`simulate_groups` with only ``settings["shift_keep"]`` of group_0's type_0 cells (type_0
    three times as frequent in group_1 for a third)."""
    keep = settings["shift_keep"]
    data = simulate_groups(seed, settings)
    rng = np.random.default_rng(seed)
    target = np.flatnonzero((data.obs["cell_type"] == "type_0").to_numpy() & (data.obs["group"] == "group_0").to_numpy())
    dropped = rng.choice(target, size=len(target) - round(keep * len(target)), replace=False)
    return data[np.setdiff1d(np.arange(data.n_obs), dropped)].copy()


def shared_scores(codes, data, seed: int) -> dict:
    """Cell-type ARI (k-means), group mixing (kNN group entropy) beside the same with shuffled
    group labels, and how well each group's programs can be read out of the shared ``codes``
    (cross-validated AUC, mean over the 4 programs)."""
    groups = data.obs["group"].to_numpy()
    shuffled = np.random.default_rng(seed).permutation(groups)
    scores = {"cell-type ARI": clustering_ari(codes, data.obs["cell_type"]),
              "group mixing": knn_group_entropy(codes, groups),
              "mixing, random labels": knn_group_entropy(codes, shuffled)}
    scores["program AUC, shared"] = float(np.mean([
        label_auc(codes[groups == f"group_{g}"], data.obs[f"program_{g}_{k}"][groups == f"group_{g}"])
        for g in range(2) for k in range(2)]))
    return scores


def private_scores(model: MultiGroupVI, data) -> dict:
    """Programs read out of each group's own private space (AUC, mean over the 4 programs) and
    the leakage of the private spaces (mean over the groups)."""
    groups = data.obs["group"].to_numpy()
    auc, leakage = [], []
    for g, name in enumerate(model.groups):
        private = model.get_latent_representation(data, space=name)
        own = groups == name
        auc += [label_auc(private[own], data.obs[f"program_{g}_{k}"][own]) for k in range(2)]
        leakage.append(private_space_leakage(private, own))
    return {"program AUC, private": float(np.mean(auc)), "leakage": float(np.mean(leakage))}


def composition_scores(codes, data) -> dict:
    """Mixing, cell-type ARI, and cross-group agreement (the share of each cell's 15 nearest
    cells of the other group that have its cell type), over all types and for type_0."""
    groups, cell_types = data.obs["group"].to_numpy(), data.obs["cell_type"].to_numpy()
    return {"group mixing": knn_group_entropy(codes, groups),
            "cell-type ARI": clustering_ari(codes, cell_types),
            "cross-group agreement": cross_group_label_agreement(codes, groups, cell_types),
            "agreement of type_0": cross_group_label_agreement(codes, groups, cell_types, only="type_0")}


def budget(data, settings: dict = SETTINGS) -> int:
    """Epochs of training: ``settings["max_epochs"]``, or the official budget for ``data``'s size."""
    return settings["max_epochs"] or official_max_epochs(data.n_obs)


def train_multigroupvi(data, seed: int, settings: dict = SETTINGS, **options) -> MultiGroupVI:
    """multiGroupVI on ``data`` at the official budget (400-epoch KL warm-up), seeded."""
    seed_everything(seed)
    model = MultiGroupVI(data, group_key="group", **options)
    model.train(budget(data, settings), kl_warmup_epochs=settings["kl_warmup_epochs"], seed=seed)
    return model


def run_task(task: tuple[str, str, int], settings: dict = SETTINGS, context=None) -> list[dict]:
    """Train and score one model: ``task = (experiment, model name, seed)``; one row of the table."""
    experiment, name, seed = task
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    if experiment == "seeds":
        data = simulate_groups(seed, settings)
        if name == "single VAE":
            seed_everything(seed)
            model = CountVAE(data, n_latent=settings["n_latent"], likelihood="zinb")
            model.train(budget(data, settings), batch_size=settings["single_vae_batch_size"],
                        kl_warmup_epochs=settings["kl_warmup_epochs"], seed=seed)
            scores = shared_scores(model.get_latent_representation(), data, seed)
        else:
            model = train_multigroupvi(data, seed, settings, wasserstein_penalty=1.0 if name == "multiGroupVI" else 0.0)
            scores = {**shared_scores(model.get_latent_representation(data), data, seed),
                      **private_scores(model, data)}
    elif experiment in ("composition", "balanced"):
        data = composition_shift(seed, settings) if experiment == "composition" else simulate_groups(seed, settings)
        model = train_multigroupvi(data, seed, settings,
                                   shared_ot_penalty=settings["ot_weight"] if name.endswith("+ OT") else 0.0)
        scores = composition_scores(model.get_latent_representation(data), data)
    else:
        raise ValueError(f"experiment must be one of {list(MODELS)}, got {experiment!r}")
    return [{"experiment": experiment, "model": name, "seed": seed, **scores,
             "epochs": model.history.n_epochs, "cpu_s": round(time.process_time() - start_cpu, 1),
             "wall_s": round(time.perf_counter() - start_wall, 1)}]


def tasks(settings: dict = SETTINGS) -> list[tuple[str, str, int]]:
    """Every (experiment, model, seed) of the tables, the slowest first."""
    return [(experiment, name, seed) for experiment in ("composition", "balanced", "seeds")
            for name in MODELS[experiment] for seed in settings["seeds"]]


def sample(settings: dict) -> list[tuple[str, str, int]]:
    """What ``make test`` recomputes: every (experiment, model) with the first seed."""
    return [task for task in tasks(settings) if task[2] == settings["seeds"][0]]


TABLE = TableSpec("ch06_multigroup", SETTINGS, tasks, run_task, keys=("experiment", "model", "seed"),
                  sample=sample)
"""Chapter 6's tables: one row per (experiment, model, seed)."""


def load_tables(settings: dict = SETTINGS) -> pd.DataFrame:
    """The chapter's tables: the shipped ones when made with ``settings``, else computed here."""
    return load_or_compute(TABLE, settings)
