"""Core helpers: seeding, the device, progress bars, likelihoods and the Gaussian latent variable."""

import math
import random

import numpy as np
import pytest
import torch

import latentbio
from latentbio.distributions import kl_standard_normal, reparameterize
from latentbio.likelihoods import bernoulli_log_prob, gaussian_log_prob, observation_log_prob, observation_mean
from latentbio.progress import progress_enabled


def test_seed_everything_reproduces_every_generator():
    def draws():
        return random.random(), np.random.rand(), torch.rand(1).item()

    latentbio.seed_everything(3)
    first = draws()
    latentbio.seed_everything(3)
    assert draws() == first
    latentbio.seed_everything(4)
    assert draws() != first
    for bad in (-1, 1.5, "0"):
        with pytest.raises(ValueError, match="non-negative integer"):
            latentbio.seed_everything(bad)


def test_get_device():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert latentbio.get_device().type == expected
    assert latentbio.get_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="prefer"):
        latentbio.get_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            latentbio.get_device("cuda")


@pytest.mark.parametrize("setting, expected", [("0", False), ("1", True), (" 1 ", True)])
def test_progress_setting_decides_outright(monkeypatch, setting, expected):
    monkeypatch.setenv("LATENTBIO_PROGRESS", setting)
    assert progress_enabled() is expected


def test_progress_without_setting_follows_the_terminal(monkeypatch):
    monkeypatch.delenv("LATENTBIO_PROGRESS", raising=False)
    monkeypatch.delitem(__import__("sys").modules, "ipykernel", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert progress_enabled() is False
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert progress_enabled() is True


def test_progress_rejects_other_settings(monkeypatch):
    monkeypatch.setenv("LATENTBIO_PROGRESS", "yes")
    with pytest.raises(ValueError, match="LATENTBIO_PROGRESS"):
        progress_enabled()


def test_bernoulli_log_prob_matches_torch_distributions():
    generator = torch.Generator().manual_seed(0)
    x = (torch.rand(5, 7, generator=generator) < 0.5).float()
    logits = torch.randn(5, 7, generator=generator)
    expected = torch.distributions.Bernoulli(logits=logits).log_prob(x).sum(-1)
    torch.testing.assert_close(bernoulli_log_prob(x, logits), expected)
    torch.testing.assert_close(observation_log_prob("bernoulli", x, logits), expected)
    torch.testing.assert_close(observation_mean("bernoulli", logits), torch.sigmoid(logits))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bernoulli_log_prob(x + 1, logits)


def test_gaussian_log_prob_matches_torch_distributions():
    generator = torch.Generator().manual_seed(1)
    x, mean, log_var = (torch.randn(4, 6, generator=generator) for _ in range(3))
    expected = torch.distributions.Normal(mean, torch.exp(0.5 * log_var)).log_prob(x).sum(-1)
    torch.testing.assert_close(gaussian_log_prob(x, mean, log_var), expected)
    unit = torch.distributions.Normal(mean, 1.0).log_prob(x).sum(-1)
    torch.testing.assert_close(gaussian_log_prob(x, mean), unit)
    torch.testing.assert_close(observation_log_prob("gaussian", x, mean), unit)
    torch.testing.assert_close(observation_mean("gaussian", mean), mean)


def test_kl_standard_normal_matches_torch_distributions():
    generator = torch.Generator().manual_seed(2)
    mean, log_var = torch.randn(8, 3, generator=generator), torch.randn(8, 3, generator=generator)
    posterior = torch.distributions.Normal(mean, torch.exp(0.5 * log_var))
    prior = torch.distributions.Normal(torch.zeros(8, 3), torch.ones(8, 3))
    expected = torch.distributions.kl_divergence(posterior, prior).sum(-1)
    torch.testing.assert_close(kl_standard_normal(mean, log_var), expected)
    torch.testing.assert_close(kl_standard_normal(torch.zeros(2, 3), torch.zeros(2, 3)), torch.zeros(2))


def test_reparameterize_samples_the_right_gaussian_and_passes_gradients():
    torch.manual_seed(0)
    mean = torch.full((100_000, 2), 1.5, requires_grad=True)
    log_var = torch.full((100_000, 2), math.log(4.0), requires_grad=True)
    z = reparameterize(mean, log_var)
    assert z.shape == mean.shape
    assert abs(z.mean().item() - 1.5) < 0.02 and abs(z.std().item() - 2.0) < 0.02
    z.sum().backward()
    torch.testing.assert_close(mean.grad, torch.ones_like(mean))
    # dz/dlog_var = 0.5 * std * eps = 0.5 * (z - mean)
    torch.testing.assert_close(log_var.grad, 0.5 * (z - mean).detach())
