"""scGen's perturbation task (Lotfollahi, Wolf and Theis 2019) and chapter 5's models.

scGen's task holds out the stimulated cells of one cell type, trains on everything else
(that type's control cells included) and predicts the held-out cells. :func:`hold_out` makes
the split; :data:`CHAPTER_SETTINGS` and :func:`train_chapter_model` are chapter 5's models,
shared with the paper's protocol (:mod:`latentbio.experiments.ch05_paper_protocol`); :func:`scgen_task_rows`
scores every method on one held-out type; :mod:`latentbio.experiments.ch05_table` runs it for every type;
:func:`summarize_ood_table` and :func:`paired_cases` read that table.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anndata as ad
import numpy as np
import pandas as pd
import scanpy as sc

from ..checks import dense_rows
from ..metrics.disentanglement import mutual_information_gap
from ..metrics.expression import mean_expression_r2, top_differential_genes
from ..metrics.higgins import higgins_score
from ..models import ExpressionBetaVAE, ExpressionDHSICVAE, ExpressionVAE
from ..models.latent_arithmetic import predict_by_latent_arithmetic, predict_in_gene_space
from ..seed import seed_everything


@dataclass
class OODSplit:
    """The data of one held-out experiment, all restricted to the same genes.

    ``train``: every cell except the held-out stimulated ones; ``target_control``:
    the held-out type's control cells (in ``train`` too); ``target_stimulated``: the
    cells to predict, never trained on; ``degs``: indices (into the genes) of the
    held-out type's top differentially expressed genes, stimulated vs control.
    """

    cell_type: str
    train: ad.AnnData
    target_control: ad.AnnData
    target_stimulated: ad.AnnData
    degs: np.ndarray
    keys: dict = field(default_factory=dict)


def dense_copy(adata: ad.AnnData) -> ad.AnnData:
    """A copy of ``adata`` whose ``X`` is a dense float32 array: after the choice of genes the Kang
    data are a few MB, and dense minibatches train faster than sparse ones."""
    adata = adata.copy()
    adata.X = dense_rows(adata.X)
    return adata


def genes_of_training_cells(adata: ad.AnnData, is_training, n_top_genes: int | None) -> ad.AnnData:
    """A dense copy of ``adata`` (:func:`dense_copy`) restricted to the ``n_top_genes`` highly variable
    genes of the training cells alone (``is_training``; scanpy, Seurat flavour), so that no held-out
    cell chooses the genes it is scored on; every gene when ``n_top_genes`` is None or not smaller
    than the number of genes."""
    if n_top_genes is not None and n_top_genes < adata.n_vars:
        genes = sc.pp.highly_variable_genes(adata[is_training].copy(), n_top_genes=n_top_genes, flavor="seurat",
                                            inplace=False)
        adata = adata[:, genes["highly_variable"].to_numpy()]
    return dense_copy(adata)


def hold_out(adata: ad.AnnData, cell_type: str, *, cell_type_key: str = "cell_type",
             condition_key: str = "condition", control: str = "control", stimulated: str = "stimulated",
             n_top_genes: int | None = 2000, n_degs: int = 100) -> OODSplit:
    """Split ``adata`` (log-normalised ``X``) for predicting ``cell_type``'s stimulated cells.

    With ``n_top_genes``, keeps the highly variable genes selected on the training
    cells only (scanpy, Seurat flavour), so nothing about the held-out cells leaks
    into the gene choice. The DEGs are then ranked among the kept genes on the real
    held-out cells (used for evaluation only). Every part has a dense float32 ``X``.
    """
    for key in (cell_type_key, condition_key):
        if key not in adata.obs:
            raise ValueError(f"adata.obs has no column {key!r}; columns: {list(adata.obs.columns)}")
    types, conditions = adata.obs[cell_type_key].astype(str), adata.obs[condition_key].astype(str)
    if cell_type not in set(types):
        raise ValueError(f"no cells of type {cell_type!r}; types: {sorted(set(types))}")
    is_target = (types == cell_type).to_numpy()
    is_held_out = is_target & (conditions == stimulated).to_numpy()
    target_control_cells = is_target & (conditions == control).to_numpy()
    if not is_held_out.any() or not target_control_cells.any():
        raise ValueError(f"{cell_type!r} needs cells in both {control!r} and {stimulated!r}")
    adata = genes_of_training_cells(adata, ~is_held_out, n_top_genes)
    train = adata[~is_held_out].copy()
    target = adata[is_target].copy()
    names = top_differential_genes(target, condition_key, stimulated, control, n_genes=min(n_degs, adata.n_vars))
    return OODSplit(cell_type=cell_type, train=train, target_control=adata[target_control_cells].copy(),
                    target_stimulated=adata[is_held_out].copy(), degs=adata.var_names.get_indexer(names),
                    keys={"cell_type": cell_type_key, "condition": condition_key,
                          "control": control, "stimulated": stimulated})


# ---- chapter 5's models, scGen's task on every cell type, the table ---------------------------------

CHAPTER_SETTINGS = {
    "n_genes": 1000, "n_latent": 5, "hidden": (128, 64), "batch_size": 128,
    # the VAEs train for a fixed number of epochs (their losses have flattened by then: loss_plateau);
    # "checkpoints": epochs at which train_chapter_model's at_checkpoint scores a model on the way
    # (none for the table; the notebook uses them to show how predictions drift with training)
    "epochs": 150, "checkpoints": (),
    # beta-VAE calibrated by scripts/sweeps/ch05_beta_vae_capacity.py on the training codes of the paper
    # protocol's seven splits: capacity at or above H(cell type, condition), the two factors read from separate
    # dimensions on the most splits, then the highest MIG (the paper's Kang setting is 20 / 30)
    "beta": 5.0, "capacity_max": 5.0, "capacity_ramp_epochs": 50, "gamma": 50.0,
    # LORD for cells: converged by the loss rule, no cell-type leakage into the content codes
    "lord_epochs": 100, "lord_content": 8, "lord_noise": 1.0, "lord_penalty": 1.0,
}
"""The settings of chapter 5's models, shared by the notebook and the table (:mod:`.ch05_table`)."""

