"""Checks of what crosses the package's boundary, one converter per kind of input.

The rule, written once:

* ``checks.py`` checks what crosses the package's boundary: arrays, labels, images, counts and
  AnnData columns, with one converter per kind (the list below);
* a hyperparameter (an option given when a model, metric or schedule is built) is checked with
  :func:`check_integer`, :func:`check_number`, :func:`check_fraction`, :func:`check_flag` or
  :func:`check_choice` where it is given, so that a rule such as "beta >= 0" is written once, as
  ``check_number(beta, "beta", minimum=0)``;
* a rule that belongs to one model, metric or data set (for example "codes and factors have the
  same number of samples", "group and private_latent come together", a metric's own range, an
  architecture whose image size must be divisible by 2^depth, a call made before ``fit``) lives
  beside that code, next to the computation it protects;
* errors that torch, NumPy or scikit-learn already report clearly are left to them.

Bad input fails early with a ``ValueError`` (``TypeError`` for a value of the wrong kind) that
says what was expected and what to do.

One converter per kind:

* numbers and options: :func:`check_integer`, :func:`check_number`, :func:`check_fraction`,
  :func:`check_flag`, :func:`check_choice`;
* a dense numeric array of any shape: :func:`as_numeric_array`;
* a feature matrix (samples x features, dense or sparse): :func:`check_feature_matrix`;
  :func:`dense_rows` densifies one minibatch of it, :func:`as_feature_matrix` is the same check
  returning a dense torch tensor (for code that computes in torch);
* codes given to a metric: :func:`check_codes` (NumPy) and :func:`as_tensor_matrix` (torch,
  gradients kept, for metrics that serve as training penalties);
* labels: :func:`check_labels` (values), :func:`encode_labels` (codes and names),
  :func:`class_indices` (a model's fixed classes 0..K-1); factors: :func:`check_factors`;
* images: :func:`as_image_batch`, :func:`as_model_images`, :func:`check_image_shape`;
* counts and AnnData columns: :func:`get_matrix`, :func:`check_counts`, :func:`check_count_batch`,
  :func:`check_obs_column`; selections of rows or genes: :func:`selection_indices`.
"""

from __future__ import annotations

from collections.abc import Sequence

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

# ---- numbers and options -----------------------------------------------------------------


def check_integer(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking it is a whole number (``5`` or ``5.0``, not ``True``)
    in ``[minimum, maximum]``; ``TypeError`` for a non-number, ``ValueError`` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        bounds = (f"between {minimum} and {maximum}" if minimum is not None and maximum is not None
                  else f"at least {minimum}" if minimum is not None else f"at most {maximum}")
        bounds += " (non-negative)" if minimum == 0 and maximum is None else ""
        raise ValueError(f"{name} must be {bounds}; got {value}")
    return value


def check_number(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
                 exclusive: bool = False) -> float:
    """Return ``value`` as a finite ``float`` in ``[minimum, maximum]`` (open interval with ``exclusive``);
    ``TypeError`` for a non-number, ``ValueError`` for NaN, infinity or a value out of range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value}")
    below = minimum is not None and (value <= minimum if exclusive else value < minimum)
    above = maximum is not None and (value >= maximum if exclusive else value > maximum)
    if below or above:
        low, high = ("(", ")") if exclusive else ("[", "]")
        interval = f"{low}{minimum if minimum is not None else '-inf'}, {maximum if maximum is not None else 'inf'}{high}"
        sign = (" (positive)" if exclusive else " (non-negative)") if minimum == 0 and maximum is None else ""
        raise ValueError(f"{name} must lie in {interval}{sign}; got {value}")
    return value


def check_fraction(value, name: str) -> float:
    """A fraction strictly between 0 and 1 (for example the test part of a split)."""
    return check_number(value, name, minimum=0.0, maximum=1.0, exclusive=True)


def check_flag(value, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False``; a string such as ``"yes"`` raises ``TypeError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_choice(value, name: str, choices: Sequence):
    """Return ``value`` if it is one of ``choices``; ``ValueError`` listing them otherwise."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}")
    return value


# ---- numeric arrays, dense or sparse -------------------------------------------------------


