"""The chapter 4 exercise checks accept correct solutions and reject stubs and common mistakes."""

import numpy as np
import pytest
import torch

from latentbio.exercises import ExerciseFailed
from latentbio.exercises.ch04 import check_log_normalise, check_nb_log_likelihood
from latentbio.likelihoods import negative_binomial_log_prob_per_gene


def stub(*args, **kwargs):
    raise NotImplementedError("write your code here")


def test_nb_log_likelihood_check():
    check_nb_log_likelihood(negative_binomial_log_prob_per_gene)
    with pytest.raises(ExerciseFailed, match="not implemented"):
        check_nb_log_likelihood(stub)
    with pytest.raises(ExerciseFailed, match="shape"):
        check_nb_log_likelihood(lambda x, m, t: negative_binomial_log_prob_per_gene(x, m, t).sum(-1))
    poisson = lambda x, m, t: x * torch.log(m) - m - torch.lgamma(x + 1)  # noqa: E731
    with pytest.raises(ExerciseFailed):
        check_nb_log_likelihood(poisson)


def test_log_normalise_check():
    check_log_normalise(lambda counts, target: np.log1p(counts / counts.sum(1, keepdims=True) * target))
    with pytest.raises(ExerciseFailed, match="not implemented"):
        check_log_normalise(stub)
    with pytest.raises(ExerciseFailed, match="sum to"):
        check_log_normalise(lambda counts, target: np.log1p(counts / counts.sum() * target))
