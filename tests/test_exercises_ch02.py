"""The checks of chapter 2's exercises catch the usual mistakes, each with its own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from latentbio.exercises import ExerciseFailed
from latentbio.exercises.ch02 import (check_bayes_classifier, check_elbo_terms, check_elbo_versus_bound,
                                      check_importance_weighted_bounds, check_learning_curve, check_sample_from_prior)


def kl(mean, log_var):
    return 0.5 * (log_var.exp() + mean.pow(2) - 1.0 - log_var).sum(dim=-1)


def bce(x, logits):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none")


def binomial_nll(x, logits):
    return -torch.distributions.Binomial(16, logits=logits).log_prob(torch.round(16 * x))


def without_coefficient(x, logits):
    counts = torch.round(16 * x)
    return -(counts * F.logsigmoid(logits) + (16 - counts) * F.logsigmoid(-logits))


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, logits, mean, log_var: (binomial_nll(x, logits).mean(dim=-1), kl(mean, log_var)), "averaged over pixels"),
    (lambda x, logits, mean, log_var: (-binomial_nll(x, logits).sum(dim=-1), kl(mean, log_var)), "wrong sign"),
    (lambda x, logits, mean, log_var: (binomial_nll(x, logits).sum(), kl(mean, log_var).sum()), "one value per image"),
    (lambda x, logits, mean, log_var: (bce(x, logits).sum(dim=-1), kl(mean, log_var)), "Bernoulli cross-entropy"),
    (lambda x, logits, mean, log_var: (without_coefficient(x, logits).sum(dim=-1), kl(mean, log_var)),
     "binomial coefficient"),
    (lambda x, logits, mean, log_var: (binomial_nll(x, logits).sum(dim=-1), kl(mean, 2 * log_var)), "KL term"),
    (lambda x, logits, mean, log_var: binomial_nll(x, logits).sum(dim=-1) + kl(mean, log_var), "tuple"),
])
def test_elbo_terms_check_names_the_mistake(wrong, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        check_elbo_terms(wrong)


def test_elbo_terms_check_accepts_numpy_results(capsys):
    check_elbo_terms(lambda x, logits, mean, log_var: (binomial_nll(x, logits).sum(dim=-1).numpy(),
                                                       kl(mean, log_var).numpy()))
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


def bounds_without_log_k(vae, x, ks, seed):
    torch.manual_seed(seed)
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    with torch.no_grad():
        mean, log_var = vae.module.encode(x)
        posterior = torch.distributions.Normal(mean, torch.exp(0.5 * log_var))
        prior = torch.distributions.Normal(torch.zeros_like(mean), torch.ones_like(mean))
        bounds = {}
        for k in ks:
            z = posterior.sample((k,))
            log_likelihood = torch.stack([vae.module.log_likelihood(x, vae.module.decode(code)) for code in z])
            log_weights = log_likelihood + (prior.log_prob(z) - posterior.log_prob(z)).sum(dim=-1)
            bounds[k] = float(torch.logsumexp(log_weights, dim=0).mean())  # the mistake: no - log k
    return bounds


def test_importance_weighted_bounds_check_names_the_missing_log_k():
    with pytest.raises(ExerciseFailed, match="log k"):
        check_importance_weighted_bounds(bounds_without_log_k, None, None)


def accuracies_without_the_prior(classifier, x, y):
    labels = np.arange(classifier.n_classes)
    elbos = np.stack([-classifier.vae.negative_elbo(x, np.full(len(x), c), n_samples=100) for c in labels], axis=1)
    choice = elbos.argmax(axis=1)  # the mistake: Bayes' rule without log P(y)
    return {"elbo": float(np.mean(choice == y)), "bound": float(np.mean(choice == y)), "changed": 0.0,
            "wrong_label_gap": 0.0, "true_label_gap": 0.0}


@pytest.mark.parametrize("wrong, hint", [
    (accuracies_without_the_prior, "class_log_prior"),
    (lambda classifier, x, y: {"elbo": 0.5, "bound": 0.5}, "keys"),
])
def test_elbo_versus_bound_check_names_the_mistake(wrong, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        check_elbo_versus_bound(wrong, None, None, None)


def curve_of(draw, *, columns=("images per digit", "seed", "classifier", "accuracy"), score=np.mean):
    import pandas as pd

    def learning_curve(x, y, train_and_score, per_digit, seeds):
        rows_out = []
        for size in per_digit:
            for seed in seeds:
                rows = np.arange(len(y)) if size == "all" else draw(y, size, seed)
                for name, verdicts in train_and_score(x[rows], y[rows], seed).items():
                    rows_out.append(dict(zip(columns, (size, seed, name, float(score(verdicts))))))
        return pd.DataFrame(rows_out)
    return learning_curve


def chapter_draw(y, size, seed):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == d), size, replace=False) for d in range(10)])


def test_learning_curve_check_accepts_the_chapter_draw(capsys):
    check_learning_curve(curve_of(chapter_draw))
    assert "all checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (curve_of(lambda y, size, seed: np.random.default_rng(seed).choice(len(y), 10 * size, replace=False)),
     "of each digit"),
    (curve_of(lambda y, size, seed: np.concatenate([np.random.default_rng(seed).choice(np.flatnonzero(y == d), size)
                                                    for d in range(10)])), "replace=False|chapter's"),
    (curve_of(lambda y, size, seed: np.concatenate([np.random.default_rng(seed + d).choice(
        np.flatnonzero(y == d), size, replace=False) for d in range(10)])), "chapter's"),
    (curve_of(chapter_draw, columns=("size", "seed", "classifier", "accuracy")), "columns"),
    (curve_of(chapter_draw, score=np.sum), "fraction right"),
])
def test_learning_curve_check_names_the_mistake(wrong, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        check_learning_curve(wrong)
