"""Optimal-transport distances between groups of latent codes, with POT (Flamary et al. 2021).

If a shared latent space mixes the groups well, the cloud of shared codes of one group
can be moved onto the cloud of another at little cost. The cost of the cheapest such
move, with squared Euclidean distances, is the squared 2-Wasserstein distance between
the two empirical distributions; POT solves this exactly as a linear program (``ot.emd2``).
"""

import numpy as np
import ot
import torch

from ..checks import as_tensor_matrix, check_codes, check_codes_and_labels, check_integer


def sample_wasserstein(codes_a, codes_b):
    """Squared 2-Wasserstein distance between two samples of codes (uniform weights).

    ``codes_a`` ``(n, d)`` and ``codes_b`` ``(m, d)`` are arrays (lists, DataFrames) or torch
    tensors; with a tensor among them the result is a 0-d tensor through which gradients flow
    (so it can serve as a training penalty), otherwise a float. Exact optimal transport, the
    Kantorovich problem with the squared Euclidean cost (Peyre and Cuturi 2019, Section 2.3):
    W2^2 = min over couplings P of sum_ij P_ij ||a_i - b_j||^2. NaN or infinite codes raise
    ``ValueError``.
    """
    if torch.is_tensor(codes_a) or torch.is_tensor(codes_b):
        codes_a = as_tensor_matrix(codes_a, name="codes_a")
        codes_b = as_tensor_matrix(codes_b, name="codes_b")
        like = codes_a if torch.is_tensor(codes_a) and codes_a.requires_grad else codes_b
        codes_a, codes_b = (c.to(dtype=like.dtype, device=like.device) for c in (codes_a, codes_b))
    else:
        codes_a, codes_b = check_codes(codes_a, name="codes_a"), check_codes(codes_b, name="codes_b")
    if codes_a.shape[1] != codes_b.shape[1]:
        raise ValueError("codes_a and codes_b must have the same number of dimensions; got shapes "
                         f"{tuple(codes_a.shape)} and {tuple(codes_b.shape)}")
    cost = ot.dist(codes_a, codes_b)  # squared Euclidean distances
    distance = ot.emd2([], [], cost)
    return distance if torch.is_tensor(distance) else float(distance)


def group_transport_distance(codes, groups, *, max_per_group: int = 500, standardise: bool = True,
                             seed: int = 0) -> float:
    """How far apart the groups' codes lie, a float: the mean over pairs of groups of the
    squared 2-Wasserstein distance (:func:`sample_wasserstein`) between their codes
    (0 = identical clouds).

    ``codes`` ``(n_cells, d)``; ``groups`` one label per cell (any label type, at least two groups).
    At most ``max_per_group`` codes per group enter (a seeded random subset: exact OT
    costs grow with the cube of the sample size). With ``standardise`` the codes are first
    divided by the square root of their total variance, so the result is a fraction of the
    spread of all codes and spaces of different scale can be compared. Two samples of one
    distribution give a small positive value, not zero (finite-sample noise).
    """
    codes, groups = check_codes_and_labels(codes, groups, name="groups")
    max_per_group = check_integer(max_per_group, "max_per_group", minimum=1)
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
