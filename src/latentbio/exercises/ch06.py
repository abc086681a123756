"""Checks for the exercises of chapter 6 (multiGroupVI: shared and group-specific variation)."""

import torch

from ..models.multigroupvi import wasserstein_to_zero
from . import call_student, exercise, expect, expect_close, passed


@exercise("6.1", "masking the other groups' codes")
def check_mask_private_codes(mask_private_codes, *, name: str) -> None:
    """Exercise 6.1: ``mask_private_codes(private_codes, group)`` keeps only each cell's own group block.

    ``private_codes`` has shape ``(cells, n_groups, n_private)``, ``group`` ``(cells,)``; the
    result has the same shape with every other group's block set to exactly 0.
    """
    codes = torch.arange(1.0, 19.0).reshape(3, 3, 2)
    group = torch.tensor([0, 2, 1])
    masked = call_student(mask_private_codes, codes, group, exercise=name)
    expect(torch.is_tensor(masked), name, "return a torch tensor")
    expect(tuple(masked.shape) == (3, 3, 2), name,
           f"keep the shape (cells, n_groups, n_private) = (3, 3, 2); got {tuple(masked.shape)}")
    expected = torch.zeros(3, 3, 2)
    for cell, own in enumerate(group.tolist()):
        expected[cell, own] = codes[cell, own]
    expect(not torch.equal(masked, codes), name, "the other groups' blocks must be set to 0, not left as they are")
    expect_close(masked, expected, name, "cell i must keep only block group[i] (row group[i] of its "
                 "(n_groups, n_private) matrix); the other blocks are 0")
    untrained = codes.clone()
    untrained[0, 1] = float("inf")  # an encoder of another group may say anything, even inf
    masked = call_student(mask_private_codes, untrained, group, exercise=name)
    expect(bool(torch.isfinite(masked).all()), name,
           "a non-finite code of another group leaked into the result (0 * inf is NaN). "
           "Hint: select with torch.where(mask, codes, 0.0) instead of multiplying by the mask.")
    passed(name)


@exercise("6.2", "the Wasserstein penalty", forbidden=("wasserstein_to_zero",))
def check_wasserstein_penalty(wasserstein_penalty, *, name: str) -> None:
    """Exercise 6.2: ``wasserstein_penalty(private_mean, private_log_var, group)`` returns, per cell,
    the sum over the other groups h of ||mu_h||^2 + ||sigma_h||^2 (shape ``(cells,)``)."""
    mean = torch.tensor([[[1.0, 2.0], [3.0, 0.0]]])                  # one cell, 2 groups, 2 dimensions
    log_var = torch.log(torch.tensor([[[0.5, 0.5], [0.25, 0.75]]]))
    penalty = call_student(wasserstein_penalty, mean, log_var, torch.tensor([0]), exercise=name)
    expect(torch.is_tensor(penalty), name, "return a torch tensor")
    expect(tuple(penalty.shape) == (1,), name, f"return one value per cell, shape (1,); got {tuple(penalty.shape)}")
    own_only = 1.0 + 4.0 + 0.5 + 0.5
    expect(abs(float(penalty[0]) - own_only) > 1e-3, name,
           "you penalised the cell's OWN group (group 0); the penalty is on the other groups' encoders")
    sigma_not_variance = 9.0 + 0.5 + 0.75 ** 0.5
    expect(abs(float(penalty[0]) - sigma_not_variance) > 1e-3, name,
           "use the variances sigma^2 = exp(log_var), not the standard deviations")
    expect_close(penalty, torch.tensor([9.0 + 0.25 + 0.75]), name,
                 "for a cell of group 0 the penalty is ||mu_1||^2 + sum(exp(log_var_1)) = 9 + 0.25 + 0.75")
    generator = torch.Generator().manual_seed(0)
    mean, log_var = torch.randn(5, 3, 4, generator=generator), torch.randn(5, 3, 4, generator=generator)
    group = torch.tensor([0, 1, 2, 1, 0])
    per_group = wasserstein_to_zero(mean, log_var)
    others = 1.0 - torch.nn.functional.one_hot(group, 3).float()
    expect_close(call_student(wasserstein_penalty, mean, log_var, group, exercise=name), (per_group * others).sum(-1),
                 name, "with 3 groups, sum the distances of the two other groups' posteriors to 0")
    passed(name)
