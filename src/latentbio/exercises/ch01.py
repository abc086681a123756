"""Checks for the exercises of chapter 1 (latent representations)."""

import math

import numpy as np
import torch

from ..metrics import anchor_codes, mutual_information_gap
from . import call_student, exercise, expect, expect_close, passed


@exercise("1.1", "reparameterisation trick", forbidden=("reparameterize",))
def check_reparameterize(reparameterize, *, name: str) -> None:
    """Exercise 1.1: ``reparameterize(mean, log_var)`` returns mean + exp(log_var / 2) * eps."""
    mean = torch.full((200_000, 2), 2.0, requires_grad=True)
    log_var = torch.full((200_000, 2), math.log(0.25), requires_grad=True)
    torch.manual_seed(0)
    z = call_student(reparameterize, mean, log_var, exercise=name)
    expect(torch.is_tensor(z), name, "return a torch tensor")
    expect(tuple(z.shape) == (200_000, 2), name, f"the sample must have the shape of mean, (200000, 2); got {tuple(z.shape)}")
    z_values = z.detach()
    expect(abs(float(z_values.mean()) - 2.0) < 0.01, name, f"samples should have mean 2 for mean=2; got {float(z_values.mean()):.3f}")
    expect(abs(float(z_values.std()) - 0.5) < 0.01, name,
           f"samples should have standard deviation 0.5 for log_var=log(0.25); got {float(z_values.std()):.3f}. "
           "Hint: the standard deviation is exp(0.5 * log_var), not exp(log_var).")
    expect(z.requires_grad, name, "no gradient flows back to mean and log_var: build z from them with torch "
           "operations (mean + std * eps), do not sample with torch.normal or detach.")
    z.sum().backward()
    expect(mean.grad is not None and log_var.grad is not None, name, "gradients must reach both mean and log_var")
    expect_close(mean.grad, torch.ones_like(mean), name, "dz/dmean must be 1")
    small = call_student(reparameterize, torch.zeros(3, 4), torch.full((3, 4), -40.0), exercise=name)
    expect_close(small, torch.zeros(3, 4), name, "with a tiny variance the sample must equal the mean", atol=1e-6)
    passed(name)


@exercise("1.2", "Gaussian KL divergence", forbidden=("kl_standard_normal", "kl_normal"))
def check_gaussian_kl(gaussian_kl, *, name: str) -> None:
    """Exercise 1.2: ``gaussian_kl(mean, log_var)`` returns KL(N(mean, exp(log_var)) || N(0, I)) per sample."""
    zero = call_student(gaussian_kl, torch.zeros(4, 3), torch.zeros(4, 3), exercise=name)
    expect(torch.is_tensor(zero), name, "return a torch tensor")
    expect(tuple(zero.shape) == (4,), name, f"return one KL per sample, summed over latent dimensions: shape (4,), got {tuple(zero.shape)}")
    expect_close(zero, torch.zeros(4), name, "the KL of the prior to itself is 0")
    generator = torch.Generator().manual_seed(1)
    mean, log_var = torch.randn(6, 5, generator=generator), torch.randn(6, 5, generator=generator)
    posterior = torch.distributions.Normal(mean, torch.exp(0.5 * log_var))
    prior = torch.distributions.Normal(torch.zeros_like(mean), torch.ones_like(mean))
    expected = torch.distributions.kl_divergence(posterior, prior).sum(-1)
    expect_close(call_student(gaussian_kl, mean, log_var, exercise=name), expected, name,
                 "the KL does not match the closed form 0.5 * sum(exp(log_var) + mean**2 - 1 - log_var)")
    passed(name)


@exercise("1.3", "which code is disentangled?", forbidden=("mutual_information_gap",))
def check_mig_of_codes(mig_of_codes, codes_by_name, factors, *, name: str) -> None:
    """Exercise 1.3: ``mig_of_codes(codes_by_name, factors)`` returns ``{name: MIG}`` for every code,
    MIG as :func:`latentbio.metrics.mutual_information_gap` computes it; checked on a toy case, then
    on the chapter's codes plus two anchors (the true factors and a rotated copy)."""
    rng = np.random.default_rng(0)
    toy_factors = np.stack([rng.integers(0, 4, 2000), rng.integers(0, 5, 2000)], axis=1)
    toy_codes = {"factors": toy_factors + 0.01 * rng.standard_normal(toy_factors.shape),
                 "duplicated": np.hstack([toy_factors, toy_factors]).astype(float)}
    toy = call_student(mig_of_codes, toy_codes, toy_factors, exercise=name)
    expect(isinstance(toy, dict) and set(toy) == set(toy_codes), name,
           f"return a dict with one MIG per name of codes_by_name ({sorted(toy_codes)}); got {toy!r:.200}")
    expect(abs(float(toy["factors"]) - 1.0) < 0.02, name,
           f"a code that is the factors themselves must score about 1; yours scored {float(toy['factors']):.3f}. "
           "Divide each gap by the factor's entropy (factor_entropies).")
    expect(abs(float(toy["duplicated"])) < 0.02, name,
           f"a code with every factor in two identical dimensions must score 0 (the best and the runner-up are equal); "
           f"yours scored {float(toy['duplicated']):.3f}. Take the gap between the best and the SECOND-best dimension.")
    anchors = anchor_codes(factors, n_rotations=1, seed=0)
    codes_by_name = {**codes_by_name, "true factors + noise": anchors["true factors + noise"][0],
                     "rotated truth": anchors["rotated truth"][0]}
    scores = call_student(mig_of_codes, codes_by_name, factors, exercise=name)
    expected = {key: mutual_information_gap(codes, factors) for key, codes in codes_by_name.items()}
    expect(isinstance(scores, dict) and set(scores) == set(expected), name,
           f"return one MIG per name of codes_by_name: {sorted(expected)}")
    for key, value in expected.items():
        expect_close(float(scores[key]), value, name, f"the MIG of {key!r} is not the package's", atol=1e-6)
    passed(name)
