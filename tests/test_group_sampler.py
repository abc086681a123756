"""Minibatches that draw equally from every group (multiGroupVI's training data) and their input checks."""

import numpy as np
import pandas as pd
import pytest
import torch

from latentbio.data.group_sampler import BalancedGroupSampler, balanced_group_loader


def test_every_minibatch_draws_equally_from_every_group():
    groups = np.array([0] * 10 + [1] * 3 + [2] * 25)
    sampler = BalancedGroupSampler(groups, per_group=4, seed=0)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 7  # ceil(25 / 4): the largest group is seen once
    for indices in batches:
        assert np.bincount(groups[indices], minlength=3).tolist() == [4, 4, 4]
    largest = [i for indices in batches for i in indices if groups[i] == 2]
    assert set(largest) == set(np.flatnonzero(groups == 2))
    assert batches == list(BalancedGroupSampler(groups, per_group=4, seed=0))
    assert batches != list(BalancedGroupSampler(groups, per_group=4, seed=1))


def test_balanced_loader_returns_whole_minibatches():
    groups = np.array([0] * 6 + [1] * 2)
    loader = balanced_group_loader(torch.arange(8.0)[:, None], torch.as_tensor(groups), groups=groups, per_group=2)
    values, labels = next(iter(loader))
    assert values.shape == (4, 1) and labels.tolist().count(1) == 2


@pytest.mark.parametrize("groups, message", [
    (np.array([0, 0, 2, 2]), r"group\(s\) \['1'\] have no samples"), (np.array([0.5, 1.0]), "non-integer"),
    (np.array([]), "empty"), (np.array([-1, 0]), "0, 1, ..., n_groups - 1"), (np.array([0, np.nan]), "missing"),
    (pd.Categorical(["a"], categories=["a", "b"]), "remove_unused_categories"),
])
def test_sampler_rejects_bad_groups(groups, message):
    with pytest.raises(ValueError, match=message):
        BalancedGroupSampler(groups)


def test_sampler_takes_string_groups_and_checks_its_numbers():
    groups = np.array(["b"] * 3 + ["a"] * 5)
    assert all(sorted(groups[batch].tolist()) == ["a", "a", "b", "b"] for batch in BalancedGroupSampler(groups, 2))
    with pytest.raises(TypeError, match="per_group must be an integer"):
        BalancedGroupSampler(groups, per_group=None)
    with pytest.raises(ValueError, match="per_group must be at least 1"):
        BalancedGroupSampler(groups, per_group=0)


def test_balanced_loader_checks_its_tensors():
    groups = np.array([0] * 6 + [1] * 2)
    with pytest.raises(TypeError, match="torch.as_tensor"):
        balanced_group_loader(np.arange(8.0), groups=groups)
    with pytest.raises(ValueError, match="7 rows for 8 group labels"):
        balanced_group_loader(torch.arange(7.0), groups=groups)
