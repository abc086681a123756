"""Disentanglement scores of a representation against known discrete factors of variation:
the mutual information gap (MIG; Chen et al. 2018) as disentanglement_lib computes it
(Locatello et al. 2019: codes binned into 20 equal-width bins, plug-in mutual information), and
how much the whole code knows about each factor (:func:`code_information`), to tell a factor that
is missing from one that is spread over several dimensions.

Factors must be discrete; a factor with more distinct values than ``max(n_bins, n / 5)`` is
refused as continuous (see :func:`latentbio.checks.check_factors`): bin it with :func:`discretize`.
"""

import numpy as np
from scipy.stats import ortho_group
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, mutual_info_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..checks import check_codes, check_factors, check_fraction, check_integer


def discretize(codes, n_bins: int = 20) -> np.ndarray:
    """Bin each column of ``codes`` ``(n_samples, n_dims)`` into ``n_bins`` equal-width bins
    between its minimum and maximum; returns integer bin indices ``0 .. n_bins-1`` of the same
    shape (disentanglement_lib's ``_histogram_discretize``, used by its MIG)."""
    codes = check_codes(codes)
    n_bins = check_integer(n_bins, "n_bins", minimum=1)
    binned = np.zeros(codes.shape, dtype=int)
    for j in range(codes.shape[1]):
        edges = np.histogram_bin_edges(codes[:, j], bins=n_bins)
        binned[:, j] = np.digitize(codes[:, j], edges[1:-1])
    return binned


def mutual_information_matrix(codes, factors, n_bins: int = 20) -> np.ndarray:
    """I(code_j; factor_k) in nats for every code dimension j (binned by :func:`discretize`)
    and discrete factor k: the plug-in estimate from the empirical joint distribution, as
    disentanglement_lib's MIG computes it; an array of shape ``(n_codes, n_factors)``."""
    codes = check_codes(codes)
    factors = check_factors(factors, len(codes), n_bins=n_bins)
    binned = discretize(codes, n_bins)
    return np.array([[mutual_info_score(factors[:, k], binned[:, j]) for k in range(factors.shape[1])]
                     for j in range(binned.shape[1])])


def factor_entropies(factors) -> np.ndarray:
    """Entropy H(v_k) in nats of each discrete factor (column of ``factors``), the normaliser of
    MIG (Chen et al. 2018, Eq. 6); an array of shape ``(n_factors,)``."""
    factors = check_factors(factors)
    return np.array([mutual_info_score(factors[:, k], factors[:, k]) for k in range(factors.shape[1])])


def mutual_information_gap(codes, factors, n_bins: int = 20) -> float:
    """Mutual information gap (MIG; Chen et al. 2018, Eq. 6), a float in [0, 1].

    For each factor k, the gap between the largest and second-largest mutual
    information of any single code dimension with it, divided by the factor's entropy
    H(v_k); MIG is the mean over factors. High when each factor is captured by one code
    dimension alone. ``codes``: ``(n_samples, n_codes)`` with at least two dimensions;
    ``factors``: ``(n_samples, n_factors)`` discrete values (integers, strings or
    categories), each taking at least two values.
    """
    codes = check_codes(codes, min_dims=2)
    factors = check_factors(factors, len(codes), n_bins=n_bins)
    entropies = factor_entropies(factors)
    if np.any(entropies == 0):
        raise ValueError(f"every factor must take at least two values; factor(s) {np.flatnonzero(entropies == 0).tolist()} "
                         "are constant: drop them")
    information = mutual_information_matrix(codes, factors, n_bins)
    top_two = np.sort(information, axis=0)[::-1][:2]
    return float(np.mean((top_two[0] - top_two[1]) / entropies))


