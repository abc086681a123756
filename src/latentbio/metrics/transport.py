"""Optimal-transport distances between groups of latent codes, with POT (Flamary et al. 2021).

If a shared latent space mixes the groups well, the cloud of shared codes of one group
can be moved onto the cloud of another at little cost. The cost of the cheapest such
move, with squared Euclidean distances, is the squared 2-Wasserstein distance between
the two empirical distributions; POT solves this exactly as a linear program (``ot.emd2``).
"""

import numpy as np
import ot
import torch

from ..checks import check_codes_and_labels


def sample_wasserstein(codes_a, codes_b):
    """Squared 2-Wasserstein distance between two samples of codes (uniform weights).

    ``codes_a`` ``(n, d)`` and ``codes_b`` ``(m, d)`` are NumPy arrays or torch tensors; the
    result is a float or a 0-d tensor through which gradients flow (so it can serve as a
    training penalty). Exact optimal transport: W2^2 = min over couplings P of
    sum_ij P_ij ||a_i - b_j||^2.
    """
    if codes_a.ndim != 2 or codes_b.ndim != 2 or codes_a.shape[1] != codes_b.shape[1]:
        raise ValueError("codes_a and codes_b must be 2-D (samples x dimensions) with the same number of "
                         f"dimensions; got shapes {tuple(codes_a.shape)} and {tuple(codes_b.shape)}")
    if len(codes_a) == 0 or len(codes_b) == 0:
        raise ValueError("each sample of codes needs at least one code")
    cost = ot.dist(codes_a, codes_b)  # squared Euclidean distances
    distance = ot.emd2([], [], cost)
    return distance if torch.is_tensor(distance) else float(distance)


def group_transport_distance(codes, groups, *, max_per_group: int = 500, standardise: bool = True,
                             seed: int = 0) -> float:
    """How far apart the groups' codes lie: the mean over pairs of groups of the squared
    2-Wasserstein distance between their codes (0 = identical clouds).

    ``codes`` ``(n_cells, d)``; ``groups`` one label per cell (at least two groups).
    At most ``max_per_group`` codes per group enter (a seeded random subset: exact OT
    costs grow with the cube of the sample size). With ``standardise`` the codes are first
    divided by the square root of their total variance, so the result is a fraction of the
    spread of all codes and spaces of different scale can be compared. Two samples of one
    distribution give a small positive value, not zero (finite-sample noise).
    """
    codes, groups = check_codes_and_labels(codes, groups)
    labels = np.unique(groups)
    if standardise:
        spread = codes.var(axis=0).sum()
        if spread == 0:
            raise ValueError("all codes are identical; their spread cannot be standardised")
        codes = (codes - codes.mean(axis=0)) / np.sqrt(spread)
    rng = np.random.default_rng(seed)
    samples = []
    for label in labels:
        members = np.flatnonzero(groups == label)
        if len(members) > max_per_group:
            members = rng.choice(members, max_per_group, replace=False)
        samples.append(codes[members])
    distances = [sample_wasserstein(a, b) for i, a in enumerate(samples) for b in samples[i + 1:]]
    return float(np.mean(distances))
