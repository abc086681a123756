"""Kang et al. (2018) PBMCs with raw UMI counts: the full ~25k-cell release (not used in CI).

The file is the one pertpy (``pt.dt.kang_2018()``), LIANA and the single-cell best-practices
book download from figshare: 24,673 cells x 15,706 genes, raw counts in ``X``, ``obs`` with
``label`` (ctrl / stim), ``cell_type`` (8 types) and ``replicate`` (8 donors).

About the checksum: we could not download the file here (no network). The sha256, the size
and the shape below are the values that several independent public repositories assert for
this figshare file (and for its scverse mirror ``exampledata.scverse.org/pertpy/kang_2018.h5ad``);
they were not recomputed by us. :func:`latentbio.data.datasets.fetch` checks them on download.
"""

import warnings

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..checks import check_counts, check_obs_column
from .datasets import RemoteFile, fetch, register

KANG2018_COUNTS = register(RemoteFile(
    name="kang2018_pbmc_counts",
    filename="kang2018_pbmc_counts.h5ad",
    url="https://figshare.com/ndownloader/files/34464122",
    sha256="e6a5adac64dcdeb36eaba27db49b63e0c64bb0ed4a64c6705971506b41c39830",
    size_bytes=38_356_412,
    citation=("Kang HM et al. Multiplexed droplet single-cell RNA-sequencing using natural genetic "
              "variation. Nat Biotechnol 36:89-94 (2018), GEO GSE96583; AnnData release of the "
              "pertpy / single-cell best-practices projects (figshare file 34464122)."),
    licence="public GEO data (GSE96583); attribute Kang et al. 2018",
    description=("24,673 PBMCs x 15,706 genes, raw UMI counts, 8 cell types, 8 donors, control vs "
                 "IFN-beta stimulated (checksum taken from public repositories, not recomputed here)."),
))

CONDITION_NAMES = {"ctrl": "control", "stim": "stimulated"}


def tidy_kang2018_counts(adata: ad.AnnData) -> ad.AnnData:
    """Give the released file the course's conventions, in place, and return it.

    ``obs["condition"]`` = control / stimulated (from ``label``), ``cell_type`` and
    ``replicate`` categorical; ``X`` a float32 CSR matrix of the counts, also in
    ``layers["counts"]``. Raises ``ValueError`` if a column is missing or X is not counts.
    """
    label = check_obs_column(adata, "label")
    unknown = set(label.cat.categories) - set(CONDITION_NAMES)
    if unknown:
        raise ValueError(f"obs['label'] should hold 'ctrl' / 'stim', found also {sorted(unknown)}")
    adata.obs["condition"] = pd.Categorical(label.map(CONDITION_NAMES).astype(str),
                                            categories=["control", "stimulated"])
    for column in ("cell_type", "replicate"):
        adata.obs[column] = check_obs_column(adata, column)
    adata.X = sp.csr_matrix(adata.X, dtype=np.float32)
    check_counts(adata)
    adata.layers["counts"] = adata.X.copy()
    return adata


def load_kang2018_counts(**fetch_options) -> ad.AnnData:
    """The full Kang 2018 PBMC release with raw counts, tidied by :func:`tidy_kang2018_counts`.

    Downloads about 38 MB on first use (``fetch_options`` go to
    :func:`latentbio.data.datasets.fetch`); never called in CI.
    """
    path = fetch(KANG2018_COUNTS.name, **fetch_options)
    with warnings.catch_warnings():  # a file written by an old anndata; reading it warns about the format
        warnings.simplefilter("ignore", FutureWarning)
        adata = ad.read_h5ad(path)
    adata = tidy_kang2018_counts(adata)
    adata.uns["dataset"] = {"name": KANG2018_COUNTS.name, "citation": KANG2018_COUNTS.citation}
    return adata
