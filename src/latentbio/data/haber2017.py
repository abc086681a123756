"""Haber et al. (2017) regional atlas of the mouse small intestine: UMI counts from GEO GSE92332.

``GSE92332_Regional_UMIcounts.txt.gz`` is a tab-separated genes x cells table of UMI counts;
each cell is named ``barcode_region_mouse_celltype`` (region = Duodenum, Jejunum or Ileum),
which is how multiGroupVI (Weinberger et al. 2022) defines its groups.

No checksum: we could not download the file here and found no published sha256 for it, so
it is not in the checksummed registry (:mod:`latentbio.data.datasets` requires one). Download
it yourself from :data:`HABER2017_REGIONAL_URL` and pass the path to
:func:`read_haber2017_regions`.
"""

from __future__ import annotations

from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..checks import as_numeric_array, check_integer

HABER2017_REGIONAL_URL = ("https://ftp.ncbi.nlm.nih.gov/geo/series/GSE92nnn/GSE92332/suppl/"
                          "GSE92332_Regional_UMIcounts.txt.gz")
HABER2017_CITATION = ("Haber AL et al. A single-cell survey of the small intestinal epithelium. "
                      "Nature 551:333-339 (2017), GEO GSE92332.")


def parse_haber_cell_names(names) -> pd.DataFrame:
    """Split cell names ``barcode_region_mouse_celltype`` into a DataFrame indexed by name
    with categorical columns ``barcode``, ``region``, ``mouse``, ``cell_type``.

    Raises ``ValueError`` for a name with fewer than four ``_``-separated fields.
    """
    names = pd.Index(names, dtype=str)
    parts = names.str.split("_", n=3)
    bad = [name for name, fields in zip(names, parts) if len(fields) < 4]
    if bad:
        raise ValueError(f"cell names must look like barcode_region_mouse_celltype; got e.g. {bad[:3]}")
    fields = pd.DataFrame(parts.tolist(), index=names, columns=["barcode", "region", "mouse", "cell_type"])
    return fields.astype("category")


def read_haber2017_regions(path: str | Path, *, chunk_genes: int = 2000) -> ad.AnnData:
    """Read the genes x cells UMI table into AnnData (cells x genes).

    ``X`` and ``layers["counts"]`` hold the counts as a float32 CSR matrix; ``obs`` comes
    from :func:`parse_haber_cell_names`. The table is read ``chunk_genes`` rows at a time
    and kept sparse, so the 11,665-cell file fits in little memory. Raises ``ValueError``
    for non-integer or negative values.
    """
    chunk_genes = check_integer(chunk_genes, "chunk_genes", minimum=1)
    blocks, genes = [], []
    try:
        with pd.read_csv(path, sep="\t", index_col=0, chunksize=chunk_genes) as reader:
            for chunk in reader:
                if chunk.empty:
                    continue
                values = as_numeric_array(chunk, name=f"{path} (genes {chunk.index[0]} ...)", dtype=np.float32)
                if not np.all(np.isfinite(values)) or values.min(initial=0) < 0 or np.any(values != np.round(values)):
                    raise ValueError(f"{path} must hold non-negative integer UMI counts (no gaps, no decimals)")
                blocks.append(sp.csr_matrix(values))
                genes.extend(chunk.index.astype(str))
                cells = chunk.columns
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty; download it again from {HABER2017_REGIONAL_URL}") from None
    if not genes:
        raise ValueError(f"{path} holds no genes (a header line only?); download it again")
    counts = sp.vstack(blocks).T.tocsr()
    adata = ad.AnnData(X=counts, obs=parse_haber_cell_names(cells), var=pd.DataFrame(index=pd.Index(genes)))
    adata.layers["counts"] = adata.X.copy()
    adata.uns["dataset"] = {"name": "haber2017_regions", "citation": HABER2017_CITATION,
                            "url": HABER2017_REGIONAL_URL}
    return adata
