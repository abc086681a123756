"""HSIC and dHSIC: zero for independent samples, positive for dependent ones, known answers."""

import numpy as np
import pytest
import torch

from latentbio.metrics.hsic import dhsic, dhsic_from_grams, latent_dhsic, median_bandwidth, rbf_gram


def _hsic_by_trace(k, l):
    """Gretton et al. (2005), Eq. 4: HSIC = trace(K H L H) / n^2 with centring matrix H."""
    n = len(k)
    h = torch.eye(n, dtype=k.dtype) - 1.0 / n
    return torch.trace(k @ h @ l @ h) / n**2


def test_two_variable_dhsic_equals_the_trace_formula_of_hsic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    y = x + rng.normal(size=60)
    k, l = rbf_gram(x), rbf_gram(y)
    assert float(dhsic_from_grams([k, l])) == pytest.approx(float(_hsic_by_trace(k, l)), rel=1e-10)


def test_near_zero_for_independent_and_clearly_positive_for_dependent_samples():
    rng = np.random.default_rng(1)
    independent = rng.normal(size=(400, 3))
    x = rng.normal(size=400)
    dependent = np.c_[x, x**2 + 0.1 * rng.normal(size=400), rng.normal(size=400)]
    low, high = float(latent_dhsic(independent)), float(latent_dhsic(dependent))
    assert low < 0.003
    assert high > 10 * low


def test_dependence_that_is_not_correlation_is_detected():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, size=300)
    y = x**2  # uncorrelated with x, yet fully dependent
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.1
    shuffled = rng.permutation(y)
    assert float(dhsic([x, y])) > 20 * float(dhsic([x, shuffled]))


def test_invariant_to_permuting_samples_jointly():
    rng = np.random.default_rng(3)
    codes = rng.normal(size=(100, 4))
    codes[:, 1] += codes[:, 0]
    order = rng.permutation(100)
    assert float(latent_dhsic(codes[order])) == pytest.approx(float(latent_dhsic(codes)), rel=1e-10)


def test_median_heuristic_makes_the_estimate_scale_invariant():
    rng = np.random.default_rng(4)
    codes = rng.normal(size=(80, 3))
    codes[:, 2] = np.sin(codes[:, 0])
    assert float(latent_dhsic(100 * codes)) == pytest.approx(float(latent_dhsic(codes)), rel=1e-8)


def test_median_bandwidth_known_answer():
    # pairwise squared distances of 0, 1, 3 are 1, 9, 4: median 4, so sigma = sqrt(4 / 2)
    assert float(median_bandwidth(np.array([0.0, 1.0, 3.0]))) == pytest.approx(np.sqrt(2.0))


def test_rbf_gram_known_answer():
    gram = rbf_gram(np.array([0.0, 1.0]), bandwidth=1.0)
    assert torch.allclose(gram, torch.tensor([[1.0, np.exp(-0.5)], [np.exp(-0.5), 1.0]], dtype=gram.dtype))


def test_three_variables_pairwise_independent_but_jointly_dependent():
    # z = x xor y: every pair is independent, the triple is not; dHSIC sees it, pairwise HSIC does not
    rng = np.random.default_rng(5)
    x, y = rng.integers(2, size=600), rng.integers(2, size=600)
    z = x ^ y
    variables = [v + 0.01 * rng.normal(size=600) for v in (x, y, z)]
    # a fixed bandwidth: for a binary variable the median distance is a coin flip between 0 and 1
    pairwise = max(float(dhsic([variables[i], variables[j]], bandwidths=[0.5, 0.5]))
                   for i, j in [(0, 1), (0, 2), (1, 2)])
    assert float(dhsic(variables, bandwidths=[0.5] * 3)) > 10 * pairwise


def test_gradients_flow_through_the_estimate():
    codes = torch.randn(50, 3, requires_grad=True)
    latent_dhsic(codes).backward()
    assert codes.grad is not None and torch.isfinite(codes.grad).all()


@pytest.mark.parametrize("bad, message", [
    ([np.zeros(5)], "at least two variables"),
    ([np.zeros(5), np.zeros(6)], "same samples"),
    ([np.array([0.0, np.nan, 1.0]), np.zeros(3)], "NaN"),
    ([np.zeros((2, 2, 2)), np.zeros(2)], "1-D"),
])
def test_bad_input_raises(bad, message):
    with pytest.raises(ValueError, match=message):
        dhsic(bad)


def test_latent_dhsic_needs_two_dimensions():
    with pytest.raises(ValueError, match="two dimensions"):
        latent_dhsic(np.zeros((10, 1)))


def test_latent_dhsic_is_dhsic_of_the_columns():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(90, 4))
    codes = np.c_[x[:, :3], x[:, 0] ** 2]
    assert float(latent_dhsic(codes)) == pytest.approx(float(dhsic(list(codes.T))), rel=1e-9)
    constant = np.zeros((12, 3))  # every bandwidth at its floor
    assert float(latent_dhsic(constant)) == pytest.approx(float(dhsic(list(constant.T))), abs=1e-12)