def as_numeric_array(x, *, name: str = "x", dtype=np.float64) -> np.ndarray:
    """Return ``x`` (a list, NumPy array, pandas object or torch tensor) as a NumPy array of ``dtype``.

    Raises ``TypeError`` if ``x`` is a scipy sparse matrix (call sites that take sparse input
    use :func:`check_feature_matrix`), holds strings, complex numbers or other objects, or is ragged.
    """
    if x is None:
        raise TypeError(f"{name} is None; give an array of numbers")
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
                         f"Flatten images first, e.g. images.reshape(len(images), -1); a 1-D array of one "
                         f"feature becomes a column with {name}[:, None].")
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
            raise ValueError(f"{name} must lie in [0, 1] (pixel intensities, Bernoulli means); got range "
                             f"[{low:.3g}, {high:.3g}]. Scale pixels, e.g. x / x.max().")
    return x


def dense_rows(x, rows=slice(None), *, dtype=np.float32) -> np.ndarray:
    """Rows ``rows`` (a slice, integer indices or a boolean mask) of a dense or sparse matrix,
    as a dense C-contiguous ``dtype`` array; only these rows are densified (one minibatch)."""
    block = x[rows]
    block = block.toarray() if sp.issparse(block) else np.asarray(block)
    return np.ascontiguousarray(block, dtype=dtype)


def as_feature_matrix(x, n_features: int | None = None, *, name: str = "x", unit_interval: bool = False) -> torch.Tensor:
    """Return ``x`` as a dense float32 tensor of shape ``(n_samples, n_features)``, after
    :func:`check_feature_matrix` (a sparse ``x`` is densified whole; a torch tensor keeps its device).

    It differs from :func:`check_feature_matrix` only in what it returns (a dense torch tensor, for
    code that computes in torch); from :func:`as_tensor_matrix` in that it casts to float32 and
    applies the feature-matrix checks (``n_features``, ``unit_interval``)."""
    if torch.is_tensor(x) and x.is_floating_point():
        check_feature_matrix(x.detach().cpu(), n_features, name=name, unit_interval=unit_interval)
        return x.float()
    checked = check_feature_matrix(x, n_features, name=name, unit_interval=unit_interval)
    return torch.from_numpy(dense_rows(checked))


def as_tensor_matrix(x, *, name: str = "x", min_samples: int = 1, vector: bool = False) -> torch.Tensor:
    """Return ``x`` as a 2-D floating-point tensor; a torch tensor is kept as it is (same device,
    gradients flow), anything else becomes float64. With ``vector`` a 1-D ``x`` is one column.

    The torch form of :func:`check_codes`, for metrics that also serve as training penalties
    (HSIC, Wasserstein distances): unlike :func:`as_feature_matrix` it neither copies a tensor to
    float32 nor moves it, so gradients flow through it. Input that is not a tensor is checked by
    :func:`check_codes`.

    Raises ``ValueError`` for a wrong shape, fewer than ``min_samples`` rows or NaN/inf, and
    ``TypeError`` for values that are not numbers.
    """
    if not torch.is_tensor(x):  # not differentiable: the NumPy converter for codes does the checking
        if vector and not sp.issparse(x):
            x = as_numeric_array(x, name=name)
            x = x[:, None] if x.ndim == 1 else x
        return torch.from_numpy(np.array(check_codes(x, name=name, min_samples=max(min_samples, 1)), dtype=np.float64))
    if x.is_complex():
        raise TypeError(f"{name} holds complex numbers; give real numbers")
    if vector and x.ndim == 1:
        x = x[:, None]
    shape = "1-D (samples) or 2-D (samples x dimensions)" if vector else "2-D (samples x dimensions)"
    if x.ndim != 2:
        raise ValueError(f"{name} must be {shape}; got shape {tuple(x.shape)}")
    if x.shape[1] == 0 or len(x) < max(min_samples, 1):
        raise ValueError(f"{name} needs at least {max(min_samples, 1)} samples and one dimension; got shape "
                         f"{tuple(x.shape)}")
    if not torch.isfinite(x.detach()).all():
        raise ValueError(f"{name} contains NaN or infinite values; remove or impute them first")
    return x if x.is_floating_point() else x.double()


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


# ---- images ------------------------------------------------------------------------------

def as_image_batch(images, image_size: int | None = None, *, name: str = "images") -> torch.Tensor:
    """Return ``images`` as a float32 tensor ``(n, channels, size, size)``.

    Accepts grey images ``(n, h, w)`` or channels-last colour images ``(n, h, w, c)``
    (as the datasets of the course store them). Raises ``ValueError`` for another
    shape, non-square or wrongly sized images, an empty batch, NaN or values outside [0, 1].
    """
    array = as_numeric_array(images, name=name, dtype=np.float32)
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 4:
        array = array.transpose(0, 3, 1, 2)
    else:
        raise ValueError(f"{name} must be grey (n, h, w) or colour (n, h, w, channels); got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); give at least one image")
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


