"""How well predicted expression matches real expression: scGen's R^2 of mean expression
(Lotfollahi et al. 2019, Methods, "reg_mean_plot"), on all genes or on the top
differentially expressed genes."""

import anndata as ad
import numpy as np
import scanpy as sc
import scipy.sparse as sp

from ..checks import check_choice, check_feature_matrix, check_integer, check_obs_column, selection_indices

RANK_GENES_METHODS = ("wilcoxon", "t-test", "t-test_overestim_var", "logreg")


def _gene_means(x, name: str) -> np.ndarray:
    """Mean of each column of a cells x genes matrix (dense or sparse, never densified)."""
    x = check_feature_matrix(x, name=name, dtype=np.float64)
    return np.asarray(x.mean(axis=0)).ravel()


def _squared_correlation(predicted_means, real_means, genes, var_names) -> float:
    """Squared Pearson correlation of two vectors of gene means, on the ``genes`` selected."""
    if len(predicted_means) != len(real_means):
        raise ValueError(f"predicted and real need the same genes; got {len(predicted_means)} and {len(real_means)}")
    if genes is not None:
        selected = selection_indices(genes, len(real_means), var_names, name="genes", items="genes")
        predicted_means, real_means = predicted_means[selected], real_means[selected]
    if len(real_means) < 3:
        raise ValueError(f"R^2 over fewer than 3 genes means little; got {len(real_means)}")
    if np.ptp(predicted_means) == 0 or np.ptp(real_means) == 0:
        raise ValueError("mean expression is constant across these genes, so the correlation is undefined")
    return float(np.corrcoef(predicted_means, real_means)[0, 1] ** 2)


def mean_expression_r2(predicted, real, genes=None, *, var_names=None) -> float:
    """R^2 between predicted and real per-gene mean expression, a float in [0, 1]: the squared
    Pearson correlation across genes (scipy ``linregress(...).rvalue ** 2`` in scGen, Lotfollahi
    et al. 2019, Fig. 2, and 2020).

    ``predicted`` and ``real``: cells x genes, dense or sparse (the numbers of cells may differ).
    ``genes`` restricts the score to some genes: a boolean mask (one entry per gene), integer
    column indices, or gene names such as :func:`top_differential_genes` returns, together with
    ``var_names`` (the column names, e.g. ``adata.var_names``). A 0/1 integer array of one entry
    per gene is ambiguous and raises ``ValueError`` (see :func:`latentbio.checks.selection_indices`).
    """
    return _squared_correlation(_gene_means(predicted, "predicted"), _gene_means(real, "real"), genes, var_names)


def mean_response_r2(predicted, real, control, genes=None, *, var_names=None) -> float:
    """R^2 of the predicted *change*, a float in [0, 1]: the squared Pearson correlation across
    genes between mean(predicted) - mean(control) and mean(real) - mean(control).

    :func:`mean_expression_r2` is dominated by how genes differ in baseline expression,
    which a prediction inherits from the control cells for free; this score only
    credits the response (the square of GEARS' "Pearson delta", Roohani et al. 2023).
    Same arguments, plus ``control`` (cells x genes).
    """
    predicted_means, real_means = _gene_means(predicted, "predicted"), _gene_means(real, "real")
    control_means = _gene_means(control, "control")
    if not len(control_means) == len(predicted_means) == len(real_means):
        raise ValueError(f"predicted, real and control need the same genes; got {len(predicted_means)}, "
                         f"{len(real_means)} and {len(control_means)}")
    return _squared_correlation(predicted_means - control_means, real_means - control_means, genes, var_names)


def top_differential_genes(adata: ad.AnnData, groupby: str, group: str, reference: str,
                           n_genes: int = 100, method: str = "wilcoxon") -> np.ndarray:
    """Names of the ``n_genes`` top-ranked genes of ``group`` against ``reference``
    (values of ``adata.obs[groupby]``, compared as strings): scanpy's ``rank_genes_groups``
    on ``adata.X`` (log-normalised), Wilcoxon by default, best score first, as in scGen's
    tutorial (so these are the genes most strongly up-regulated in ``group``); an array of
    strings. ``adata`` is not modified. Pass the result to :func:`mean_expression_r2` with
    ``var_names=adata.var_names``.
    """
    if not isinstance(adata, ad.AnnData):
        raise TypeError(f"adata must be an AnnData object; got {type(adata).__name__}")
    labels = check_obs_column(adata, groupby).astype(str)
    group, reference = str(group), str(reference)
    if group == reference:
        raise ValueError(f"group and reference are both {group!r}; compare two different values of {groupby}")
    for value in (group, reference):
        if (labels == value).sum() < 2:
            raise ValueError(f"need at least 2 cells with {groupby} == {value!r}; found {(labels == value).sum()} "
                             f"(values present: {sorted(labels.unique())})")
    n_genes = check_integer(n_genes, "n_genes", minimum=1, maximum=adata.n_vars)
    check_choice(method, "method", RANK_GENES_METHODS)
    x = check_feature_matrix(adata.X, name="adata.X")
    cells = ad.AnnData(x if sp.issparse(x) else np.asarray(x), obs={groupby: labels.astype("category").values},
                       var=adata.var[[]])
    sc.tl.rank_genes_groups(cells, groupby, groups=[group], reference=reference, method=method,
                            n_genes=n_genes)
    return np.asarray(cells.uns["rank_genes_groups"]["names"][group]).astype(str)


def variance_expression_r2(predicted, real, genes=None, *, var_names=None) -> float:
    """R^2 between predicted and real per-gene *variances* (scGen's ``reg_var_plot``), a float in
    [0, 1]: does a prediction spread cells as the real ones are spread, gene by gene? Same
    arguments as :func:`mean_expression_r2`."""
    def variances(x, name):
        x = check_feature_matrix(x, name=name, dtype=np.float64)
        squared = x.multiply(x) if sp.issparse(x) else x ** 2
        return np.asarray(squared.mean(axis=0)).ravel() - _gene_means(x, name) ** 2

    return _squared_correlation(variances(predicted, "predicted"), variances(real, "real"), genes, var_names)
