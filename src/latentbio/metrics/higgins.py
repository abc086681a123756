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


def higgins_votes(codes, factors, *, n_votes: int = 1000, pairs_per_vote: int = 16,
                  random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's data set: ``(features, fixed_factor)``, features of shape
    ``(n_votes, n_codes)`` (mean |z1 - z2| over the pairs of a vote, codes scaled to
    unit standard deviation first) and the index of the fixed factor of each vote."""
    codes, factors = np.asarray(codes, dtype=float), np.asarray(factors)
    if codes.ndim != 2 or factors.ndim != 2 or len(codes) != len(factors):
        raise ValueError(f"codes and factors must be 2-D with one row per sample; got {codes.shape} and {factors.shape}")
    if not np.isfinite(codes).all():
        raise ValueError("codes contain NaN or infinite values")
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
        members.append(usable)
    fixed = rng.integers(factors.shape[1], size=n_votes)
    features = np.empty((n_votes, codes.shape[1]))
    for vote, k in enumerate(fixed):
        group = members[k][rng.integers(len(members[k]))]
        first = rng.integers(len(group), size=pairs_per_vote)
        second = (first + rng.integers(1, len(group), size=pairs_per_vote)) % len(group)  # never the same cell
        features[vote] = np.abs(codes[group[first]] - codes[group[second]]).mean(axis=0)
    return features, fixed


def higgins_score(codes, factors, *, n_votes: int = 1000, pairs_per_vote: int = 16,
                  test_fraction: float = 0.3, random_state: int = 0) -> float:
    """Accuracy of a linear classifier (logistic regression) that tells from
    :func:`higgins_votes` features which factor was held fixed, on a held-out
    ``test_fraction`` of the votes (Higgins et al. 2017, Section 3). ``codes``:
    ``(n_samples, n_codes)``; ``factors``: ``(n_samples, n_factors)`` discrete labels.
    """
    features, fixed = higgins_votes(codes, factors, n_votes=n_votes, pairs_per_vote=pairs_per_vote,
                                    random_state=random_state)
    train_x, test_x, train_y, test_y = train_test_split(features, fixed, test_size=test_fraction,
                                                        random_state=random_state, stratify=fixed)
    classifier = LogisticRegression(max_iter=1000).fit(train_x, train_y)
    return float(classifier.score(test_x, test_y))
