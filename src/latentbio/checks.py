"""Every input check of the package, in one place.

Bad input fails early with a ``ValueError`` that says what was expected and what to do.
Models, datasets and metrics all call these functions; nothing else in the package checks
its inputs on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

# ---- feature matrices and class labels ---------------------------------------------------


def as_feature_matrix(x, n_features: int | None = None, *, name: str = "x", unit_interval: bool = False) -> torch.Tensor:
    """Return ``x`` as a float32 tensor of shape ``(n_samples, n_features)``.

    Raises ``ValueError`` for a wrong number of dimensions or features, NaN or
    infinite values, or (with ``unit_interval``) values outside [0, 1].
    """
    x = torch.as_tensor(np.asarray(x, dtype=np.float32)) if not torch.is_tensor(x) else x.float()
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples x features); got shape {tuple(x.shape)}. "
                         "Flatten images first, e.g. images.reshape(len(images), -1).")
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} features per sample; got {x.shape[1]}")
    if len(x) == 0:
        raise ValueError(f"{name} is empty")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if unit_interval and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1] for a Bernoulli likelihood; got range "
                         f"[{float(x.min()):.3g}, {float(x.max()):.3g}]. Scale pixels, e.g. x / x.max().")
    return x


def as_labels(y, n_classes: int, n_samples: int | None = None, *, name: str = "y") -> torch.Tensor:
    """Return class labels as an int64 tensor, checking they are integers in [0, n_classes)."""
    array = np.asarray(y)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels; got shape {array.shape}")
    if n_samples is not None and len(array) != n_samples:
        raise ValueError(f"{name} has {len(array)} labels for {n_samples} samples")
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.mod(array, 1) == 0):
            raise ValueError(f"{name} must hold integer class labels")
        array = array.astype(np.int64)
    if len(array) and (array.min() < 0 or array.max() >= n_classes):
        raise ValueError(f"{name} must lie in [0, {n_classes}); got labels from {array.min()} to {array.max()}")
    return torch.as_tensor(array, dtype=torch.int64)


# ---- images ------------------------------------------------------------------------------

def as_image_batch(images, image_size: int | None = None, *, name: str = "images") -> torch.Tensor:
    """Return ``images`` as a float32 tensor ``(n, channels, size, size)``.

    Accepts grey images ``(n, h, w)`` or channels-last colour images ``(n, h, w, c)``
    (as the datasets of the course store them). Raises ``ValueError`` for another
    shape, non-square or wrongly sized images, an empty batch, NaN or values outside [0, 1].
    """
    array = np.asarray(images.detach().cpu() if torch.is_tensor(images) else images, dtype=np.float32)
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 4:
        array = array.transpose(0, 3, 1, 2)
    else:
        raise ValueError(f"{name} must be grey (n, h, w) or colour (n, h, w, channels); got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty")
    height, width = array.shape[2:]
    if height != width or (image_size is not None and height != image_size):
        expected = f"{image_size}x{image_size}" if image_size is not None else "square"
        raise ValueError(f"{name} must be {expected} images; got {height}x{width}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} must lie in [0, 1]; got range [{array.min():.3g}, {array.max():.3g}]. "
                         "Scale the pixels, e.g. images / images.max().")
    return torch.from_numpy(np.ascontiguousarray(array))


def as_numpy_images(batch: torch.Tensor) -> np.ndarray:
    """The inverse of :func:`as_image_batch`: ``(n, h, w)`` for grey, ``(n, h, w, c)`` for colour."""
    array = batch.detach().cpu().numpy()
    return array[:, 0] if array.shape[1] == 1 else array.transpose(0, 2, 3, 1)


# ---- AnnData: counts and obs columns -------------------------------------------------------

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


# ---- codes and labels given to a metric -----------------------------------------------------

def check_codes_and_labels(codes, labels, *, min_labels: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Return ``codes`` as a float array ``(n_cells, n_dims)`` and ``labels`` as a 1-D array,
    raising ``ValueError`` for wrong shapes, NaN/inf codes, missing labels or fewer than
    ``min_labels`` distinct labels."""
    codes = np.asarray(codes, dtype=float)
    labels = np.asarray(labels)
    if codes.ndim != 2 or labels.ndim != 1 or len(codes) != len(labels):
        raise ValueError(f"codes must be 2-D (cells x dimensions) and labels 1-D with one label per cell; "
                         f"got shapes {codes.shape} and {labels.shape}")
    if not np.isfinite(codes).all():
        raise ValueError("codes contain NaN or infinite values")
    if labels.dtype.kind in "fc" and np.isnan(labels).any() or labels.dtype == object and any(
            label is None or label != label for label in labels):
        raise ValueError("labels contain missing values")
    if len(np.unique(labels)) < min_labels:
        raise ValueError(f"need at least {min_labels} distinct labels; got {len(np.unique(labels))}")
    return codes, labels


# ---- added for the model API --------------------------------------------------------------

def check_count_batch(counts: torch.Tensor, *, name: str = "counts") -> torch.Tensor:
    """Return a minibatch of counts unchanged after one cheap pass that finds any negative,
    fractional, NaN or infinite value (their fractional part is not 0); raises ``ValueError``.

    For a count module's ``loss`` called directly; the AnnData models check their matrix
    once with :func:`check_counts` instead of every minibatch.
    """
    bad = (counts < 0) | (torch.frac(counts) != 0)
    if bool(bad.any()):
        example = float(counts[bad][0])
        raise ValueError(f"{name} must be finite non-negative integers (raw counts); got {example:.4g}. "
                         "Log-normalised or scaled values need another likelihood; give the raw counts.")
    return counts


def check_image_shape(image_shape) -> tuple[int, int]:
    """``(size, channels)`` of a model's ``image_shape``: ``(size, size)`` for grey images or
    ``(size, size, channels)`` for colour; raises ``ValueError`` for anything else."""
    shape = tuple(int(s) for s in np.atleast_1d(image_shape)) if not isinstance(image_shape, (int, np.integer)) else ()
    if len(shape) not in (2, 3) or shape[0] != shape[1] or min(shape) < 1:
        raise ValueError(f"image_shape must be (size, size) for grey images or (size, size, channels) for colour; "
                         f"got {image_shape!r}")
    return shape[0], shape[2] if len(shape) == 3 else 1


def as_model_images(images, image_shape, *, name: str = "images") -> torch.Tensor:
    """``images`` as a float32 batch ``(n, channels, size, size)`` checked against a model's
    ``image_shape`` (see :func:`as_image_batch` and :func:`check_image_shape`)."""
    size, channels = check_image_shape(image_shape)
    batch = as_image_batch(images, size, name=name)
    if batch.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channel(s) for this model (image_shape={tuple(image_shape)}); "
                         f"got {batch.shape[1]}")
    return batch
