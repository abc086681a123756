"""The count likelihoods agree with scipy's negative binomial and a hand-built zero-inflated mixture."""

import numpy as np
import pytest
import torch
from scipy import special, stats

from latentbio.likelihoods import (
    negative_binomial_log_prob,
    negative_binomial_log_prob_per_gene,
    zero_inflated_negative_binomial_log_prob,
    zero_inflated_negative_binomial_log_prob_per_gene,
)


def scipy_nb(x, mean, theta):
    return stats.nbinom.logpmf(x, n=theta, p=theta / (theta + mean))


def hand_zinb(x, mean, theta, logits):
    pi = 1.0 / (1.0 + np.exp(-logits))
    nb = np.exp(scipy_nb(x, mean, theta))
    return np.log(np.where(x == 0, pi + (1 - pi) * nb, (1 - pi) * nb))


CASES = [  # (counts, means, inverse dispersions): ordinary, zeros, large counts, tiny means
    (np.array([[0, 1, 5, 20]]), np.array([[0.5, 2.0, 4.0, 18.0]]), np.array([1.0, 0.3, 10.0, 2.0])),
    (np.array([[0, 0, 0, 0]]), np.array([[1e-3, 0.1, 50.0, 3.0]]), np.array([0.5, 5.0, 2.0, 100.0])),
    (np.array([[5000, 12000, 300, 1]]), np.array([[4000.0, 15000.0, 250.0, 1.0]]), np.array([3.0, 50.0, 0.7, 1e3])),
    (np.array([[0, 1, 0, 2]]), np.array([[1e-3, 1e-3, 1e-2, 1e-2]]), np.array([1.0, 1.0, 0.1, 10.0])),
]


@pytest.mark.parametrize("counts, means, thetas", CASES)
def test_negative_binomial_matches_scipy(counts, means, thetas):
    expected = scipy_nb(counts, means, thetas)
    per_gene = negative_binomial_log_prob_per_gene(torch.tensor(counts, dtype=torch.float64),
                                                   torch.tensor(means), torch.tensor(thetas))
    np.testing.assert_allclose(per_gene.numpy(), expected, rtol=1e-5, atol=1e-4)
    summed = negative_binomial_log_prob(torch.tensor(counts, dtype=torch.float64), torch.tensor(means),
                                        torch.tensor(thetas))
    assert summed.shape == (1,)
    np.testing.assert_allclose(summed.numpy(), expected.sum(-1), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("counts, means, thetas", CASES)
@pytest.mark.parametrize("logit", [-8.0, -1.0, 0.0, 2.5, 15.0])
def test_zero_inflated_matches_mixture(counts, means, thetas, logit):
    logits = np.full(means.shape, logit)
    expected = hand_zinb(counts, means, thetas, logits)
    per_gene = zero_inflated_negative_binomial_log_prob_per_gene(
        torch.tensor(counts, dtype=torch.float64), torch.tensor(means), torch.tensor(thetas), torch.tensor(logits))
    np.testing.assert_allclose(per_gene.numpy(), expected, rtol=1e-5, atol=1e-4)
    summed = zero_inflated_negative_binomial_log_prob(
        torch.tensor(counts, dtype=torch.float64), torch.tensor(means), torch.tensor(thetas), torch.tensor(logits))
    np.testing.assert_allclose(summed.numpy(), expected.sum(-1), rtol=1e-5, atol=1e-4)


def test_zinb_with_very_negative_logits_is_the_negative_binomial():
    x, mean, theta = torch.tensor([[0.0, 3.0, 7.0]]), torch.tensor([[1.0, 2.0, 9.0]]), torch.tensor([2.0, 2.0, 2.0])
    zinb = zero_inflated_negative_binomial_log_prob(x, mean, theta, torch.full((1, 3), -40.0))
    torch.testing.assert_close(zinb, negative_binomial_log_prob(x, mean, theta))


def test_large_counts_and_extreme_logits_stay_finite_in_float32_and_have_gradients():
    x = torch.tensor([[0.0, 1.0, 10_000.0, 0.0]])
    mean = torch.tensor([[1e-6, 1e-6, 9_000.0, 1e4]], requires_grad=True)
    theta = torch.tensor([1e-3, 1e4, 0.5, 1.0], requires_grad=True)
    logits = torch.tensor([[-50.0, 50.0, 30.0, -30.0]], requires_grad=True)
    value = zero_inflated_negative_binomial_log_prob(x, mean, theta, logits)
    assert torch.isfinite(value).all()
    value.sum().backward()
    for tensor in (mean, theta, logits):
        assert torch.isfinite(tensor.grad).all()
    # the mixture written in log space: log pi = log_expit(l), log(1 - pi) = log_expit(-l)
    x64, mean64, theta64, logits64 = (t.detach().numpy().astype(float) for t in (x, mean, theta, logits))
    log_nb = scipy_nb(x64, mean64, theta64)
    expected = np.where(x64 == 0, np.logaddexp(special.log_expit(logits64), special.log_expit(-logits64) + log_nb),
                        special.log_expit(-logits64) + log_nb)
    np.testing.assert_allclose(value.detach().numpy(), expected.sum(-1), rtol=1e-4)


def test_probabilities_sum_to_one_over_counts():
    counts = torch.arange(0, 400, dtype=torch.float64)[:, None]
    mean, theta = torch.tensor([[6.0]], dtype=torch.float64), torch.tensor([0.8], dtype=torch.float64)
    nb_total = negative_binomial_log_prob(counts, mean, theta).exp().sum()
    zinb_total = zero_inflated_negative_binomial_log_prob(counts, mean, theta, torch.tensor([[0.3]])).exp().sum()
    assert abs(float(nb_total) - 1.0) < 1e-6
    assert abs(float(zinb_total) - 1.0) < 1e-6


def test_broadcasts_one_inverse_dispersion_per_gene_over_a_batch():
    x = torch.poisson(torch.full((5, 3), 4.0, dtype=torch.float64), generator=torch.Generator().manual_seed(0))
    mean = torch.full((5, 3), 4.0, dtype=torch.float64)
    theta = torch.tensor([0.5, 2.0, 20.0], dtype=torch.float64)
    out = negative_binomial_log_prob_per_gene(x, mean, theta)
    assert out.shape == (5, 3)
    np.testing.assert_allclose(out.numpy(), scipy_nb(x.numpy(), mean.numpy(), theta.numpy()), rtol=1e-6)
