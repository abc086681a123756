"""Checks for the exercises of chapter 4 (single-cell latents)."""

import numpy as np
import torch
from scipy import stats

from . import call_student, exercise, expect, expect_close, passed


@exercise("4.1", "negative binomial log-likelihood",
          forbidden=("negative_binomial_log_prob", "negative_binomial_log_prob_per_gene"))
def check_nb_log_likelihood(nb_log_likelihood, *, name: str) -> None:
    """Exercise 4.1: ``nb_log_likelihood(x, mean, inverse_dispersion)`` returns log NB per entry."""
    x = torch.tensor([[0.0, 1.0, 4.0, 30.0], [2.0, 0.0, 120.0, 7.0]], dtype=torch.float64)
    mean = torch.tensor([[0.5, 2.0, 3.0, 25.0], [1.0, 0.2, 100.0, 9.0]], dtype=torch.float64)
    theta = torch.tensor([1.0, 0.5, 10.0, 3.0], dtype=torch.float64)
    result = call_student(nb_log_likelihood, x, mean, theta, exercise=name)
    expect(torch.is_tensor(result), name, "return a torch tensor")
    expect(tuple(result.shape) == (2, 4), name,
           f"return one value per entry, shape (2, 4) like x; got {tuple(result.shape)}. Do not sum over genes.")
    expected = stats.nbinom.logpmf(x.numpy(), n=theta.numpy(), p=(theta / (theta + mean)).numpy())
    zero = float(result[0, 0])
    expect(abs(zero - expected[0, 0]) < 1e-4, name,
           f"for x = 0 the log-likelihood is theta * log(theta / (theta + mean)) = {expected[0, 0]:.4f}; "
           f"you gave {zero:.4f}. Check the theta * log(theta / (theta + mean)) term.")
    expect_close(result, expected, name,
                 "does not match scipy.stats.nbinom(n=theta, p=theta / (theta + mean)). Hint: "
                 "lgamma(x + theta) - lgamma(theta) - lgamma(x + 1) + theta * log(theta / (theta + mean)) "
                 "+ x * log(mean / (theta + mean)); torch.lgamma computes log Gamma.", rtol=1e-5, atol=1e-4)
    # a huge theta makes the negative binomial a Poisson
    poisson = call_student(nb_log_likelihood, x, mean, torch.full((4,), 1e7, dtype=torch.float64), exercise=name)
    expect_close(poisson, stats.poisson.logpmf(x.numpy(), mean.numpy()), name,
                 "with a very large inverse dispersion the result should approach the Poisson log-likelihood",
                 rtol=1e-4, atol=1e-3)
    passed(name)


@exercise("4.2", "library-size normalisation")
def check_log_normalise(log_normalise, *, name: str) -> None:
    """Exercise 4.2: ``log_normalise(counts, target_sum)`` scales each cell to ``target_sum`` and takes log1p."""
    counts = np.array([[1.0, 0.0, 3.0], [10.0, 20.0, 10.0], [0.0, 5.0, 0.0]])
    result = call_student(log_normalise, counts.copy(), 100.0, exercise=name)
    result = np.asarray(result, dtype=float)
    expect(result.shape == counts.shape, name, f"return one value per cell and gene, shape {counts.shape}; got {result.shape}")
    unlogged = np.expm1(result)
    expect(np.allclose(unlogged.sum(axis=1), 100.0, rtol=1e-5), name,
           f"after undoing log1p every cell should sum to target_sum = 100; your rows sum to "
           f"{np.round(unlogged.sum(axis=1), 3).tolist()}. Divide each row by its own total, then multiply by target_sum.")
    expect_close(result, np.log1p(counts / counts.sum(axis=1, keepdims=True) * 100.0), name,
                 "expected log1p(counts / row total * target_sum)")
    deep, shallow = np.array([[40.0, 60.0]]), np.array([[2.0, 3.0]])
    expect_close(call_student(log_normalise, deep, 10.0, exercise=name),
                 call_student(log_normalise, shallow, 10.0, exercise=name), name,
                 "two cells with the same composition but different depth must get the same normalised values")
    passed(name)
