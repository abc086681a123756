"""Kang et al. (2018) PBMCs, control vs interferon-beta stimulated: scGen's validation split."""

import warnings

import anndata as ad
import numpy as np
import scipy.sparse as sp

from ..checks import check_feature_matrix
from .datasets import RemoteFile, fetch, register

KANG2018_SCGEN_VALID = register(RemoteFile(
    name="kang2018_pbmc_scgen_valid",
    filename="kang2018_pbmc_scgen_valid.h5ad",
    url="https://github.com/theislab/scgen/raw/dd7e178f9b42b9dfef9eb18d0da4b8e3caea4cf7/data/valid.h5ad",
    sha256="83f89f5356a4c01f65bbcee225eb45d8d8b13b6c962724431a26c1bf568ff09e",
    size_bytes=2_321_480,
    citation=("Kang HM et al. Multiplexed droplet single-cell RNA-sequencing using natural genetic "
              "variation. Nat Biotechnol 36:89-94 (2018), GEO GSE96583; split from Lotfollahi M, "
              "Wolf FA, Theis FJ. scGen. Nat Methods 16:715-721 (2019)."),
    licence="public GEO data (GSE96583); attribute Kang et al. 2018 and Lotfollahi et al. 2019",
    description=("1,975 PBMCs x 6,998 genes, 7 cell types, control vs IFN-beta stimulated, "
                 "log-normalised (normalise per cell, log1p)."),
))


def counts_from_lognormalised(x: sp.spmatrix | np.ndarray) -> sp.csr_matrix:
    """Recover integer counts from ``log1p(normalised counts)``, cell by cell.

    After per-cell normalisation a cell's counts are all multiplied by one factor, so
    the smallest non-zero value of ``expm1(x)`` in a cell is one count; dividing by it
    gives the counts back. Raises ``ValueError`` for NaN, infinite or negative values, or if
    the result is not integer.
    """
    x = check_feature_matrix(x, name="x", dtype=np.float64)
    if (x.data if sp.issparse(x) else x).min(initial=0.0) < 0:
        raise ValueError("x has negative values, so it is not log1p of counts; give the log-normalised matrix")
    normalised = sp.csr_matrix(x, dtype=np.float64, copy=True)
    normalised.data = np.expm1(normalised.data)
    row_min = np.array([row.data.min() if row.nnz else 1.0 for row in normalised])
    counts = sp.diags(1.0 / row_min) @ normalised
    rounded = np.round(counts.data)
    if np.abs(counts.data - rounded).max(initial=0.0) > 0.01:
        raise ValueError("these values are not log1p of per-cell scaled integer counts (with one count as the "
                         "smallest non-zero value of each cell); use the raw counts of the data's source instead")
    counts.data = rounded
    return sp.csr_matrix(counts, dtype=np.float32)


def load_kang2018(**fetch_options) -> ad.AnnData:
    """The Kang 2018 PBMC subset as AnnData.

    ``X`` holds the log-normalised values as published, ``layers["counts"]`` the integer
    counts recovered with :func:`counts_from_lognormalised`; ``obs`` has ``condition``
    (control / stimulated) and ``cell_type`` (7 types). ``fetch_options`` go to
    :func:`latentbio.data.datasets.fetch`.
    """
    path = fetch(KANG2018_SCGEN_VALID.name, **fetch_options)
    with warnings.catch_warnings():  # the legacy file stores its graph in .uns; anndata moves it
        warnings.simplefilter("ignore", FutureWarning)
        adata = ad.read_h5ad(path)
    adata.X = sp.csr_matrix(adata.X, dtype=np.float32)
    adata.layers["counts"] = counts_from_lognormalised(adata.X)
    for column in ("condition", "cell_type"):
        adata.obs[column] = adata.obs[column].astype("category")
    adata.uns["dataset"] = {"name": KANG2018_SCGEN_VALID.name, "citation": KANG2018_SCGEN_VALID.citation}
    return adata
