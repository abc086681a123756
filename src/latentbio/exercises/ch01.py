"""Checks for the exercises of chapter 1 (latent representations)."""

import math

import torch

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
