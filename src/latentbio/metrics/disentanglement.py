"""Disentanglement scores of a representation against known factors of variation."""

import numpy as np
from sklearn.metrics import mutual_info_score


def discretize(codes: np.ndarray, n_bins: int = 20) -> np.ndarray:
    """Bin each code dimension into ``n_bins`` equal-width bins (disentanglement_lib's
    histogram discretiser); returns integer bin indices of the same shape."""
    codes = np.asarray(codes, dtype=float)
    binned = np.zeros(codes.shape, dtype=int)
    for j in range(codes.shape[1]):
        edges = np.histogram_bin_edges(codes[:, j], bins=n_bins)
        binned[:, j] = np.digitize(codes[:, j], edges[1:-1])
    return binned


def mutual_information_matrix(codes: np.ndarray, factors: np.ndarray, n_bins: int = 20) -> np.ndarray:
    """I(code_j; factor_k) in nats for every code dimension j and factor k, shape ``(n_codes, n_factors)``."""
    binned = discretize(codes, n_bins)
    return np.array([[mutual_info_score(factors[:, k], binned[:, j]) for k in range(factors.shape[1])]
                     for j in range(binned.shape[1])])


def factor_entropies(factors: np.ndarray) -> np.ndarray:
    """Entropy H(v_k) in nats of each discrete factor (column of ``factors``), shape ``(n_factors,)``."""
    factors = np.asarray(factors)
    return np.array([mutual_info_score(factors[:, k], factors[:, k]) for k in range(factors.shape[1])])


def mutual_information_gap(codes, factors, n_bins: int = 20) -> float:
    """Mutual information gap (MIG; Chen et al. 2018, Eq. 6).

    For each factor k, the gap between the largest and second-largest mutual
    information of any single code dimension with it, divided by the factor's entropy
    H(v_k); MIG is the mean over factors, in [0, 1]. High when each factor is captured
    by one code dimension alone. ``codes``: ``(n_samples, n_codes)`` with at least two
    dimensions; ``factors``: ``(n_samples, n_factors)`` discrete values.
    """
    codes, factors = np.asarray(codes), np.asarray(factors)
    if codes.ndim != 2 or factors.ndim != 2 or len(codes) != len(factors):
        raise ValueError(f"codes and factors must be 2-D with one row per sample; got {codes.shape} and {factors.shape}")
    if codes.shape[1] < 2:
        raise ValueError("MIG needs at least two code dimensions")
    if not np.isfinite(codes).all():
        raise ValueError("codes contain NaN or infinite values")
    information = mutual_information_matrix(codes, factors, n_bins)
    entropies = factor_entropies(factors)
    if np.any(entropies == 0):
        raise ValueError("every factor must take at least two values")
    top_two = np.sort(information, axis=0)[::-1][:2]
    return float(np.mean((top_two[0] - top_two[1]) / entropies))