# ---- codes, labels, factors and genes given to a metric ---------------------------------------

MIN_SAMPLES_PER_FACTOR_VALUE = 5
"""A discrete factor needs on average this many samples per value (see :func:`check_factors`)."""


def check_codes(codes, *, name: str = "codes", min_samples: int = 1, min_dims: int = 1) -> np.ndarray:
    """Return ``codes`` (one row per sample; dense or sparse, list, DataFrame or tensor) as a dense
    float64 array, checked as in :func:`check_feature_matrix`, with at least ``min_dims`` columns."""
    codes = check_feature_matrix(codes, name=name, min_samples=min_samples, dtype=np.float64)
    if codes.shape[1] < min_dims:
        raise ValueError(f"{name} needs at least {min_dims} dimensions; got {codes.shape[1]}")
    return dense_rows(codes, dtype=np.float64) if sp.issparse(codes) else codes


def check_codes_and_labels(codes, labels, *, min_labels: int = 2, name: str = "labels") -> tuple[np.ndarray, np.ndarray]:
    """Return ``codes`` as a float array ``(n_cells, n_dims)`` and ``labels`` (of any type, see
    :func:`encode_labels`) as integer codes ``0 .. K-1`` of the K labels present.

    Raises ``ValueError`` for wrong shapes, NaN/inf codes, missing labels, a label count that
    differs from the number of codes, or fewer than ``min_labels`` distinct labels.
    """
    codes = check_codes(codes)
    label_codes, _ = encode_labels(labels, n_samples=len(codes), name=name)
    present, label_codes = np.unique(label_codes, return_inverse=True)  # drop unused categories
    if len(present) < min_labels:
        raise ValueError(f"need at least {min_labels} distinct {name}; got {len(present)}")
    return codes, label_codes.ravel()