CHAPTER_MODELS = ("vae", "beta_vae", "dhsic_vae", "lord")


def train_chapter_model(name: str, adata: ad.AnnData, *, seed: int = 0, settings: Mapping | None = None,
                        at_checkpoint: Callable | None = None):
    """Build chapter 5's model ``name`` (one of :data:`CHAPTER_MODELS`) on ``adata`` (log-normalised
    ``X``; ``obs`` with ``cell_type`` and ``condition`` for LORD) and train it with
    :data:`CHAPTER_SETTINGS` (or ``settings``) after ``seed_everything(seed)``. Returns the model.

    ``at_checkpoint(model, epoch)``, if given, is called after ``epoch`` epochs of training for every
    epoch of ``settings["checkpoints"]`` that is shorter than the model's training (scoring the model
    there takes no random numbers, so it does not change the training).
    """
    s = {**CHAPTER_SETTINGS, **(settings or {})}
    if name not in CHAPTER_MODELS:
        raise ValueError(f"name must be one of {CHAPTER_MODELS}, got {name!r}")
    seed_everything(seed)
    if name == "lord":
        from ..models.lord_cells import LORDCells

        model = LORDCells(adata, ["cell_type", "condition"], n_content=s["lord_content"],
                          content_noise=s["lord_noise"], content_penalty=s["lord_penalty"])
        epochs, options = s["lord_epochs"], {}
    else:
        architecture = {"n_latent": s["n_latent"], "hidden": s["hidden"]}
        epochs, options = s["epochs"], {}
        if name == "beta_vae":
            model = ExpressionBetaVAE(adata, beta=s["beta"], capacity_max=s["capacity_max"], **architecture)
            options = {"capacity_ramp_epochs": s["capacity_ramp_epochs"]}
        elif name == "dhsic_vae":
            model = ExpressionDHSICVAE(adata, gamma=s["gamma"], **architecture)
        else:
            model = ExpressionVAE(adata, **architecture)

    def checkpoint(epoch: int) -> None:  # called at the start of an epoch, i.e. after `epoch` epochs
        if epoch in s["checkpoints"]:
            at_checkpoint(model, epoch)

    model.train(epochs, batch_size=s["batch_size"], seed=seed,
                on_epoch_start=checkpoint if at_checkpoint is not None else None, **options)
    return model


