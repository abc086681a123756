"""How well predicted expression matches real expression: scGen's R^2 of mean expression
(Lotfollahi et al. 2019, Methods, "reg_mean_plot"), on all genes or on the top
differentially expressed genes."""

import anndata as ad
import numpy as np
import scanpy as sc
import scipy.sparse as sp


def _as_expression(x, name: str) -> np.ndarray:
    x = np.asarray(x.toarray() if sp.issparse(x) else x, dtype=float)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (cells x genes); got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def mean_expression_r2(predicted, real, genes=None) -> float:
    """R^2 between predicted and real per-gene mean expression: the squared Pearson
    correlation across genes (scipy ``linregress(...).rvalue ** 2`` in scGen and in
    Lotfollahi et al. 2020). ``predicted`` and ``real``: cells x genes (the numbers of
    cells may differ); ``genes``: column indices or a boolean mask to restrict to.
    """
    predicted, real = _as_expression(predicted, "predicted"), _as_expression(real, "real")
    if predicted.shape[1] != real.shape[1]:
        raise ValueError(f"predicted and real need the same genes; got {predicted.shape[1]} and {real.shape[1]}")
    predicted_means, real_means = predicted.mean(axis=0), real.mean(axis=0)
    if genes is not None:
        genes = np.asarray(genes)
        predicted_means, real_means = predicted_means[genes], real_means[genes]
    if len(real_means) < 3:
        raise ValueError(f"R^2 over fewer than 3 genes means little; got {len(real_means)}")
    if np.ptp(predicted_means) == 0 or np.ptp(real_means) == 0:
        raise ValueError("mean expression is constant across these genes, so the correlation is undefined")
    return float(np.corrcoef(predicted_means, real_means)[0, 1] ** 2)


def mean_response_r2(predicted, real, control, genes=None) -> float:
    """R^2 of the predicted *change*: the squared Pearson correlation across genes between
    mean(predicted) - mean(control) and mean(real) - mean(control).

    :func:`mean_expression_r2` is dominated by how genes differ in baseline expression,
    which a prediction inherits from the control cells for free; this score only
    credits the response. Same arguments, plus ``control`` (cells x genes).
    """
    predicted, real = _as_expression(predicted, "predicted"), _as_expression(real, "real")
    control_means = _as_expression(control, "control").mean(axis=0)
    if not len(control_means) == predicted.shape[1] == real.shape[1]:
        raise ValueError(f"predicted, real and control need the same genes; got {predicted.shape[1]}, "
                         f"{real.shape[1]} and {len(control_means)}")
    return mean_expression_r2(predicted - control_means, real - control_means, genes)


def top_differential_genes(adata: ad.AnnData, groupby: str, group: str, reference: str,
                           n_genes: int = 100, method: str = "wilcoxon") -> np.ndarray:
    """Names of the ``n_genes`` top-ranked genes of ``group`` against ``reference``
    (values of ``adata.obs[groupby]``): scanpy's ``rank_genes_groups`` on ``adata.X``
    (log-normalised), Wilcoxon by default, best score first, as in scGen's tutorial
    (so these are the genes most strongly up-regulated in ``group``). ``adata`` is
    not modified.
    """
    if groupby not in adata.obs:
        raise ValueError(f"adata.obs has no column {groupby!r}; columns: {list(adata.obs.columns)}")
    labels = adata.obs[groupby].astype(str)
    for value in (group, reference):
        if not (labels == value).any():
            raise ValueError(f"no cells with {groupby} == {value!r}; values present: {sorted(labels.unique())}")
    if not 1 <= n_genes <= adata.n_vars:
        raise ValueError(f"n_genes must be between 1 and {adata.n_vars}, got {n_genes}")
    cells = ad.AnnData(adata.X, obs={groupby: labels.astype("category").values}, var=adata.var[[]])
    sc.tl.rank_genes_groups(cells, groupby, groups=[group], reference=reference, method=method,
                            n_genes=n_genes)
    return np.asarray(cells.uns["rank_genes_groups"]["names"][group]).astype(str)
