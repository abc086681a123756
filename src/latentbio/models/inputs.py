"""Input checks shared by the models: bad input fails early with a message that says what was expected."""

import numpy as np
import torch


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
