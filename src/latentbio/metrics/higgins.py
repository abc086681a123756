"""The disentanglement score of Higgins et al. (2017, Section 3), for labelled data.

For each "vote", one factor (here: cell type or condition) is chosen at random and
held fixed: ``pairs_per_vote`` pairs of samples that share that factor's value (the
other factors free) are drawn, and the mean absolute difference of their codes is
one feature vector, labelled with the fixed factor. A linear classifier predicts the
fixed factor from such vectors; its accuracy on held-out votes is the score. In a
disentangled code the dimensions of the fixed factor barely differ within a pair,
which makes the factor easy to read off. Chance level is 1 / n_factors.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from ..checks import check_codes, check_factors, check_fraction, check_integer, check_stratified_split


def higgins_votes(codes, factors, *, n_votes: int = 1000, pairs_per_vote: int = 16,
                  random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's data set: ``(features, fixed_factor)``, features of shape
    ``(n_votes, n_codes)`` (mean |z1 - z2| over the pairs of a vote, codes scaled to
    unit standard deviation first) and the index of the fixed factor of each vote
    (Higgins et al. 2017, Section 3, steps 1-4). ``factors`` are discrete (integers,
    strings or categories; see :func:`latentbio.checks.check_factors`), at least two columns.
    """
    codes = check_codes(codes, min_samples=2)
    factors = check_factors(factors, len(codes))
    n_votes = check_integer(n_votes, "n_votes", minimum=1)
    pairs_per_vote = check_integer(pairs_per_vote, "pairs_per_vote", minimum=1)
    if factors.shape[1] < 2:
        raise ValueError("the score compares factors: give at least two factor columns")
    scale = codes.std(axis=0)
    codes = codes / np.where(scale > 0, scale, 1.0)
    rng = np.random.default_rng(random_state)
    members = []
    for k in range(factors.shape[1]):
        values, counts = np.unique(factors[:, k], return_counts=True)
        if len(values) < 2:
            raise ValueError(f"factor {k} takes a single value; every factor must vary")
        usable = [np.flatnonzero(factors[:, k] == v) for v, c in zip(values, counts) if c >= 2]
        if not usable:
            raise ValueError(f"no value of factor {k} is shared by two samples, so no pair can hold it fixed; "
                             "give more samples per value")
        members.append(usable)
    fixed = rng.integers(factors.shape[1], size=n_votes)
    if len(np.unique(fixed)) < factors.shape[1]:
        raise ValueError(f"{n_votes} votes do not hold every one of the {factors.shape[1]} factors fixed at least "
                         "once; increase n_votes")
    features = np.empty((n_votes, codes.shape[1]))
    for vote, k in enumerate(fixed):
        group = members[k][rng.integers(len(members[k]))]
        first = rng.integers(len(group), size=pairs_per_vote)
        second = (first + rng.integers(1, len(group), size=pairs_per_vote)) % len(group)  # never the same cell
        features[vote] = np.abs(codes[group[first]] - codes[group[second]]).mean(axis=0)
    return features, fixed


def higgins_score(codes, factors, *, n_votes: int = 1000, pairs_per_vote: int = 16,
                  test_fraction: float = 0.3, random_state: int = 0) -> float:
    """Accuracy, a float in [0, 1], of a linear classifier (logistic regression) that tells
    from :func:`higgins_votes` features which factor was held fixed, on a held-out
    ``test_fraction`` of the votes (Higgins et al. 2017, Section 3, step 5). ``codes``:
    ``(n_samples, n_codes)``; ``factors``: ``(n_samples, n_factors)`` discrete labels.
    Chance level is about 1 / n_factors.
    """
    test_fraction = check_fraction(test_fraction, "test_fraction")
    features, fixed = higgins_votes(codes, factors, n_votes=n_votes, pairs_per_vote=pairs_per_vote,
                                    random_state=random_state)
    check_stratified_split(fixed, test_fraction, name="the fixed factors of the votes", remedy="increase n_votes")
    train_x, test_x, train_y, test_y = train_test_split(features, fixed, test_size=test_fraction,
                                                        random_state=random_state, stratify=fixed)
    classifier = LogisticRegression(max_iter=1000).fit(train_x, train_y)
    return float(classifier.score(test_x, test_y))