def loss_plateau(losses) -> float:
    """How much the loss still fell at the end of training, as a fraction of all it fell: the mean
    over the last fifth of the epochs minus the mean over the fifth before, divided by the first
    epoch's loss minus the last fifth's mean (negative while it falls; the chapter calls a model
    converged when this is above -0.01, less than 1 % of the total decrease)."""
    losses = np.asarray(losses, dtype=float)
    fifth = max(1, len(losses) // 5)
    last = losses[-fifth:].mean()
    return float((last - losses[-2 * fifth:-fifth].mean()) / max(losses[0] - last, 1e-12))


def scgen_task_rows(adata: ad.AnnData, cell_type: str, seeds, *, settings: Mapping | None = None) -> list[dict]:
    """scGen's task with ``cell_type``'s stimulated cells held out: one row per method and seed.

    Methods: the unpredicted control cells and the gene-space baseline (no seed), each model of
    :data:`CHAPTER_MODELS`, and "vae: control + decoded change" (real control cells plus the
    VAE's decoded change, a diagnostic). Columns: R^2 of per-gene means and variances on all genes
    and the top-100 DEGs, change R^2 on the DEGs, the R^2 of the rebuilt control cells, MIG and
    Higgins score of the training codes (VAEs), leakage of cell type and condition into LORD's
    content codes (with chance), epochs trained and the loss plateau.
    """
    from ..metrics.expression import mean_response_r2, variance_expression_r2
    from ..metrics.leakage import class_leakage

    s = {**CHAPTER_SETTINGS, **(settings or {})}
    split = hold_out(adata, cell_type, n_top_genes=s["n_genes"])
    train = split.train
    types, conditions = (train.obs[key].astype(str).to_numpy() for key in ("cell_type", "condition"))
    factors = np.c_[pd.factorize(types)[0], pd.factorize(conditions)[0]]
    control_x, real_x = split.target_control.X, split.target_stimulated.X
    keys = {"cell_type_key": "cell_type", "condition_key": "condition"}

    def means(predicted):
        return {"r2_all": mean_expression_r2(predicted, real_x),
                "r2_top_degs": mean_expression_r2(predicted, real_x, split.degs)}

    def scores(predicted, change=True):
        return {**means(predicted),
                "r2_var_all": variance_expression_r2(predicted, real_x),
                "r2_var_top_degs": variance_expression_r2(predicted, real_x, split.degs),
                # the unpredicted control has no change to correlate
                "change_r2_top_degs": mean_response_r2(predicted, real_x, control_x, split.degs) if change else np.nan}

    def predict(name, model):
        if name == "lord":
            return model.predict(split.target_control, condition="stimulated")
        return predict_by_latent_arithmetic(model, train, split.target_control, **keys)

    rows = [{"method": "control (unpredicted)", "seed": -1, **scores(control_x, change=False)},
            {"method": "gene_space", "seed": -1,
             **scores(predict_in_gene_space(train.X, types, conditions, control_x))}]
    for seed in seeds:
        for name in CHAPTER_MODELS:
            model = train_chapter_model(name, train, seed=seed, settings=settings)
            predicted = predict(name, model)
            history = {"epochs": model.history.n_epochs, "plateau": loss_plateau(model.history.train["loss"])}
            if name == "lord":
                content = model.get_latent_representation()
                leaks = {f"leak_{key}": class_leakage(content, factors[:, k], random_state=seed)
                         for k, key in enumerate(["cell_type", "condition"])}
                rows.append({"method": name, "seed": seed, **scores(predicted),
                             "reconstruction_r2_control": mean_expression_r2(model.predict(split.target_control),
                                                                             control_x),
                             **{key: leak["accuracy"] for key, leak in leaks.items()},
                             **{f"{key}_chance": leak["chance"] for key, leak in leaks.items()}, **history})
                continue
            codes = model.get_latent_representation()
            rebuilt = model.decode_latent(model.get_latent_representation(split.target_control))
            if name == "vae":
                rows.append({"method": "vae: control + decoded change", "seed": seed,
                             **scores(control_x + predicted - rebuilt)})
            rows.append({"method": name, "seed": seed, **scores(predicted),
                         "reconstruction_r2_control": mean_expression_r2(rebuilt, control_x),
                         "mig": mutual_information_gap(codes, factors),
                         "higgins": higgins_score(codes, factors, random_state=seed), **history})
    for row in rows:
        row.update(protocol="scgen_task", cell_type=cell_type)
    return rows


def summarize_ood_table(rows: pd.DataFrame, metrics, methods=None) -> pd.DataFrame:
    """Mean, standard deviation and number of cases of each of ``metrics`` per method (rows in the
    order of ``methods``), over every (cell type, seed) case of ``rows``."""
    summary = rows.groupby("method")[list(metrics)].agg(["mean", "std", "count"])
    summary = summary.rename(columns={"std": "sd", "count": "n"}, level=1)
    return summary.loc[list(methods)] if methods is not None else summary


def paired_cases(rows: pd.DataFrame, metric: str, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
    """``metric`` of method ``first`` and of ``second`` on the (cell type, seed) cases of ``rows``
    that have both, paired case by case (for :func:`latentbio.experiments.evidence.compare`). A
    method without seeds (an anchor such as ``gene_space``, seed -1) has one value per cell type and
    is paired with every seed of the other method on that type."""
    def values(method):
        part = rows.loc[rows["method"] == method, ["cell_type", "seed", metric]].dropna()
        if part.empty:
            raise ValueError(f"no {metric!r} values for method {method!r}; methods: {sorted(rows['method'].unique())}")
        return part.drop(columns="seed") if (part["seed"] < 0).all() else part

    left, right = values(first), values(second)
    keys = [key for key in ("cell_type", "seed") if key in left.columns and key in right.columns]
    both = left.merge(right, on=keys, suffixes=("_first", "_second"))
    if both.empty:
        raise ValueError(f"{first} and {second} share no case with {metric!r}")
    return both[f"{metric}_first"].to_numpy(float), both[f"{metric}_second"].to_numpy(float)
