"""Leakage: how much a code knows about what it should not (Gabbay and Hoshen 2020, section 4).

A content code is disentangled from the class when a classifier cannot predict the
class from it better than chance; a class code is disentangled from the content when
a regressor cannot predict the content factors from it (R^2 near 0). Both scores are
measured on a held-out part of the codes, with a small neural network so that
non-linear leakage counts too.
"""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..checks import as_feature_matrix



def _network_options(random_state: int) -> dict:
    """A one-hidden-layer network that stops when a validation tenth of its training data stops improving."""
    return {"hidden_layer_sizes": (64,), "learning_rate_init": 1e-2, "early_stopping": True, "n_iter_no_change": 20,
            "max_iter": 300, "random_state": random_state}


def _check(codes, targets, name: str) -> tuple[np.ndarray, np.ndarray]:
    codes = as_feature_matrix(codes, name="codes").numpy()
    targets = np.asarray(targets)
    if len(targets) != len(codes):
        raise ValueError(f"{name} has {len(targets)} rows for {len(codes)} codes")
    if not np.isfinite(targets.astype(float)).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if len(codes) < 10:
        raise ValueError(f"need at least 10 codes to measure leakage; got {len(codes)}")
    return codes, targets


def class_leakage(codes, classes, *, test_fraction: float = 0.3, random_state: int = 0) -> dict[str, float]:
    """Held-out accuracy of a classifier predicting ``classes`` from ``codes``, and chance.

    Returns ``{"accuracy": ..., "chance": ...}``, where chance is the frequency of the
    most common class among the test codes (what always guessing it would score).
    """
    codes, classes = _check(codes, classes, "classes")
    if len(np.unique(classes)) < 2:
        raise ValueError("classes must contain at least two different labels")
    train_codes, test_codes, train_classes, test_classes = train_test_split(
        codes, classes, test_size=test_fraction, stratify=classes, random_state=random_state)
    classifier = make_pipeline(StandardScaler(), MLPClassifier(**_network_options(random_state)))
    classifier.fit(train_codes, train_classes)
    _, counts = np.unique(test_classes, return_counts=True)
    return {"accuracy": float(classifier.score(test_codes, test_classes)), "chance": float(counts.max() / counts.sum())}


def factor_r2(codes, factors, *, test_fraction: float = 0.3, random_state: int = 0) -> np.ndarray:
    """Held-out R^2 of predicting each column of ``factors`` ``(n, k)`` from ``codes``; shape ``(k,)``.

    1 means the codes determine the factor; 0 means they say no more than its mean
    (values below 0 are possible on the test part).
    """
    codes, factors = _check(codes, factors, "factors")
    factors = factors.astype(float).reshape(len(factors), -1)
    train_codes, test_codes, train_factors, test_factors = train_test_split(
        codes, factors, test_size=test_fraction, random_state=random_state)
    scaler = StandardScaler().fit(train_factors)
    regressor = make_pipeline(StandardScaler(), MLPRegressor(**_network_options(random_state)))
    targets = scaler.transform(train_factors)
    regressor.fit(train_codes, targets[:, 0] if targets.shape[1] == 1 else targets)
    predicted = scaler.inverse_transform(regressor.predict(test_codes).reshape(len(test_codes), -1))
    residual = ((test_factors - predicted) ** 2).sum(0)
    total = ((test_factors - test_factors.mean(0)) ** 2).sum(0)
    return 1 - residual / total
