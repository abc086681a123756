"""How well groups (batches, regions, conditions) are mixed in a representation.

A shared latent space should hold cells of every group side by side: a cell's neighbours
should come from all groups in their overall proportions. Both scores are 1 for perfect
mixing and near 0 when groups sit apart.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import silhouette_samples
from sklearn.neighbors import NearestNeighbors

from ..checks import check_codes_and_labels


def knn_group_entropy(codes, groups, *, n_neighbors: int = 30) -> float:
    """Mean entropy of the group labels among each cell's ``n_neighbors`` nearest neighbours,
    divided by the entropy of the overall group proportions (Haghverdi et al. 2018's
    entropy of batch mixing, normalised).

    1 when every neighbourhood has the overall group mix, 0 when neighbourhoods hold one
    group. With few neighbours the plug-in entropy is a little below 1 even for random
    groups (bias about (n_groups - 1) / (2 n_neighbors) nats).
    """
    codes, groups = check_codes_and_labels(codes, groups)
    if not 1 <= n_neighbors < len(codes):
        raise ValueError(f"n_neighbors must be between 1 and n_cells - 1 = {len(codes) - 1}, got {n_neighbors}")
    _, group_codes = np.unique(groups, return_inverse=True)
    n_groups = group_codes.max() + 1
    neighbours = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(codes).kneighbors(codes, return_distance=False)
    neighbour_groups = group_codes[neighbours[:, 1:]]  # the first neighbour is the cell itself
    frequencies = np.stack([(neighbour_groups == g).mean(axis=1) for g in range(n_groups)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        local_entropy = -np.where(frequencies > 0, frequencies * np.log(frequencies), 0.0).sum(axis=1)
    overall = np.bincount(group_codes) / len(group_codes)
    return float(local_entropy.mean() / -(overall * np.log(overall)).sum())


def group_silhouette_mixing(codes, groups, labels=None) -> float:
    """1 - |silhouette width of the groups|, averaged over cells (scIB's batch ASW, Luecken et al. 2022).

    Groups that are well separated give silhouettes near 1, hence a score near 0; mixed
    groups give silhouettes near 0, a score near 1. With ``labels`` (cell types) it is
    computed within each label and averaged over labels, so that real differences
    between cell types do not count against mixing; labels present in one group only are skipped.
    """
    codes, groups = check_codes_and_labels(codes, groups)
    if labels is None:
        return float(np.mean(1.0 - np.abs(silhouette_samples(codes, groups))))
    labels = np.asarray(labels)
    if labels.shape != groups.shape:
        raise ValueError(f"labels must have one entry per cell; got {labels.shape} for {groups.shape} groups")
    scores = []
    for label in np.unique(labels):
        inside = labels == label
        if len(np.unique(groups[inside])) > 1 and inside.sum() > len(np.unique(groups[inside])):
            scores.append(np.mean(1.0 - np.abs(silhouette_samples(codes[inside], groups[inside]))))
    if not scores:
        raise ValueError("no label has cells of more than one group; mixing is undefined")
    return float(np.mean(scores))
