"""MIG on representations whose answer is known (after disentanglement_lib's mig_test.py)."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from latentbio.metrics import (anchor_codes, code_information, discretize, factor_entropies,
                               mutual_information_gap, mutual_information_matrix)
from latentbio.plotting import plot_information_matrix

CARDINALITIES = (3, 6, 10, 4)


@pytest.fixture(scope="module")
def factors():
    rng = np.random.default_rng(0)
    return np.stack([rng.integers(0, n, size=5000) for n in CARDINALITIES], axis=1)


def noisy(values, scale, seed=1):
    return values + scale * np.random.default_rng(seed).normal(size=values.shape)


def test_factors_themselves_score_close_to_one(factors):
    assert 0.9 <= mutual_information_gap(noisy(factors, 0.05), factors) <= 1.0


def test_random_codes_score_near_zero(factors):
    codes = np.random.default_rng(2).normal(size=(len(factors), 10))
    assert 0.0 <= mutual_information_gap(codes, factors) < 0.02


def test_duplicated_and_constant_codes_score_zero(factors):
    codes = noisy(factors, 0.05)
    assert mutual_information_gap(np.hstack([codes, codes]), factors) == pytest.approx(0.0, abs=1e-12)
    assert mutual_information_gap(np.zeros((len(factors), 4)), factors) == pytest.approx(0.0, abs=1e-12)


def test_mixing_the_factors_lowers_the_score(factors):
    standardised = (factors - factors.mean(0)) / factors.std(0)
    rotation = ortho_group.rvs(len(CARDINALITIES), random_state=0)
    identity = mutual_information_gap(noisy(standardised, 0.05), factors)
    rotated = mutual_information_gap(noisy(standardised @ rotation, 0.05), factors)
    assert rotated < identity - 0.3


def test_information_matrix_puts_each_factor_on_its_own_code(factors):
    information = mutual_information_matrix(noisy(factors, 0.05), factors)
    assert information.shape == (len(CARDINALITIES), len(CARDINALITIES))
    entropies = [-(np.bincount(f) / len(f) * np.log(np.bincount(f) / len(f))).sum() for f in factors.T]
    np.testing.assert_allclose(np.diag(information), entropies, rtol=1e-9)
    assert np.all(information[~np.eye(len(CARDINALITIES), dtype=bool)] < 0.02)


def test_too_few_bins_cap_a_perfect_code_below_one():
    # the binning lesson: 20 bins cannot separate the 40 values of a factor
    rng = np.random.default_rng(3)
    factors = np.stack([rng.integers(0, 40, size=5000), rng.integers(0, 3, size=5000)], axis=1)
    codes = factors.astype(float)
    too_few = mutual_information_gap(codes, factors, n_bins=20)
    enough = mutual_information_gap(codes, factors, n_bins=40)
    assert enough > 0.99  # short of 1 only by the estimator's small positive bias on the other factor
    assert too_few < enough - 0.05


def test_discretize_uses_equal_width_bins():
    codes = np.array([[0.0, 5.0], [0.49, 5.0], [0.51, 5.0], [1.0, 5.0]])
    binned = discretize(codes, n_bins=2)
    np.testing.assert_array_equal(binned[:, 0], [0, 0, 1, 1])
    assert len(set(binned[:, 1])) == 1  # a constant code falls into one bin
    assert discretize(np.random.default_rng(0).normal(size=(100, 3)), n_bins=7).max() == 6


@pytest.mark.parametrize("codes, factors, message", [
    (np.zeros((10, 1)), np.zeros((10, 1), int), "at least 2 dimensions"),
    (np.zeros((10, 2)), np.zeros((9, 1), int), "one row per sample"),
    (np.zeros(10), np.zeros((10, 1), int), "2-D"),
    (np.full((10, 2), np.nan), np.arange(10)[:, None] % 2, "NaN"),
    (np.zeros((10, 2)), np.zeros((10, 1), int), "at least two values"),
])
def test_bad_input_raises(codes, factors, message):
    with pytest.raises(ValueError, match=message):
        mutual_information_gap(codes, factors)


def test_factor_entropies_are_log_cardinality_for_uniform_factors():
    factors = np.stack([np.arange(60) % 3, np.arange(60) % 5, np.zeros(60, int)], axis=1)
    np.testing.assert_allclose(factor_entropies(factors), [np.log(3), np.log(5), 0.0], atol=1e-12)


def test_plot_information_matrix_checks_its_input():
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_information_matrix(np.eye(3, 2), ["a", "b"], title="codes")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert len(ax.texts) == 6
    with pytest.raises(ValueError, match="n_factors=3"):
        plot_information_matrix(np.eye(3, 2), ["a", "b", "c"])


def test_anchor_codes_score_as_their_names_say(factors):
    anchors = anchor_codes(factors, n_rotations=5, seed=0)
    assert set(anchors) == {"true factors + noise", "rotated truth", "one factor missing", "random code"}
    assert len(anchors["rotated truth"]) == 5 and all(c.shape == factors.shape for c in anchors["rotated truth"])
    score = {name: np.mean([mutual_information_gap(code, factors) for code in codes]) for name, codes in anchors.items()}
    assert score["true factors + noise"] > 0.9
    assert score["one factor missing"] == pytest.approx(score["true factors + noise"] * 3 / 4, abs=0.03)
    assert score["rotated truth"] < score["true factors + noise"] - 0.3
    assert score["random code"] < 0.02
    np.testing.assert_array_equal(anchor_codes(factors, seed=0)["rotated truth"][0],
                                  anchor_codes(factors, seed=0)["rotated truth"][0])


def test_code_information_counts_a_factor_spread_over_dimensions(factors):
    anchors = anchor_codes(factors, n_rotations=1, seed=0)
    entropies = factor_entropies(factors)
    truth = code_information(anchors["true factors + noise"][0], factors)
    rotated = code_information(anchors["rotated truth"][0], factors)
    assert truth.shape == (factors.shape[1],)
    np.testing.assert_allclose(truth, entropies, atol=0.05)
    np.testing.assert_allclose(rotated, entropies, atol=0.1)  # mixed across dimensions, still all there
    assert np.abs(code_information(anchors["random code"][0], factors)).max() < 0.05
    missing = code_information(anchors["one factor missing"][0], factors)
    assert abs(missing[-1]) < 0.05 and np.all(missing[:-1] > entropies[:-1] - 0.05)
