"""Optimal-transport distances between groups of codes: known answers and bad input."""

import numpy as np
import pytest
import torch

from latentbio.metrics.transport import group_transport_distance, sample_wasserstein


def test_identical_samples_are_zero_apart():
    codes = np.random.default_rng(0).normal(size=(50, 3))
    assert sample_wasserstein(codes, codes.copy()) == pytest.approx(0.0, abs=1e-10)


def test_one_dimensional_answer_by_hand():
    # in 1-D the optimal plan matches sorted points: (0 -> 3, 1 -> 5), cost (9 + 16) / 2
    assert sample_wasserstein(np.array([[1.0], [0.0]]), np.array([[3.0], [5.0]])) == pytest.approx(12.5)


def test_a_translation_costs_the_squared_shift():
    codes = np.random.default_rng(1).normal(size=(40, 4))
    shift = np.array([1.0, -2.0, 0.5, 0.0])
    assert sample_wasserstein(codes, codes + shift) == pytest.approx(float(shift @ shift), rel=1e-8)


def test_unequal_sample_sizes():
    # two points at 0 against one point at 2: all mass moves a distance 2
    assert sample_wasserstein(np.zeros((2, 1)), np.full((1, 1), 2.0)) == pytest.approx(4.0)


def test_gradients_flow_through_torch_codes():
    a = torch.zeros(5, 2, requires_grad=True)
    b = torch.ones(5, 2)
    distance = sample_wasserstein(a, b)
    assert torch.is_tensor(distance) and float(distance.detach()) == pytest.approx(2.0)
    distance.backward()
    # d/da of mean ||a_i - b_i||^2 over the identity plan is 2 (a - b) / n
    assert torch.allclose(a.grad, torch.full((5, 2), -2.0 / 5))


def test_group_distance_small_for_mixed_groups_large_for_separated_ones():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(400, 2))
    mixed = rng.integers(2, size=400)
    separated = np.where(np.arange(400) < 200, "a", "b")
    codes_apart = codes + np.where(separated == "a", 0.0, 6.0)[:, None]
    assert group_transport_distance(codes, mixed) < 0.15  # finite-sample noise only
    assert group_transport_distance(codes_apart, separated) > 0.5


def test_standardised_distance_ignores_the_scale_of_the_space():
    rng = np.random.default_rng(2)
    codes = rng.normal(size=(300, 3))
    groups = rng.integers(3, size=300)
    codes[groups == 1] += 1.0
    assert group_transport_distance(10 * codes, groups) == pytest.approx(group_transport_distance(codes, groups))
    assert group_transport_distance(10 * codes, groups, standardise=False) == pytest.approx(
        100 * group_transport_distance(codes, groups, standardise=False))


def test_subsampling_is_seeded():
    rng = np.random.default_rng(3)
    codes, groups = rng.normal(size=(600, 2)), rng.integers(2, size=600)
    first = group_transport_distance(codes, groups, max_per_group=100, seed=5)
    assert first == group_transport_distance(codes, groups, max_per_group=100, seed=5)


@pytest.mark.parametrize("codes, groups, message", [
    (np.zeros((4, 2)), np.array([0, 0, 0, 0]), "at least 2 distinct groups"),
    (np.zeros((4, 2)), np.array([0, 1, 0]), "3 labels for 4 samples; give one label per sample"),
    (np.array([[0.0, np.nan], [1, 1], [2, 2], [3, 3]]), np.array([0, 1, 0, 1]), "NaN"),
    (np.ones((4, 2)), np.array([0, 1, 0, 1]), "identical"),
])
def test_bad_group_input_raises(codes, groups, message):
    with pytest.raises(ValueError, match=message):
        group_transport_distance(codes, groups)


def test_bad_sample_input_raises():
    with pytest.raises(ValueError, match="same number of dimensions"):
        sample_wasserstein(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="codes_a is empty"):
        sample_wasserstein(np.zeros((0, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="codes_b contains NaN"):
        sample_wasserstein(np.zeros((3, 2)), torch.full((3, 2), float("nan")))
