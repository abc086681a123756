"""The exact likelihood of grey levels: the binomial, its independent-pixel model, the VAE's
importance-weighted bound and the generative classifier built on it, on known answers."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import binom

import latentbio
from latentbio.likelihoods import binomial_log_prob
from latentbio.models import VAE, GenerativeClassifier, IndependentBinomial
from latentbio.models.vae import log_importance_weights

LEVELS = 16


def grey_levels(shape, seed=0):
    return np.random.default_rng(seed).integers(0, LEVELS + 1, size=shape) / LEVELS


def test_binomial_log_prob_matches_scipy():
    x = torch.as_tensor(grey_levels((5, 7)), dtype=torch.float64)
    logits = torch.randn(5, 7, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    expected = binom.logpmf(np.round(x.numpy() * LEVELS), LEVELS, torch.sigmoid(logits).numpy()).sum(axis=1)
    np.testing.assert_allclose(binomial_log_prob(x, logits, LEVELS).numpy(), expected, rtol=1e-10)


def test_binomial_probabilities_of_all_levels_sum_to_one():
    levels = torch.arange(LEVELS + 1, dtype=torch.float64)[:, None] / LEVELS
    for logit in (-3.0, 0.0, 1.7):
        log_p = binomial_log_prob(levels, torch.full_like(levels, logit), LEVELS)
        assert torch.logsumexp(log_p, dim=0).item() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("x, total_count, message", [
    (torch.tensor([[0.3]]), 16, "grey levels"), (torch.tensor([[1.5]]), 16, "grey levels"),
    (torch.tensor([[0.5]]), 0, "total_count")])
def test_binomial_log_prob_refuses_values_that_are_not_levels(x, total_count, message):
    with pytest.raises(ValueError, match=message):
        binomial_log_prob(x, torch.zeros_like(x), total_count)


def test_independent_binomial_is_the_smoothed_maximum_likelihood_fit():
    x = grey_levels((40, 6), seed=2)
    model = IndependentBinomial(LEVELS)
    history = model.fit(x)
    expected_p = (x.sum(0) * LEVELS + 1) / (LEVELS * len(x) + 2)
    np.testing.assert_allclose(model.pixel_probabilities, expected_p, rtol=1e-6)
    expected_nll = -binom.logpmf(np.round(x * LEVELS), LEVELS, expected_p).sum(axis=1)
    np.testing.assert_allclose(model.negative_log_likelihood(x), expected_nll, rtol=1e-6)
    assert history.train["loss"][0] == pytest.approx(expected_nll.mean(), rel=1e-6)
    with pytest.raises(ValueError, match="no labels"):
        model.fit(x, np.zeros(40))


def test_independent_binomial_on_digits_reproduces_the_reference_baseline():
    digits = latentbio.data.load_digits()
    nll = IndependentBinomial(LEVELS)
    nll.fit(digits.x_train)
    assert nll.negative_log_likelihood(digits.x_test).mean() == pytest.approx(254.0, abs=0.5)


def test_binomial_vae_needs_and_checks_its_levels():
    with pytest.raises(ValueError, match="total_count"):
        VAE(6, 2, (4,), likelihood="binomial")
    with pytest.raises(ValueError, match="total_count"):
        VAE(6, 2, (4,), total_count=16)
    vae = VAE(6, 2, (4,), likelihood="binomial", total_count=LEVELS)
    with pytest.raises(ValueError, match="grey levels"):
        vae.fit(np.full((8, 6), 0.3), epochs=1)


def test_importance_weighted_bound_is_exact_when_the_posterior_is_the_prior():
    # encoder = prior and a decoder that ignores z: every importance weight equals p(x)
    latentbio.seed_everything(0)
    vae = VAE(6, 2, (4,), likelihood="binomial", total_count=LEVELS)
    with torch.no_grad():
        for parameter in vae.module.parameters():
            parameter.zero_()
    x = grey_levels((10, 6), seed=3)
    exact = binom.logpmf(np.round(x * LEVELS), LEVELS, 0.5).sum(axis=1)
    for k in (1, 7, 250):
        np.testing.assert_allclose(vae.importance_weighted_bound(x, n_samples=k, samples_per_pass=100), exact,
                                   rtol=1e-5)


def test_importance_weighted_bound_rises_with_samples_and_bounds_the_elbo():
    latentbio.seed_everything(0)
    x = grey_levels((64, 6), seed=4)
    vae = VAE(6, 2, (16,), likelihood="binomial", total_count=LEVELS)
    vae.fit(x, epochs=20, batch_size=16)
    bounds = [vae.importance_weighted_bound(x, n_samples=k).mean() for k in (1, 10, 100)]
    assert bounds[0] < bounds[1] < bounds[2]
    elbo = -vae.negative_elbo(x, n_samples=200).mean()
    assert abs(bounds[0] - elbo) < 1.0  # one sample per image estimates the ELBO
    assert bounds[2] > elbo
    np.testing.assert_array_equal(vae.importance_weighted_bound(x, n_samples=5, seed=1),
                                  vae.importance_weighted_bound(x, n_samples=5, seed=1))


def test_generative_classifier_uses_the_bound_of_each_class():
    latentbio.seed_everything(0)
    rng = np.random.default_rng(5)
    labels = np.arange(40) % 2
    x = np.where(labels[:, None] == 0, np.r_[np.ones(3), np.zeros(3)], np.r_[np.zeros(3), np.ones(3)])
    x = np.clip(x * LEVELS + rng.integers(-2, 3, size=x.shape), 0, LEVELS) / LEVELS
    classifier = GenerativeClassifier(VAE(6, 2, (16,), likelihood="binomial", total_count=LEVELS, n_classes=2),
                                      n_samples=20)
    classifier.fit(x, labels, epochs=40, batch_size=8)
    assert classifier.score(x, labels) == 1.0
    bounds = classifier.class_log_likelihoods(x[:3])
    np.testing.assert_allclose(bounds[:, 0], classifier.vae.importance_weighted_bound(x[:3], [0] * 3, n_samples=20))
    assert math.isclose(np.exp(classifier.class_log_prior).sum(), 1.0)


def test_log_importance_weights_average_to_the_elbo_and_have_one_row_per_code():
    latentbio.seed_everything(0)
    x = grey_levels((32, 6), seed=6)
    vae = VAE(6, 2, (16,), likelihood="binomial", total_count=LEVELS, n_classes=2)
    vae.fit(x, np.arange(32) % 2, epochs=5, batch_size=8)
    inputs = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(np.arange(32) % 2)
    torch.manual_seed(0)
    with torch.no_grad():
        weights = log_importance_weights(vae.module, *inputs, n_samples=400)
    assert weights.shape == (400, 32)
    elbo = -vae.negative_elbo(x, np.arange(32) % 2, n_samples=400)
    np.testing.assert_allclose(weights.mean(dim=0).numpy(), elbo, atol=0.5)


def test_a_conditional_vae_with_zero_weights_scores_every_class_alike():
    # the known answer of exercise 2.5: q(z | x, y) is the prior and the decoder ignores z and y,
    # so the ELBO equals the bound and both equal log p(x) under every label
    vae = VAE(6, 2, (4,), likelihood="binomial", total_count=LEVELS, n_classes=3)
    with torch.no_grad():
        for parameter in vae.module.parameters():
            parameter.zero_()
    x = grey_levels((5, 6), seed=7)
    exact = binom.logpmf(np.round(x * LEVELS), LEVELS, 0.5).sum(axis=1)
    for label in range(3):
        np.testing.assert_allclose(-vae.negative_elbo(x, [label] * 5, n_samples=3), exact, rtol=1e-5)
        np.testing.assert_allclose(vae.importance_weighted_bound(x, [label] * 5, n_samples=30), exact, rtol=1e-5)