def check_factors(factors, n_samples: int | None = None, *, name: str = "factors", discrete: bool = True,
                  n_bins: int = 20) -> np.ndarray:
    """Return known factors of variation as a 2-D array, one column per factor (a 1-D array is one
    factor; a DataFrame may mix numeric and categorical columns).

    ``discrete=True`` (for mutual-information and Higgins scores): every column is encoded as
    integer codes (strings and categories allowed). A numeric column with more distinct values
    than ``max(n_bins, n_samples / MIN_SAMPLES_PER_FACTOR_VALUE)``, i.e. on average fewer than
    5 samples per value, is treated as continuous and refused: a plug-in entropy of such a factor
    is dominated by sampling noise, and the score would come out near 0 whatever the code.
    Bin it first, e.g. ``latentbio.metrics.discretize(factors, n_bins)``.

    ``discrete=False`` (for regression scores): float64 values, finite, no constant column.
    Raises ``ValueError`` (or ``TypeError`` for values of the wrong kind) otherwise.
    """
    columns = [factors[column] for column in factors.columns] if isinstance(factors, pd.DataFrame) else None
    if columns is None:
        if torch.is_tensor(factors):
            factors = factors.detach().cpu().numpy()
        if sp.issparse(factors):
            factors = factors.toarray()
        array = np.asarray(factors, dtype=object) if isinstance(factors, (list, tuple)) else np.asarray(factors)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(f"{name} must be 2-D (samples x factors) or 1-D (one factor); got shape {array.shape}")
        columns = list(array.T)
    n = len(columns[0]) if columns else 0
    if not columns or n == 0:
        raise ValueError(f"{name} is empty; give one row per sample and at least one factor")
    if n_samples is not None and n != n_samples:
        raise ValueError(f"{name} has {n} rows for {n_samples} samples; give one row per sample")
    if not discrete:
        values = np.column_stack([as_numeric_array(c, name=name) for c in columns])
        if not np.isfinite(values).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        constant = [k for k in range(values.shape[1]) if np.ptp(values[:, k]) == 0]
        if constant:
            raise ValueError(f"{name} column(s) {constant} take a single value, so R^2 is undefined "
                             "(no variance to explain); drop them")
        return values
    max_values = max(n_bins, n // MIN_SAMPLES_PER_FACTOR_VALUE)
    encoded = []
    for k, column in enumerate(columns):
        values = np.asarray(column.array if isinstance(column, pd.Series) else column)
        if values.dtype.kind in "biuf":  # numbers: any distinct values, few enough of them
            if not np.isfinite(values.astype(float)).all():
                raise ValueError(f"{name} column {k} contains NaN or infinite values")
            categories, codes = np.unique(values, return_inverse=True)
        else:  # strings, categories, objects
            codes, categories = encode_labels(column, name=f"{name} column {k}")
        if len(categories) > max_values:
            raise ValueError(
                f"{name} column {k} has {len(categories)} distinct values for {n} samples: it looks continuous, "
                f"and a discrete score needs at most max(n_bins={n_bins}, n/{MIN_SAMPLES_PER_FACTOR_VALUE}) = "
                f"{max_values} values. Discretise it first, e.g. latentbio.metrics.discretize({name}, n_bins)")
        encoded.append(codes.ravel())
    return np.column_stack(encoded)


def check_stratified_split(labels: np.ndarray, test_fraction: float, *, name: str = "labels",
                           remedy: str = "give more samples per class") -> None:
    """Check that integer ``labels`` can be split stratified into a training and a test part
    (scikit-learn's ``train_test_split(..., stratify=labels)``): every class needs at least two
    members and each part at least one sample per class. ``ValueError`` with ``remedy`` otherwise."""
    test_fraction = check_fraction(test_fraction, "test_fraction")
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    n_test = int(np.ceil(test_fraction * len(labels)))
    if counts.min() < 2:
        raise ValueError(f"every class of {name} needs at least 2 samples for a stratified split; "
                         f"the smallest has {counts.min()}: {remedy}")
    if n_test < len(counts) or len(labels) - n_test < len(counts):
        raise ValueError(f"a stratified split of {len(labels)} samples with test_fraction={test_fraction} leaves "
                         f"{n_test} test and {len(labels) - n_test} training samples for {len(counts)} classes; "
                         f"each part needs one per class: {remedy}")


def selection_indices(selection, n_items: int, names=None, *, name: str = "selection",
                      items: str = "items") -> np.ndarray:
    """Indices of the ``n_items`` rows or columns that ``selection`` picks: a boolean mask of
    length ``n_items``, integer indices, or names (then ``names``, the names of the ``n_items``
    entries, e.g. ``adata.var_names``, are needed). ``items`` names them in messages ("genes").

    A 0/1 integer array of length ``n_items`` is ambiguous (a mask stored as integers, or indices
    0 and 1?) and raises ``ValueError``, as do out-of-range or repeated indices and unknown names.
    """
    item = items[:-1] if items.endswith("s") else items
    array = np.asarray(selection)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (a mask, indices or names); got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} selects no {items}")
    if array.dtype.kind == "b":
        if len(array) != n_items:
            raise ValueError(f"a boolean mask {name} needs one entry per {item} ({n_items}); got {len(array)}")
        indices = np.flatnonzero(array)
        if len(indices) == 0:
            raise ValueError(f"the mask {name} selects no {items}")
        return indices
    if array.dtype.kind in "USO":
        if names is None:
            raise ValueError(f"{name} holds names (e.g. {str(array[0])!r}); pass the names of the {items} as well "
                             f"(e.g. var_names=adata.var_names), or give indices")
        names = pd.Index(np.asarray(names).astype(str))
        if len(names) != n_items:
            raise ValueError(f"{len(names)} names given for {n_items} {items}")
        indices = names.get_indexer(array.astype(str))
        if (indices < 0).any():
            unknown = array[indices < 0]
            raise ValueError(f"{len(unknown)} name(s) in {name} are not among the names of the {items}, "
                             f"e.g. {unknown[:5].tolist()}")
    elif array.dtype.kind in "iu":
        if len(array) == n_items and n_items > 2 and set(np.unique(array)) <= {0, 1}:
            raise ValueError(f"{name} is a 0/1 integer array with one entry per {item}: a mask or the indices 0 "
                             f"and 1? Pass {name}.astype(bool) for a mask or np.flatnonzero({name}) for indices")
        if array.min() < 0 or array.max() >= n_items:
            raise ValueError(f"indices in {name} must lie in [0, {n_items}); got {array.min()} to {array.max()}")
        indices = array.astype(np.int64)
    else:
        raise TypeError(f"{name} must be a boolean mask, integer indices or names; got dtype {array.dtype}")
    if len(np.unique(indices)) != len(indices):
        raise ValueError(f"{name} selects some {items} more than once; give each once")
    return indices


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
