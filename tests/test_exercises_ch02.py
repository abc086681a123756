"""The checks of chapter 2's exercises catch the usual mistakes, each with its own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from latentbio.exercises import ExerciseFailed
from latentbio.exercises.ch02 import check_bayes_classifier, check_elbo_terms, check_sample_from_prior


def kl(mean, log_var):
    return 0.5 * (log_var.exp() + mean.pow(2) - 1.0 - log_var).sum(dim=-1)


def bce(x, logits):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none")


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, logits, mean, log_var: (bce(x, logits).mean(dim=-1), kl(mean, log_var)), "averaged over pixels"),
    (lambda x, logits, mean, log_var: (-bce(x, logits).sum(dim=-1), kl(mean, log_var)), "wrong sign"),
    (lambda x, logits, mean, log_var: (bce(x, logits).sum(), kl(mean, log_var).sum()), "one value per image"),
    (lambda x, logits, mean, log_var: (F.binary_cross_entropy(logits.clamp(0, 1), x, reduction="none").sum(-1),
                                       kl(mean, log_var)), "sigmoid"),
    (lambda x, logits, mean, log_var: (bce(x, logits).sum(dim=-1), kl(mean, 2 * log_var)), "KL term"),
    (lambda x, logits, mean, log_var: bce(x, logits).sum(dim=-1) + kl(mean, log_var), "tuple"),
])
def test_elbo_terms_check_names_the_mistake(wrong, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        check_elbo_terms(wrong)


def test_elbo_terms_check_accepts_numpy_results(capsys):
    check_elbo_terms(lambda x, logits, mean, log_var: (bce(x, logits).sum(dim=-1).numpy(), kl(mean, log_var).numpy()))
    assert "all checks passed" in capsys.readouterr().out


def seeded_codes(n_latent, n_samples, seed):
    return torch.randn(n_samples, n_latent, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("wrong, hint", [
    (lambda decode, n_latent, n, seed: decode(seeded_codes(n_latent, n, seed)), "sigmoid"),
    (lambda decode, n_latent, n, seed: torch.sigmoid(decode(torch.rand(n, n_latent, generator=torch.Generator().manual_seed(seed)))),
     "torch.randn"),
    (lambda decode, n_latent, n, seed: torch.sigmoid(decode(torch.randn(n, n_latent))), "same seed"),
    (lambda decode, n_latent, n, seed: torch.sigmoid(decode(seeded_codes(n_latent, n, 0))), "different seeds"),
    (lambda decode, n_latent, n, seed: torch.sigmoid(torch.cat([decode(z[None]) for z in seeded_codes(n_latent, n, seed)])),
     "decode once"),
])
def test_sample_from_prior_check_names_the_mistake(wrong, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        check_sample_from_prior(wrong)


def softmax_rows(a):
    with np.errstate(invalid="ignore"):  # the naive version divides 0 by 0 on purpose
        return np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)


@pytest.mark.parametrize("wrong, hint", [
    (lambda log_lik, prior: np.exp(log_lik) * prior, "sum to 1"),
    (lambda log_lik, prior: softmax_rows(np.asarray(log_lik)), "posterior is the prior"),
    (lambda log_lik, prior: softmax_rows(np.asarray(log_lik) + np.log(prior)), "underflows"),
    (lambda log_lik, prior: softmax_rows(np.asarray(log_lik) + prior), "posterior is the prior"),
    (lambda log_lik, prior: softmax_rows(np.asarray(log_lik) + np.log(prior))[0], "shape"),
])
def test_bayes_classifier_check_names_the_mistake(wrong, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        check_bayes_classifier(wrong)


def test_bayes_classifier_check_accepts_torch_softmax(capsys):
    check_bayes_classifier(lambda log_lik, prior: torch.softmax(torch.as_tensor(log_lik) + torch.log(torch.as_tensor(prior)), dim=1))
    assert "all checks passed" in capsys.readouterr().out
