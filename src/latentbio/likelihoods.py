"""Log-likelihoods of observed data under a decoder's output, summed over features.

Each function returns one log-probability per sample (shape ``(batch,)``); a VAE's
reconstruction loss is its negative.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from .checks import as_feature_matrix


def bernoulli_log_prob(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """log p(x) under independent Bernoulli(sigmoid(logits)) per feature.

    Also used, as is common for images, with grey levels x in [0, 1] (the
    "continuous Bernoulli" cross-entropy without its normaliser).
    """
    if x.min() < 0 or x.max() > 1:
        raise ValueError("Bernoulli likelihood expects data in [0, 1]")
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)


def gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor | float = 0.0) -> torch.Tensor:
    """log N(x; mean, exp(log_var)) per feature, summed over features.

    ``log_var`` may be a tensor (learned variances) or a number (a fixed variance;
    0 gives unit variance, so that -log p = 0.5 * squared error + constant).
    """
    log_var = torch.as_tensor(log_var, dtype=mean.dtype, device=mean.device)
    per_feature = -0.5 * (math.log(2 * math.pi) + log_var + (x - mean).pow(2) / log_var.exp())
    return per_feature.expand_as(mean).sum(dim=-1)


OBSERVATION_MODELS = ("bernoulli", "gaussian", "binomial")


def check_observation_model(likelihood: str) -> str:
    """Return ``likelihood`` if it names an observation model of this module, else raise."""
    if likelihood not in OBSERVATION_MODELS:
        raise ValueError(f"likelihood must be one of {OBSERVATION_MODELS}, got {likelihood!r}")
    return likelihood


def observation_log_prob(likelihood: str, x: torch.Tensor, decoded: torch.Tensor, *,
                         total_count: int | None = None) -> torch.Tensor:
    """log p(x | decoder output) for a ``"bernoulli"`` (decoded = logits), a unit-variance
    ``"gaussian"`` (decoded = mean) or a ``"binomial"`` observation model of grey levels with
    ``total_count`` steps (decoded = logits; :func:`binomial_log_prob`), one value per sample."""
    if likelihood == "bernoulli":
        return bernoulli_log_prob(x, decoded)
    if likelihood == "binomial":
        return binomial_log_prob(x, decoded, total_count)
    return gaussian_log_prob(x, decoded)


def observation_mean(likelihood: str, decoded: torch.Tensor) -> torch.Tensor:
    """The expected observation E[x | decoder output]: sigmoid(logits) (Bernoulli, and the
    binomial's expected grey level) or the mean (Gaussian)."""
    return decoded if likelihood == "gaussian" else torch.sigmoid(decoded)


# ---- count likelihoods for single-cell RNA-seq (Lopez et al. 2018, scVI, Methods) ----------------
#
# A negative binomial with mean mu and inverse dispersion theta (variance mu + mu^2 / theta) is a
# Poisson whose rate is Gamma-distributed; the zero-inflated version adds a point mass at zero.
# The ``..._per_gene`` functions return one value per entry, shape ``(batch, genes)``, e.g. for
# ranking genes by a likelihood ratio; the others sum over genes, shape ``(batch,)``.

_EPS = 1e-8  # keeps log(mu) finite when a decoder predicts a mean of exactly zero


def negative_binomial_log_prob_per_gene(x: torch.Tensor, mean: torch.Tensor,
                                        inverse_dispersion: torch.Tensor) -> torch.Tensor:
    """log NB(x; mean, theta) per entry, with theta = ``inverse_dispersion``.

    log NB = lgamma(x + theta) - lgamma(theta) - lgamma(x + 1)
             + theta * log(theta / (theta + mu)) + x * log(mu / (theta + mu)),
    the parameterisation of scVI (Lopez et al. 2018, Methods); it equals scipy's
    ``nbinom(n=theta, p=theta / (theta + mu))``. ``inverse_dispersion`` broadcasts
    against ``mean`` (one value per gene, shape ``(genes,)``, is usual).
    """
    theta = inverse_dispersion
    log_theta_mu = torch.log(theta + mean + _EPS)
    return (torch.lgamma(x + theta) - torch.lgamma(theta) - torch.lgamma(x + 1.0)
            + theta * (torch.log(theta + _EPS) - log_theta_mu)
            + x * (torch.log(mean + _EPS) - log_theta_mu))


def zero_inflated_negative_binomial_log_prob_per_gene(x: torch.Tensor, mean: torch.Tensor,
                                                      inverse_dispersion: torch.Tensor,
                                                      zero_logits: torch.Tensor) -> torch.Tensor:
    """log ZINB(x; mean, theta, pi) per entry, with pi = sigmoid(``zero_logits``) the
    probability of an extra ("dropout") zero: p(x) = pi * [x = 0] + (1 - pi) * NB(x; mean, theta).

    Computed in log space with softplus (scVI's form): for x = 0,
    log(pi + (1 - pi) NB(0)) = softplus(log NB(0) - logit) - softplus(-logit);
    for x > 0, log(1 - pi) + log NB(x) = -softplus(logit) + log NB(x).
    """
    log_nb = negative_binomial_log_prob_per_gene(x, mean, inverse_dispersion)
    theta = inverse_dispersion
    log_nb_zero = theta * (torch.log(theta + _EPS) - torch.log(theta + mean + _EPS))
    log_prob_zero = F.softplus(log_nb_zero - zero_logits) - F.softplus(-zero_logits)
    log_prob_positive = log_nb - F.softplus(zero_logits)
    return torch.where(x < 0.5, log_prob_zero, log_prob_positive)


def negative_binomial_log_prob(x: torch.Tensor, mean: torch.Tensor,
                               inverse_dispersion: torch.Tensor) -> torch.Tensor:
    """log NB(x; mean, theta) summed over genes, shape ``(batch,)``; see
    :func:`negative_binomial_log_prob_per_gene`."""
    return negative_binomial_log_prob_per_gene(x, mean, inverse_dispersion).sum(dim=-1)


def zero_inflated_negative_binomial_log_prob(x: torch.Tensor, mean: torch.Tensor,
                                             inverse_dispersion: torch.Tensor,
                                             zero_logits: torch.Tensor) -> torch.Tensor:
    """log ZINB(x; mean, theta, sigmoid(zero_logits)) summed over genes, shape ``(batch,)``;
    see :func:`zero_inflated_negative_binomial_log_prob_per_gene`."""
    return zero_inflated_negative_binomial_log_prob_per_gene(x, mean, inverse_dispersion, zero_logits).sum(dim=-1)


def bernoulli_entropy(x) -> np.ndarray:
    """Sum over pixels of the binary entropy -x log x - (1 - x) log(1 - x), one value per row:
    the smallest Bernoulli cross-entropy any model can reach on grey levels ``x`` in [0, 1]."""
    x = as_feature_matrix(x, unit_interval=True).double()
    return (torch.special.entr(x) + torch.special.entr(1 - x)).sum(dim=1).numpy()


# ---- grey levels as counts -------------------------------------------------------------------------

def binomial_log_prob(x: torch.Tensor, logits: torch.Tensor, total_count: int) -> torch.Tensor:
    """log p(x) of grey levels ``x`` in {0, 1/n, ..., 1} (n = ``total_count``) under independent
    Binomial(n, sigmoid(logits)) counts k = n * x per feature, summed over features:

        log p(k) = log C(n, k) + k log p + (n - k) log(1 - p),   p = sigmoid(logits).

    An exact, normalised likelihood of the n + 1 levels, so it is measured in true nats. For
    scikit-learn's digits n = 16: each of the 8x8 pixels counts the inked pixels of a 4x4 block
    of the original 32x32 binary scan (UCI optical recognition of handwritten digits).
    """
    if not isinstance(total_count, int) or isinstance(total_count, bool) or total_count < 1:
        raise ValueError(f"total_count must be a positive integer (grey levels 0, 1/n, ..., 1), got {total_count!r}")
    counts = x * total_count
    if x.min() < 0 or x.max() > 1 or not torch.allclose(counts, counts.round(), atol=1e-4):
        raise ValueError(f"a binomial likelihood with total_count={total_count} expects grey levels k / "
                         f"{total_count} with k = 0 .. {total_count}; scale integer levels by 1 / {total_count}")
    counts = counts.round()
    n = torch.tensor(float(total_count), dtype=logits.dtype, device=logits.device)
    log_binomial_coefficient = torch.lgamma(n + 1) - torch.lgamma(counts + 1) - torch.lgamma(n - counts + 1)
    return (log_binomial_coefficient + counts * F.logsigmoid(logits) + (n - counts) * F.logsigmoid(-logits)).sum(dim=-1)
