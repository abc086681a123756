"""The Hilbert-Schmidt independence criterion for two or more variables (HSIC, dHSIC).

HSIC (Gretton et al. 2005) measures the dependence of two variables as the squared
distance, in a reproducing-kernel Hilbert space, between the embedding of their joint
distribution and that of the product of their marginals; with a characteristic
kernel such as the Gaussian RBF it is zero exactly when the variables are
independent. dHSIC (Pfister et al. 2018, Definition 2.6 and the V-statistic of
Eq. 4) extends it to d variables at once. Everything here works on torch tensors,
so the estimate can be a training penalty that gradients flow through.
"""

from collections.abc import Sequence

import numpy as np
import torch


def _as_variable(values, name: str) -> torch.Tensor:
    """One variable's samples as a float tensor of shape ``(n_samples, dimension)``."""
    values = values if torch.is_tensor(values) else torch.as_tensor(np.asarray(values, dtype=np.float64))
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(f"{name} must be 1-D (samples) or 2-D (samples x dimensions); got shape {tuple(values.shape)}")
    if len(values) < 2:
        raise ValueError(f"{name} needs at least two samples; got {len(values)}")
    if not torch.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return values if values.is_floating_point() else values.double()


def median_bandwidth(values: torch.Tensor) -> torch.Tensor:
    """The median heuristic (Pfister et al. 2018, Section 5.1; the R package dHSIC):
    sigma = sqrt(median(||x_i - x_j||^2) / 2) over pairs i < j, floored at 1e-3.

    With it the RBF kernel below is exp(-||x_i - x_j||^2 / median ||x_i - x_j||^2).
    The bandwidth is treated as a constant (no gradient flows through it), so a
    penalty cannot shrink by rescaling the data.
    """
    values = _as_variable(values, "values").detach()
    distances = torch.cdist(values, values).pow(2)
    upper = torch.triu_indices(len(values), len(values), offset=1, device=values.device)
    median = distances[upper[0], upper[1]].median()
    return torch.sqrt(median / 2).clamp_min(1e-3)


def rbf_gram(values, bandwidth: float | torch.Tensor | None = None) -> torch.Tensor:
    """Gram matrix K[i, j] = exp(-||x_i - x_j||^2 / (2 sigma^2)) of one variable's samples.

    ``values``: ``(n_samples,)`` or ``(n_samples, dimension)``; ``bandwidth`` sigma,
    by default :func:`median_bandwidth`. Returns an ``(n_samples, n_samples)`` tensor.
    """
    values = _as_variable(values, "values")
    sigma = median_bandwidth(values) if bandwidth is None else torch.as_tensor(bandwidth, dtype=values.dtype)
    if float(sigma) <= 0:
        raise ValueError(f"the bandwidth must be positive, got {float(sigma)}")
    return torch.exp(-torch.cdist(values, values).pow(2) / (2 * sigma ** 2))


def dhsic_from_grams(grams: Sequence[torch.Tensor]) -> torch.Tensor:
    """The dHSIC V-statistic from one Gram matrix per variable (Pfister et al. 2018, Eq. 4):

        mean_{i,k} prod_j K_j[i, k] + prod_j mean_{i,k} K_j[i, k] - 2 mean_i prod_j mean_k K_j[i, k].

    For two variables this is the biased HSIC estimator of Gretton et al. (2005).
    Returns a scalar tensor, zero (up to rounding) when the samples are independent
    in the empirical sense and positive otherwise.
    """
    if len(grams) < 2:
        raise ValueError(f"dHSIC needs at least two variables; got {len(grams)}")
    n = grams[0].shape[0]
    if any(gram.shape != (n, n) for gram in grams):
        raise ValueError(f"all Gram matrices must be n x n for the same n; got {[tuple(g.shape) for g in grams]}")
    joint = torch.stack(list(grams)).prod(dim=0).mean()
    product_of_marginals = torch.stack([gram.mean() for gram in grams]).prod()
    cross = torch.stack([gram.mean(dim=1) for gram in grams]).prod(dim=0).mean()
    return joint + product_of_marginals - 2 * cross


def dhsic(variables: Sequence, bandwidths: Sequence[float] | None = None) -> torch.Tensor:
    """dHSIC of d >= 2 variables observed on the same samples (row i of each is one draw).

    ``variables``: a list of arrays/tensors, each ``(n_samples,)`` or
    ``(n_samples, dimension)``; Gaussian RBF kernels with the median heuristic unless
    ``bandwidths`` are given. Returns the V-statistic of :func:`dhsic_from_grams`.
    """
    if len(variables) < 2:
        raise ValueError(f"dHSIC needs at least two variables; got {len(variables)}")
    if bandwidths is not None and len(bandwidths) != len(variables):
        raise ValueError(f"give one bandwidth per variable: {len(variables)} variables, {len(bandwidths)} bandwidths")
    tensors = [_as_variable(v, f"variable {j}") for j, v in enumerate(variables)]
    if len({len(t) for t in tensors}) != 1:
        raise ValueError(f"all variables need the same samples; got lengths {[len(t) for t in tensors]}")
    bandwidths = bandwidths or [None] * len(tensors)
    return dhsic_from_grams([rbf_gram(t, b) for t, b in zip(tensors, bandwidths)])


def latent_dhsic(codes) -> torch.Tensor:
    """dHSIC of the coordinates of a code matrix ``(n_samples, n_latent)``: each
    latent dimension is one variable, so the value is zero when all are mutually
    independent (a factorised code)."""
    codes = _as_variable(codes, "codes")
    if codes.shape[1] < 2:
        raise ValueError(f"codes need at least two dimensions; got {codes.shape[1]}")
    return dhsic(list(codes.T))
