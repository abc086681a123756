"""Minibatches that draw equally from every group (multiGroupVI's training data) and their input checks."""

import numpy as np
import pandas as pd
import pytest

from latentbio.data.group_sampler import BalancedGroupSampler


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


def test_sampler_takes_string_groups_and_checks_its_numbers():
    groups = np.array(["b"] * 3 + ["a"] * 5)
    assert all(sorted(groups[batch].tolist()) == ["a", "a", "b", "b"] for batch in BalancedGroupSampler(groups, 2))
    with pytest.raises(TypeError, match="per_group must be an integer"):
        BalancedGroupSampler(groups, per_group=None)
    with pytest.raises(ValueError, match="per_group must be at least 1"):
        BalancedGroupSampler(groups, per_group=0)