def code_information(codes, factors, *, test_fraction: float = 0.5, random_state: int = 0) -> np.ndarray:
    """How much the whole code knows about each factor, in nats: a lower bound on I(z; v_k).

    The variational bound of Barber and Agakov (2003), I(z; v) >= H(v) - E[-log q(v | z)] for any
    classifier q: here a multinomial logistic regression on the standardised codes (almost
    unregularised, C = 1000, so that it can draw sharp boundaries between values), fitted on a
    random part of the codes and scored (cross-entropy) on the other ``test_fraction``. Unlike
    the single-dimension information of :func:`mutual_information_matrix`, it counts a factor
    spread over several dimensions. Returns ``(n_factors,)`` nats, at most about H(v_k)
    (:func:`factor_entropies`); near 0 (or a little below) for a factor the code does not hold.
    A richer classifier can only raise the bound.
    """
    codes = check_codes(codes, min_samples=10)
    factors = check_factors(factors, len(codes))
    test_fraction = check_fraction(test_fraction, "test_fraction")
    n_test = int(np.ceil(test_fraction * len(codes)))
    if min(n_test, len(codes) - n_test) < 2:
        raise ValueError(f"test_fraction={test_fraction} of {len(codes)} codes leaves {n_test} test and "
                         f"{len(codes) - n_test} training codes; each part needs at least 2")
    train_codes, test_codes, train_factors, test_factors = train_test_split(
        codes, factors, test_size=test_fraction, random_state=random_state)
    information = []
    for k, entropy in enumerate(factor_entropies(factors)):
        seen = np.unique(train_factors[:, k])
        if len(seen) < 2 or not np.isin(test_factors[:, k], seen).all():
            raise ValueError(f"factor {k} needs two or more values among the training codes, and every value of the "
                             f"test codes among them (test_fraction={test_fraction}, {len(codes)} codes): give more "
                             "codes, or a smaller test_fraction")
        classifier = make_pipeline(StandardScaler(), LogisticRegression(C=1e3, max_iter=2000))
        classifier.fit(train_codes, train_factors[:, k])
        cross_entropy = log_loss(test_factors[:, k], classifier.predict_proba(test_codes), labels=classifier.classes_)
        information.append(entropy - cross_entropy)
    return np.array(information)


def anchor_codes(factors, *, noise: float = 0.05, n_rotations: int = 10, seed: int = 0) -> dict[str, list[np.ndarray]]:
    """Codes whose disentanglement is known in advance, to print beside a model's score.

    ``factors`` ``(n_samples, n_factors)`` are the discrete ground truth (value indices). Returns,
    for each anchor, a list of codes ``(n_samples, n_factors)`` (score each and average):

    - ``"true factors + noise"``: the standardised factors plus N(0, ``noise``^2): one factor per
      dimension, so MIG near 1 (short of it only by the estimator and the binning);
    - ``"rotated truth"``: the same code times ``n_rotations`` random orthogonal matrices (Haar
      measure): the same information, mixed across dimensions;
    - ``"one factor missing"``: the first code with its last factor replaced by noise, so MIG near
      (n_factors - 1) / n_factors;
    - ``"random code"``: N(0, 1) noise that knows nothing about the factors, so MIG near 0 (above it
      only by the plug-in estimator's bias).
    """
    factors = check_factors(factors)
    n_rotations = check_integer(n_rotations, "n_rotations", minimum=1)
    values = factors.astype(float)
    if np.any(values.std(axis=0) == 0):
        raise ValueError(f"every factor must take at least two values; factor(s) "
                         f"{np.flatnonzero(values.std(axis=0) == 0).tolist()} are constant: drop them")
    rng = np.random.default_rng(seed)
    truth = (values - values.mean(axis=0)) / values.std(axis=0) + noise * rng.standard_normal(values.shape)
    one_missing = truth.copy()
    one_missing[:, -1] = rng.standard_normal(len(truth))
    rotations = [ortho_group.rvs(truth.shape[1], random_state=rng) for _ in range(n_rotations)]
    return {"true factors + noise": [truth], "rotated truth": [truth @ rotation for rotation in rotations],
            "one factor missing": [one_missing], "random code": [rng.standard_normal(truth.shape)]}
