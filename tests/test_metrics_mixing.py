"""Group-mixing scores are about 1 for randomly assigned groups and about 0 for separated ones."""

import numpy as np
import pytest

from latentbio.metrics.mixing import group_silhouette_mixing, knn_group_entropy


def two_groups(separated: bool, n=300, seed=0):
    rng = np.random.default_rng(seed)
    codes = rng.normal(size=(n, 3))
    groups = np.repeat(["g0", "g1"], n // 2)
    if separated:
        codes[: n // 2, 0] += 20
    else:
        groups = rng.permutation(groups)
    return codes, groups


def test_knn_group_entropy_known_answers():
    assert knn_group_entropy(*two_groups(separated=True)) == pytest.approx(0.0, abs=1e-9)
    mixed = knn_group_entropy(*two_groups(separated=False))
    assert 0.9 < mixed <= 1.0
    # unequal group sizes: normalising by the overall proportions keeps random mixing near 1
    rng = np.random.default_rng(3)
    codes = rng.normal(size=(600, 2))
    groups = np.where(rng.random(600) < 0.2, "small", "large")
    assert knn_group_entropy(codes, groups, n_neighbors=50) > 0.9


def test_group_silhouette_mixing_known_answers():
    assert group_silhouette_mixing(*two_groups(separated=True)) < 0.2
    assert group_silhouette_mixing(*two_groups(separated=False)) > 0.9


def test_group_silhouette_mixing_within_labels_ignores_cell_type_differences():
    # two cell types far apart, groups randomly mixed within each type
    rng = np.random.default_rng(4)
    labels = np.repeat(["A", "B"], 200)
    codes = rng.normal(size=(400, 2)) + np.where(labels == "A", 0.0, 30.0)[:, None]
    groups = rng.permutation(np.tile(["g0", "g1"], 200))
    assert group_silhouette_mixing(codes, groups, labels) > 0.9
    with pytest.raises(ValueError, match="more than one group"):
        group_silhouette_mixing(codes, np.where(labels == "A", "g0", "g1"), labels)


def test_bad_inputs_raise():
    codes, groups = two_groups(separated=False)
    with pytest.raises(ValueError, match="n_neighbors"):
        knn_group_entropy(codes, groups, n_neighbors=len(codes))
    with pytest.raises(ValueError, match="one label per cell"):
        knn_group_entropy(codes[:-1], groups)
    with pytest.raises(ValueError, match="one entry per cell"):
        group_silhouette_mixing(codes, groups, labels=groups[:-1])
