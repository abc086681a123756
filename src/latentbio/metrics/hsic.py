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

import torch

from ..checks import as_tensor_matrix, check_number


def _as_variable(values, name: str) -> torch.Tensor:
    """One variable's samples as a float tensor ``(n_samples, dimension)`` (tensors keep their gradients)."""
    return as_tensor_matrix(values, name=name, min_samples=2, vector=True)


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
    """Gram matrix K[i, j] = exp(-||x_i - x_j||^2 / (2 sigma^2)) of one variable's samples
    (the Gaussian RBF kernel, as in Gretton et al. 2005).

    ``values``: ``(n_samples,)`` or ``(n_samples, dimension)``; ``bandwidth`` sigma,
    by default :func:`median_bandwidth`. Returns an ``(n_samples, n_samples)`` tensor.
    """
    values = _as_variable(values, "values")
    if bandwidth is None:
        sigma = median_bandwidth(values)
    else:
        check_number(float(bandwidth) if torch.is_tensor(bandwidth) else bandwidth, "bandwidth", minimum=0.0,
                     exclusive=True)
        sigma = torch.as_tensor(bandwidth, dtype=values.dtype, device=values.device)
    scale = (2 * sigma ** 2).clamp_min(torch.finfo(values.dtype).tiny)  # no 0/0 when a tiny sigma underflows
    return torch.exp(-torch.cdist(values, values).pow(2) / scale)


def dhsic_from_grams(grams: Sequence[torch.Tensor]) -> torch.Tensor:
    """The dHSIC V-statistic from one Gram matrix per variable (Pfister et al. 2018, Eq. 4):

        mean_{i,k} prod_j K_j[i, k] + prod_j mean_{i,k} K_j[i, k] - 2 mean_i prod_j mean_k K_j[i, k].

    For two variables this is the biased HSIC estimator of Gretton et al. (2005).
    Returns a scalar tensor, zero (up to rounding) when the samples are independent
    in the empirical sense and positive otherwise.
    """
    if len(grams) < 2:
        raise ValueError(f"dHSIC needs at least two variables; got {len(grams)}")
    grams = [as_tensor_matrix(gram, name=f"Gram matrix {j}") for j, gram in enumerate(grams)]
    n = grams[0].shape[0]
    if any(gram.shape != (n, n) for gram in grams):
        raise ValueError(f"all Gram matrices must be n x n for the same n; got {[tuple(g.shape) for g in grams]}")
    return _dhsic_statistic(torch.stack(grams))


def _dhsic_statistic(grams: torch.Tensor) -> torch.Tensor:
    """The V-statistic of :func:`dhsic_from_grams` for Gram matrices stacked as ``(d, n, n)``."""
    joint = grams.prod(dim=0).mean()
    product_of_marginals = grams.mean(dim=(1, 2)).prod()
    cross = grams.mean(dim=2).prod(dim=0).mean()
    return joint + product_of_marginals - 2 * cross


def dhsic(variables: Sequence, bandwidths: Sequence[float] | None = None) -> torch.Tensor:
    """dHSIC of d >= 2 variables observed on the same samples (row i of each is one draw).

    ``variables``: a list of arrays/tensors, each ``(n_samples,)`` or
    ``(n_samples, dimension)``; Gaussian RBF kernels with the median heuristic unless
    ``bandwidths`` are given. Returns the V-statistic of :func:`dhsic_from_grams`.
    """
    if not isinstance(variables, (list, tuple)):
        raise TypeError(f"variables must be a list of arrays, one per variable; got a {type(variables).__name__}. "
                        "For the columns of one matrix use latent_dhsic(codes) or list(codes.T)")
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
    """dHSIC (Pfister et al. 2018, Eq. 4) of the coordinates of a code matrix ``(n_samples, n_latent)``,
    a scalar tensor: each latent dimension is one variable, so the value is zero when all are
    mutually independent (a factorised code).

    The same value as ``dhsic(list(codes.T))``, computed for all dimensions at once (one
    ``(n_latent, n, n)`` array of squared differences instead of a loop over dimensions), because it
    is a training penalty evaluated on every minibatch."""
    codes = _as_variable(codes, "codes")
    if codes.shape[1] < 2:
        raise ValueError(f"codes need at least two dimensions; got {codes.shape[1]}")
    columns = codes.T
    squared = (columns[:, :, None] - columns[:, None, :]).pow(2)  # (d, n, n)
    upper = torch.triu_indices(len(codes), len(codes), offset=1, device=codes.device)
    median = squared.detach()[:, upper[0], upper[1]].median(dim=1).values  # as median_bandwidth, per dimension
    scale = median.clamp_min(2e-6).clamp_min(torch.finfo(codes.dtype).tiny)  # 2 sigma^2, sigma floored at 1e-3
    return _dhsic_statistic((-squared / scale[:, None, None]).exp())
