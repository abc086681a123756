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

# ---- numeric arrays, dense or sparse -------------------------------------------------------


def as_numeric_array(x, *, name: str = "x", dtype=np.float64) -> np.ndarray:
    """Return ``x`` (a list, NumPy array, pandas object or torch tensor) as a NumPy array of ``dtype``.

    Raises ``TypeError`` if ``x`` is a scipy sparse matrix (call sites that take sparse input
    use :func:`check_feature_matrix`), holds strings, complex numbers or other objects, or is ragged.
    """
    if sp.issparse(x):
        raise TypeError(f"{name} is a scipy sparse matrix; this function needs a dense array: pass "
                        f"{name}.toarray() (or select the rows you need first)")
    if torch.is_tensor(x):
        x = x.detach().cpu().numpy()
    elif isinstance(x, (pd.DataFrame, pd.Series)):
        x = x.to_numpy()
    try:
        array = np.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"{name} must be a rectangular array of numbers; NumPy could not make one ({error})") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name} holds complex numbers; give real numbers")
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(dtype)
        except (TypeError, ValueError):
            example = f" (e.g. {str(array.flat[0])!r})" if array.size else ""
            raise TypeError(f"{name} must hold numbers; got values of dtype {array.dtype}{example}") from None
    return array.astype(dtype, copy=False)


def check_feature_matrix(x, n_features: int | None = None, *, name: str = "x", unit_interval: bool = False,
                         min_samples: int = 1, dtype=np.float32):
    """Return ``x`` checked, as a ``dtype`` array ``(n_samples, n_features)``; scipy sparse input stays
    sparse (a CSR matrix, so rows can be sliced) and is never densified.

    Finiteness (and, with ``unit_interval``, the range [0, 1]) is checked on the stored values
    (``.data``) of a sparse matrix. Raises ``ValueError`` for a wrong number of dimensions or
    features, fewer than ``min_samples`` rows, NaN or infinite values, or values outside [0, 1];
    ``TypeError`` for values that are not numbers. Use :func:`dense_rows` to densify a minibatch.
    """
    if sp.issparse(x):
        x = x.tocsr().astype(dtype, copy=False)
        values = x.data
        implicit_zero = x.nnz < x.shape[0] * x.shape[1]
    else:
        x = as_numeric_array(x, name=name, dtype=dtype)
        values = x
        implicit_zero = False
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples x features); got shape {tuple(x.shape)}. "
                         "Flatten images first, e.g. images.reshape(len(images), -1).")
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} features per sample; got {x.shape[1]}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); give at least one sample and one feature")
    if x.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples; got {x.shape[0]}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values; remove or impute them first")
    if unit_interval:
        low = min(values.min(initial=0.0 if implicit_zero else np.inf), 0.0 if implicit_zero else np.inf)
        high = max(values.max(initial=0.0 if implicit_zero else -np.inf), 0.0 if implicit_zero else -np.inf)
        if low < 0 or high > 1:
            raise ValueError(f"{name} must lie in [0, 1] for a Bernoulli likelihood; got range [{low:.3g}, {high:.3g}]. "
                             "Scale pixels, e.g. x / x.max().")
    return x


def dense_rows(x, rows=slice(None), *, dtype=np.float32) -> np.ndarray:
    """Rows ``rows`` (a slice, integer indices or a boolean mask) of a dense or sparse matrix,
    as a dense C-contiguous ``dtype`` array; only these rows are densified (one minibatch)."""
    block = x[rows]
    block = block.toarray() if sp.issparse(block) else np.asarray(block)
    return np.ascontiguousarray(block, dtype=dtype)


def as_feature_matrix(x, n_features: int | None = None, *, name: str = "x", unit_interval: bool = False) -> torch.Tensor:
    """Return ``x`` as a dense float32 tensor of shape ``(n_samples, n_features)``, after
    :func:`check_feature_matrix` (a sparse ``x`` is densified whole; a torch tensor keeps its device)."""
    if torch.is_tensor(x) and x.is_floating_point():
        check_feature_matrix(x.detach().cpu(), n_features, name=name, unit_interval=unit_interval)
        return x.float()
    checked = check_feature_matrix(x, n_features, name=name, unit_interval=unit_interval)
    return torch.from_numpy(dense_rows(checked))


# ---- labels of any type ------------------------------------------------------------------


