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

from ..checks import check_codes, check_factors, check_fraction, check_stratified_split, encode_labels

MIN_CODES = 10
VALIDATION_FRACTION = 0.1  # scikit-learn's default share of the training codes used for early stopping


def _check_validation_size(n_train: int, test_fraction: float) -> None:
    """The network's early stopping scores a validation tenth of the training codes, which needs two codes."""
    if int(np.ceil(VALIDATION_FRACTION * n_train)) < 2:
        raise ValueError(f"after the test split (test_fraction={test_fraction}) only {n_train} training codes remain, "
                         f"and the network's early stopping needs a validation tenth of at least 2 codes: give at "
                         f"least {int(np.ceil(11 / (1 - test_fraction)))} codes or a smaller test_fraction")


def _network_options(random_state: int) -> dict:
    """A one-hidden-layer network that stops when a validation tenth of its training data stops improving."""
    return {"hidden_layer_sizes": (64,), "learning_rate_init": 1e-2, "early_stopping": True, "n_iter_no_change": 20,
            "validation_fraction": VALIDATION_FRACTION, "max_iter": 300, "random_state": random_state}


def class_leakage(codes, classes, *, test_fraction: float = 0.3, random_state: int = 0) -> dict[str, float]:
    """Held-out accuracy of a classifier predicting ``classes`` from ``codes``, and chance
    (Gabbay and Hoshen 2020, section 4: a classifier of the class from the content codes).

    ``classes``: one label per code (integers, strings or categories). Returns
    ``{"accuracy": ..., "chance": ...}``, where chance is the frequency of the most common
    class among the test codes (what always guessing it would score). Needs at least 10 codes
    and enough of each class for a stratified split (and the network's validation split).
    """
    codes = check_codes(codes, min_samples=MIN_CODES)
    classes, _ = encode_labels(classes, n_samples=len(codes), name="classes")
    if len(np.unique(classes)) < 2:
        raise ValueError("classes must contain at least two different labels")
    remedy = "give more codes per class (or merge rare classes)"
    check_stratified_split(classes, test_fraction, name="classes", remedy=remedy)
    train_codes, test_codes, train_classes, test_classes = train_test_split(
        codes, classes, test_size=test_fraction, stratify=classes, random_state=random_state)
    _check_validation_size(len(train_codes), test_fraction)
    check_stratified_split(train_classes, VALIDATION_FRACTION, name="the training part of classes", remedy=remedy)
    classifier = make_pipeline(StandardScaler(), MLPClassifier(**_network_options(random_state)))
    classifier.fit(train_codes, train_classes)
    _, counts = np.unique(test_classes, return_counts=True)
    return {"accuracy": float(classifier.score(test_codes, test_classes)), "chance": float(counts.max() / counts.sum())}


def factor_r2(codes, factors, *, test_fraction: float = 0.3, random_state: int = 0) -> np.ndarray:
    """Held-out R^2 = 1 - SS_res / SS_tot of predicting each column of ``factors`` ``(n, k)``
    (or one factor, ``(n,)``) from ``codes``, an array of shape ``(k,)`` (Gabbay and Hoshen 2020,
    section 4: "class to content" leakage).

    1 means the codes determine the factor; 0 means they say no more than its mean
    (values below 0 are possible on the test part). A factor that takes a single value has
    no variance to explain and raises ``ValueError``, also when it is constant on the test part.
    """
    codes = check_codes(codes, min_samples=MIN_CODES)
    factors = check_factors(factors, len(codes), discrete=False)
    test_fraction = check_fraction(test_fraction, "test_fraction")
    train_codes, test_codes, train_factors, test_factors = train_test_split(
        codes, factors, test_size=test_fraction, random_state=random_state)
    _check_validation_size(len(train_codes), test_fraction)
    total = ((test_factors - test_factors.mean(0)) ** 2).sum(0)
    if np.any(total == 0):
        raise ValueError(f"factor(s) {np.flatnonzero(total == 0).tolist()} take a single value among the "
                         f"{len(test_factors)} test codes, so R^2 is undefined; use a larger test_fraction or more codes")
    scaler = StandardScaler().fit(train_factors)
    regressor = make_pipeline(StandardScaler(), MLPRegressor(**_network_options(random_state)))
    targets = scaler.transform(train_factors)
    regressor.fit(train_codes, targets[:, 0] if targets.shape[1] == 1 else targets)
    predicted = scaler.inverse_transform(regressor.predict(test_codes).reshape(len(test_codes), -1))
    residual = ((test_factors - predicted) ** 2).sum(0)
    return 1 - residual / total
