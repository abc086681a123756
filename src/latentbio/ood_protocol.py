"""The out-of-distribution protocol of scGen and Lotfollahi et al. (2020/2021): hold out
the stimulated cells of one cell type, train on everything else, predict them, and
score the prediction and the disentanglement of the latent space.

:func:`hold_out` makes the split, :func:`run_ood_protocol` runs the whole protocol
for any held-out cell type and any set of models.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anndata as ad
import numpy as np
import pandas as pd
import scanpy as sc
import scipy.sparse as sp

from .metrics.disentanglement import mutual_information_gap
from .metrics.expression import mean_expression_r2, top_differential_genes
from .metrics.higgins import higgins_score
from .metrics.hsic import latent_dhsic
from .models import ExpressionBetaVAE, ExpressionDHSICVAE, ExpressionVAE
from .models.latent_arithmetic import predict_by_latent_arithmetic, predict_in_gene_space
from .seed import seed_everything


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


def _dense(x) -> np.ndarray:
    return np.asarray(x.toarray() if sp.issparse(x) else x, dtype=np.float32)


def hold_out(adata: ad.AnnData, cell_type: str, *, cell_type_key: str = "cell_type",
             condition_key: str = "condition", control: str = "control", stimulated: str = "stimulated",
             n_top_genes: int | None = 2000, n_degs: int = 100) -> OODSplit:
    """Split ``adata`` (log-normalised ``X``) for predicting ``cell_type``'s stimulated cells.

    With ``n_top_genes``, keeps the highly variable genes selected on the training
    cells only (scanpy, Seurat flavour), so nothing about the held-out cells leaks
    into the gene choice. The DEGs are then ranked among the kept genes on the real
    held-out cells (used for evaluation only).
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
    train = adata[~is_held_out].copy()
    if n_top_genes is not None and n_top_genes < adata.n_vars:
        genes = sc.pp.highly_variable_genes(train, n_top_genes=n_top_genes, flavor="seurat", inplace=False)
        keep = genes["highly_variable"].to_numpy()
        adata, train = adata[:, keep], train[:, keep].copy()
    target = adata[is_target].copy()
    names = top_differential_genes(target, condition_key, stimulated, control, n_genes=min(n_degs, adata.n_vars))
    return OODSplit(cell_type=cell_type, train=train, target_control=adata[target_control_cells].copy(),
                    target_stimulated=adata[is_held_out].copy(), degs=adata.var_names.get_indexer(names),
                    keys={"cell_type": cell_type_key, "condition": condition_key,
                          "control": control, "stimulated": stimulated})


@dataclass
class OODResult:
    """What :func:`run_ood_protocol` returns: the ``table`` of scores (one row per
    method), each method's ``predictions`` (cells x genes), the trained ``models``
    and the training ``histories``, the ``codes`` of the training cells per model
    (posterior means), and the ``split``."""

    table: pd.DataFrame
    predictions: dict
    models: dict
    histories: dict
    codes: dict
    split: OODSplit


GENE_SPACE_BASELINE = "gene-space arithmetic"


def compared_models(n_latent: int = 5, hidden=(128, 64), *, beta: float = 20.0, capacity_max: float = 30.0,
                    gamma: float = 50.0) -> dict[str, Callable[[ad.AnnData], object]]:
    """The three models of the chapter as factories ``make(train_adata)``, one architecture for
    all (unit-variance Gaussian decoder on log-normalised expression): a plain VAE
    (beta = 1, scGen's arithmetic), the capacity-controlled beta-VAE and the dHSIC-VAE,
    with the paper's Kang settings by default (beta = 20, C = 30; beta = 1, gamma = 50).
    """
    return {"VAE (scGen)": lambda adata: ExpressionVAE(adata, n_latent=n_latent, hidden=hidden),
            "beta-VAE": lambda adata: ExpressionBetaVAE(adata, n_latent=n_latent, hidden=hidden, beta=beta,
                                                        capacity_max=capacity_max),
            "dHSIC-VAE": lambda adata: ExpressionDHSICVAE(adata, n_latent=n_latent, hidden=hidden, beta=1.0,
                                                          gamma=gamma)}


def run_ood_protocol(adata: ad.AnnData, cell_type: str, models: Mapping[str, Callable[[ad.AnnData], object]], *,
                     epochs: int, batch_size: int = 64, seed: int = 0, n_top_genes: int | None = 2000,
                     n_degs: int = 100, **split_options) -> OODResult:
    """Hold out ``cell_type``'s stimulated cells, train each model, predict them by latent
    arithmetic, and score every method.

    ``models`` maps a name to a factory ``make(train_adata) -> model`` (an AnnData model with
    ``train``, ``get_latent_representation`` and ``decode_latent``, like
    :class:`~latentbio.models.ExpressionVAE`); each is built after ``seed_everything(seed)`` and
    trained for ``epochs``. The gene-space baseline is always added. Table columns: ``r2_all``
    and ``r2_top_degs`` (R^2 of mean expression on all kept genes and on the ``n_degs`` DEGs),
    ``higgins`` and ``mig`` (disentanglement of cell type and condition in the training cells'
    codes), ``dhsic`` (dependence between the code dimensions, on at most 500 training cells);
    the code columns are NaN for the baseline, which has no code.
    """
    split = hold_out(adata, cell_type, n_top_genes=n_top_genes, n_degs=n_degs, **split_options)
    keys = split.keys
    train_x = _dense(split.train.X)
    train_types = split.train.obs[keys["cell_type"]].astype(str).to_numpy()
    train_conditions = split.train.obs[keys["condition"]].astype(str).to_numpy()
    factors = np.c_[pd.factorize(train_types)[0], pd.factorize(train_conditions)[0]]
    target_control_x, real_x = _dense(split.target_control.X), _dense(split.target_stimulated.X)
    arithmetic = {"control": keys["control"], "stimulated": keys["stimulated"]}

    predictions, trained, histories, codes = {}, {}, {}, {}
    for name, make in models.items():
        seed_everything(seed)
        model = make(split.train)
        histories[name] = model.train(max_epochs=epochs, batch_size=batch_size, seed=seed)
        trained[name], codes[name] = model, model.get_latent_representation()
        predictions[name] = predict_by_latent_arithmetic(model, split.train, split.target_control,
                                                         cell_type_key=keys["cell_type"],
                                                         condition_key=keys["condition"], **arithmetic)
    predictions[GENE_SPACE_BASELINE] = predict_in_gene_space(train_x, train_types, train_conditions,
                                                             target_control_x, **arithmetic)
    subsample = np.random.default_rng(seed).permutation(len(train_x))[:500]
    rows = {}
    for name, predicted in predictions.items():
        rows[name] = {"r2_all": mean_expression_r2(predicted, real_x),
                      "r2_top_degs": mean_expression_r2(predicted, real_x, split.degs),
                      "higgins": np.nan, "mig": np.nan, "dhsic": np.nan}
        if name in codes:
            rows[name].update(higgins=higgins_score(codes[name], factors, random_state=seed),
                              mig=mutual_information_gap(codes[name], factors),
                              dhsic=float(latent_dhsic(codes[name][subsample])))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "method"
    return OODResult(table, predictions, trained, histories, codes, split)
