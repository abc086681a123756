"""The group-mixing score is about 1 for randomly assigned groups and about 0 for separated ones."""

import numpy as np
import pytest

from latentbio.metrics.mixing import knn_group_entropy


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
