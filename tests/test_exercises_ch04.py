"""The chapter 4 exercise checks accept correct solutions and reject stubs and common mistakes."""

import numpy as np
import pytest
import torch

from latentbio.exercises import ExerciseFailed
from latentbio.exercises.ch04 import check_log_normalise, check_nb_log_likelihood, check_whitened_ari
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


def whitened_ari(codes, cell_types, seed):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    white = (codes - codes.mean(axis=0)) / codes.std(axis=0)
    return float(adjusted_rand_score(cell_types, KMeans(len(np.unique(cell_types)), n_init=10,
                                                        random_state=seed).fit_predict(white)))


def raw_ari(codes, cell_types, seed):  # the mistake: k-means on the codes as they are
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(cell_types, KMeans(len(np.unique(cell_types)), n_init=10,
                                                        random_state=seed).fit_predict(codes)))


def test_whitened_ari_check():
    rng = np.random.default_rng(3)
    types = np.repeat(["a", "b", "c"], 40)
    codes = np.column_stack([rng.normal(scale=30.0, size=120), np.repeat([0.0, 2.0, 4.0], 40) + rng.normal(size=120)])
    check_whitened_ari(whitened_ari, codes, types)
    with pytest.raises(ExerciseFailed, match="not implemented"):
        check_whitened_ari(stub, codes, types)
    with pytest.raises(ExerciseFailed, match="whitened"):
        check_whitened_ari(raw_ari, codes, types)
