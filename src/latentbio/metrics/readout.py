"""What a latent space says about a known property of the cells: a linear read-out, and the
silence of a group's private space for the other groups' cells.

multiGroupVI (Weinberger et al. 2022) promises that a group's gene programs live in that group's
private space and not in the shared one, and that a private space encodes nothing for cells of
other groups. Both promises can be measured when the truth is known (a simulation):

- :func:`label_auc`: how well a binary label (program on / off) can be read out of codes;
- :func:`private_space_leakage`: how loud a private space is for cells it should ignore.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..checks import check_codes_and_labels


def label_auc(codes, labels, *, cv: int = 5, random_state: int = 0) -> float:
    """Cross-validated area under the ROC curve of a logistic regression that predicts the
    binary ``labels`` (exactly two distinct values) from ``codes`` ``(n_cells, n_dims)``.

    Every cell's probability comes from a model fitted on the other ``cv - 1`` folds
    (stratified, shuffled with ``random_state``). 0.5: the codes say nothing about the label;
    1: the label is a linear function of the codes.
    """
    codes, labels = check_codes_and_labels(codes, labels)
    values, labels = np.unique(labels, return_inverse=True)
    if len(values) != 2:
        raise ValueError(f"labels must take exactly two values, got {len(values)}")
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    probabilities = cross_val_predict(LogisticRegression(max_iter=2000), codes, labels, cv=folds,
                                      method="predict_proba")[:, 1]
    return float(roc_auc_score(labels, probabilities))


def private_space_leakage(private_codes, in_group) -> float:
    """Mean squared norm of a group's private codes for the cells of other groups, divided by
    the same for the group's own cells.

    ``private_codes`` ``(n_cells, n_dims)``: one group's private space for every cell;
    ``in_group``: booleans, True for that group's cells (both kinds must occur). 0: the space
    is silent for other groups' cells, as multiGroupVI's Wasserstein penalty asks; about 1:
    it does not tell the groups apart.
    """
    codes, _ = check_codes_and_labels(private_codes, in_group)
    in_group = np.asarray(in_group, dtype=bool)
    squared_norm = np.square(codes).sum(axis=1)
    own = squared_norm[in_group].mean()
    if own == 0:
        raise ValueError("the private codes of the group's own cells are all zero; the ratio is undefined")
    return float(squared_norm[~in_group].mean() / own)