def _label_values(y, name: str):
    """``y`` as a 1-D NumPy array of booleans, integers or strings, or a pandas Categorical;
    refuses missing values, non-integer numbers and types that cannot be class labels."""
    if torch.is_tensor(y):
        y = y.detach().cpu().numpy()
    if isinstance(y, pd.DataFrame):
        raise ValueError(f"{name} must be one column of labels; got a DataFrame with columns {list(y.columns)}")
    if isinstance(y, (pd.Series, pd.Index)):
        y = y.array
    if isinstance(y, pd.Categorical):
        if y.isna().any():
            raise ValueError(f"{name} has {int(y.isna().sum())} missing labels; every sample needs a label "
                             "(drop those samples or give them a category)")
        return y
    if sp.issparse(y):
        raise TypeError(f"{name} is a sparse matrix; give labels as a 1-D array")
    # a list is read as objects first, so that [1, "a"] is not silently turned into strings
    array = np.asarray(y, dtype=object) if isinstance(y, (list, tuple)) else np.asarray(y)
    if array.ndim == 2 and 1 in array.shape and array.size > 1:
        raise ValueError(f"{name} must be a 1-D array of labels; got shape {array.shape} (use {name}.ravel())")
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array with one label per sample; got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty; give one label per sample")
    missing = pd.isna(array)
    if missing.any():
        raise ValueError(f"{name} has {int(missing.sum())} missing labels (NaN/None); every sample needs a label "
                         "(drop those samples or give them a label of their own)")
    if array.dtype == object:
        kinds = {"string" if isinstance(v, (str, np.str_)) else "number" if isinstance(v, (int, float, np.number))
                 else type(v).__name__ for v in array}
        if kinds == {"string"}:
            return array.astype(str)
        if kinds != {"number"}:
            raise TypeError(f"{name} must hold integers, strings, booleans or categories, all of one kind; "
                            f"got {sorted(kinds)}")
        array = np.asarray(array.tolist())
    if array.dtype.kind == "S":
        return array.astype(str)
    if array.dtype.kind in "biuU":
        return array
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains infinite values; labels must be integers, strings or categories")
        if not np.all(array == np.round(array)):
            fractional = array[array != np.round(array)][0]
            raise ValueError(f"{name} holds non-integer numbers (e.g. {fractional:g}); class labels must be integers, "
                             "strings or categories. A continuous variable needs a regression score (or bin it first).")
        return array.astype(np.int64)
    raise TypeError(f"{name} must hold integers, strings, booleans or categories; got dtype {array.dtype}")


def check_labels(y, n_samples: int | None = None, *, name: str = "y") -> np.ndarray:
    """Return the labels ``y`` as a 1-D NumPy array (booleans, integers or strings; a Categorical
    becomes an array of its values), checked as in :func:`encode_labels`, for code that
    compares labels with ``==`` rather than numbering them."""
    values = np.asarray(_label_values(y, name))
    if n_samples is not None and len(values) != n_samples:
        raise ValueError(f"{name} has {len(values)} labels for {n_samples} samples; give one label per sample")
    return values


def encode_labels(y, categories=None, *, n_samples: int | None = None,
                  name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, categories)``: one integer code in ``0 .. K-1`` per label and the K category
    names, so that ``categories[codes]`` gives the labels back.

    ``y`` may hold integers, integer-valued floats, strings or booleans, or be a pandas
    Categorical / categorical Series (list, array, Series or tensor). Without ``categories``
    they are the sorted distinct labels (a Categorical's own categories, in its order);
    with ``categories`` (e.g. a model's class names) every label must be one of them.
    Raises ``ValueError`` for missing labels, non-integer numbers, a wrong length or a label
    outside ``categories``; ``TypeError`` for values that cannot be class labels.
    """
    values = _label_values(y, name)
    if n_samples is not None and len(values) != n_samples:
        raise ValueError(f"{name} has {len(values)} labels for {n_samples} samples; give one label per sample")
    if categories is None:
        if isinstance(values, pd.Categorical):
            return values.codes.astype(np.int64), values.categories.to_numpy()
        categories, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int64).ravel(), categories
    known = pd.Index(list(categories))
    if known.has_duplicates or known.hasnans:
        raise ValueError(f"categories must be distinct and not missing; got {list(known)}")
    codes = known.get_indexer(np.asarray(values))
    if (codes < 0).any():
        unknown = pd.unique(np.asarray(values)[codes < 0])
        raise ValueError(f"{name} holds labels that are not among the {len(known)} known categories: "
                         f"{unknown[:5].tolist()}{' ...' if len(unknown) > 5 else ''}; known: {known[:10].tolist()}"
                         f"{' ...' if len(known) > 10 else ''}")
    return codes.astype(np.int64), known.to_numpy()


def class_indices(y, n_classes: int, n_samples: int | None = None, *, name: str = "y") -> np.ndarray:
    """Return class labels as an int64 array, checking that they are integers in ``[0, n_classes)``
    (booleans and integer-valued floats count as integers), for a model with a fixed set of classes.

    String or categorical labels raise a ``TypeError`` that says how to number them with
    :func:`encode_labels`; other bad labels raise as in :func:`encode_labels`.
    """
    values = _label_values(y, name)
    if isinstance(values, pd.Categorical):
        values = _label_values(np.asarray(values), name)
    if values.dtype.kind == "U":
        raise TypeError(f"{name} holds strings (e.g. {str(values[0])!r}) but this model numbers its {n_classes} classes "
                        f"0..{n_classes - 1}: number them first, codes, names = "
                        f"latentbio.checks.encode_labels({name}), and keep the names to map codes back")
    if n_samples is not None and len(values) != n_samples:
        raise ValueError(f"{name} has {len(values)} labels for {n_samples} samples; give one label per sample")
    values = values.astype(np.int64)
    if values.min() < 0 or values.max() >= n_classes:
        raise ValueError(f"{name} must lie in [0, {n_classes}) for a model with n_classes={n_classes}; "
                         f"got labels from {values.min()} to {values.max()}")
    return values


def as_labels(y, n_classes: int, n_samples: int | None = None, *, name: str = "y") -> torch.Tensor:
    """:func:`class_indices` as an int64 tensor."""
    return torch.from_numpy(class_indices(y, n_classes, n_samples, name=name))


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
