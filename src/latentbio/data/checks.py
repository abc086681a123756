"""Input checks for AnnData objects given to the single-cell models and metrics.

A count model (negative binomial, zero-inflated NB) is only defined for non-negative
integer counts, and a model conditioned on an ``obs`` column needs that column. These
checks fail early with a ``ValueError`` that says what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp


def get_matrix(adata: ad.AnnData, layer: str | None = None):
    """``adata.layers[layer]`` (or ``adata.X`` for ``layer=None``), with a clear error if it is missing."""
    if not isinstance(adata, ad.AnnData):
        raise ValueError(f"expected an AnnData object, got {type(adata).__name__}")
    if layer is None:
        return adata.X
    if layer not in adata.layers:
        raise ValueError(f"adata has no layer {layer!r}; its layers are {list(adata.layers)}. "
                         "Store raw counts with adata.layers['counts'] = adata.X.copy() before normalising.")
    return adata.layers[layer]


def check_counts(adata: ad.AnnData, layer: str | None = None):
    """Return the count matrix (``layer`` or ``X``, dense or sparse, unchanged) after checking
    that it is finite, non-negative and integer, and not empty.

    Raises ``ValueError`` otherwise: log-normalised or scaled values are the usual mistake.
    """
    matrix = get_matrix(adata, layer)
    where = f"adata.layers[{layer!r}]" if layer is not None else "adata.X"
    if matrix is None or adata.n_obs == 0 or adata.n_vars == 0:
        raise ValueError(f"{where} is empty (shape {adata.shape}); a count model needs cells and genes")
    values = matrix.data if sp.issparse(matrix) else np.asarray(matrix)
    if not np.issubdtype(values.dtype, np.number):
        raise ValueError(f"{where} must hold numbers, got dtype {values.dtype}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{where} contains NaN or infinite values; counts must be finite")
    if values.size and values.min() < 0:
        raise ValueError(f"{where} contains negative values (min {values.min():.3g}); counts are >= 0")
    if values.size and not np.array_equal(values, np.round(values)):
        raise ValueError(f"{where} contains non-integer values (e.g. {values[values != np.round(values)][0]:.4g}); "
                         "a count likelihood needs raw integer counts, not normalised or log-transformed data. "
                         "Use the layer that holds the raw counts (layer='counts').")
    return matrix


def check_obs_column(adata: ad.AnnData, key: str, *, categories: Sequence[str] | None = None) -> pd.Series:
    """Return ``adata.obs[key]`` as a categorical with only the categories that have cells.

    Raises ``ValueError`` if the column is missing, holds missing values, or (with
    ``categories``) if one of the expected categories has no cells.
    """
    if key not in adata.obs:
        raise ValueError(f"adata.obs has no column {key!r}; its columns are {list(adata.obs.columns)}")
    column = adata.obs[key]
    if column.isna().any():
        raise ValueError(f"adata.obs[{key!r}] has {int(column.isna().sum())} missing values; "
                         "every cell needs a label")
    column = column.astype("category").cat.remove_unused_categories()
    if categories is not None:
        empty = [str(c) for c in categories if c not in set(column.cat.categories)]
        if empty:
            raise ValueError(f"adata.obs[{key!r}] has no cells of {empty}; present: {list(column.cat.categories)}")
    return column
