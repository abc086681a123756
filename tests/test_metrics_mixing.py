"""The group-mixing score is about 1 for randomly assigned groups and about 0 for separated ones."""

import numpy as np
import pytest

from latentbio.metrics.mixing import cross_group_label_agreement, knn_group_entropy


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


def test_bad_inputs_raise():
    codes, groups = two_groups(separated=False)
    with pytest.raises(ValueError, match="n_neighbors must be between 1 and 299"):
        knn_group_entropy(codes, groups, n_neighbors=len(codes))
    with pytest.raises(TypeError, match="n_neighbors must be an integer"):
        knn_group_entropy(codes, groups, n_neighbors="30")
    with pytest.raises(ValueError, match="groups has 300 labels for 299 samples; give one label per sample"):
        knn_group_entropy(codes[:-1], groups)
    with pytest.raises(ValueError, match="non-integer numbers .* bin it first"):
        knn_group_entropy(codes, np.random.default_rng(0).uniform(size=len(codes)))


def test_unused_categories_do_not_count_as_groups():
    import pandas as pd

    codes, groups = two_groups(separated=False)
    padded = pd.Categorical(groups, categories=["g0", "g1", "never used"])
    assert knn_group_entropy(codes, padded) == pytest.approx(knn_group_entropy(codes, groups))



def test_cross_group_label_agreement_known_answers():
    rng = np.random.default_rng(0)
    types = np.tile(np.repeat(["a", "b"], 50), 2)
    groups = np.repeat(["g0", "g1"], 100)
    aligned = rng.normal(size=(200, 2)) + 10.0 * (types == "b")[:, None]
    assert cross_group_label_agreement(aligned, groups, types) == pytest.approx(1.0)
    # group g1's types swapped: every cell's cross-group neighbours have the other type
    swapped = aligned.copy()
    swapped[100:] = rng.normal(size=(100, 2)) + 10.0 * (types[100:] == "a")[:, None]
    assert cross_group_label_agreement(swapped, groups, types) == pytest.approx(0.0)
    assert cross_group_label_agreement(aligned, groups, types, only="a") == pytest.approx(1.0)


def test_cross_group_label_agreement_skips_labels_of_one_group():
    rng = np.random.default_rng(1)
    types = np.array(["b"] * 10 + ["a"] * 90)
    groups = np.repeat(["g0", "g1"], 50)  # "b" only in g0: its cells are not scored
    codes = rng.normal(size=(100, 2))
    value = cross_group_label_agreement(codes, groups, types)
    assert 0.0 <= value <= 1.0
    with pytest.raises(ValueError):
        cross_group_label_agreement(codes, groups, np.where(groups == "g0", "a", "b"))
