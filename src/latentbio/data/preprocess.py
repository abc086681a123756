"""Preparing count data for a count model: keep the raw counts, log-normalise for plots, keep the variable genes.

The recipe of multiGroupVI's Haber notebook (Weinberger et al. 2022), which is scanpy's
standard one (Wolf et al. 2018): raw counts stay in ``layers["counts"]`` (the model's
input); ``X`` becomes log1p of the counts normalised per cell; only the most variable
genes are kept.
"""

import anndata as ad
import numpy as np
import scipy.sparse as sp

from ..checks import check_counts, check_integer, check_number


def select_highly_variable_genes(adata: ad.AnnData, n_top_genes: int, *, layer: str | None = "counts",
                                 target_sum: float = 1e4) -> ad.AnnData:
    """A new AnnData with the ``n_top_genes`` most variable genes of ``adata``.

    ``layers["counts"]`` holds the raw counts (from ``layer``, or ``X`` if None), ``X`` their
    log1p after scaling every cell to ``target_sum`` counts. Genes are ranked by scanpy's
    ``flavor="seurat"`` dispersion on the log-normalised data (the official notebook used
    ``"seurat_v3"`` on counts, which needs the extra package scikit-misc). Genes without a
    single count are dropped first. Raises ``ValueError`` if the counts are not counts or
    ``n_top_genes`` is not between 1 and the number of expressed genes.
    """
    import scanpy as sc  # imported here: scanpy takes seconds to import and only this function needs it

    counts = sp.csr_matrix(check_counts(adata, layer), dtype=np.float32)
    expressed = np.asarray(counts.sum(axis=0)).ravel() > 0
    n_top_genes = check_integer(n_top_genes, "n_top_genes (at most the number of expressed genes)", minimum=1,
                                maximum=int(expressed.sum()))
    target_sum = check_number(target_sum, "target_sum", minimum=0.0, exclusive=True)
    result = ad.AnnData(X=counts[:, expressed], obs=adata.obs.copy(), var=adata.var.loc[expressed].copy())
    result.layers["counts"] = result.X.copy()
    sc.pp.normalize_total(result, target_sum=target_sum)
    sc.pp.log1p(result)
    sc.pp.highly_variable_genes(result, n_top_genes=n_top_genes, flavor="seurat")
    return result[:, result.var["highly_variable"].to_numpy()].copy()
