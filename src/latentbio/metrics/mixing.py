"""How well groups (batches, regions, conditions) are mixed in a representation.

A shared latent space should hold cells of every group side by side: a cell's neighbours
should come from all groups in their overall proportions. The score is 1 for perfect
mixing and near 0 when groups sit apart.
"""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..checks import check_codes_and_labels, check_integer


def knn_group_entropy(codes, groups, *, n_neighbors: int = 30) -> float:
    """Mean entropy of the group labels among each cell's ``n_neighbors`` nearest neighbours,
    divided by the entropy of the overall group proportions (Haghverdi et al. 2018's
    entropy of batch mixing, Methods, normalised); a float in [0, 1]. ``groups``: one label
    per cell (integers, strings or categories), at least two groups.

    1 when every neighbourhood has the overall group mix, 0 when neighbourhoods hold one
    group. With few neighbours the plug-in entropy is a little below 1 even for random
    groups (bias about (n_groups - 1) / (2 n_neighbors) nats).
    """
    codes, group_codes = check_codes_and_labels(codes, groups, name="groups")
    n_neighbors = check_integer(n_neighbors, "n_neighbors", minimum=1, maximum=len(codes) - 1)
    n_groups = group_codes.max() + 1
    neighbours = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(codes).kneighbors(codes, return_distance=False)
    neighbour_groups = group_codes[neighbours[:, 1:]]  # the first neighbour is the cell itself
    frequencies = np.stack([(neighbour_groups == g).mean(axis=1) for g in range(n_groups)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        local_entropy = -np.where(frequencies > 0, frequencies * np.log(frequencies), 0.0).sum(axis=1)
    overall = np.bincount(group_codes) / len(group_codes)
    return float(local_entropy.mean() / -(overall * np.log(overall)).sum())
