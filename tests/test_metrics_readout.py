"""Read-out AUC and private-space leakage on codes whose answer is known."""

import numpy as np
import pytest

from latentbio.metrics.readout import label_auc, private_space_leakage


def test_label_auc_known_answers():
    rng = np.random.default_rng(0)
    labels = rng.integers(2, size=400)
    separated = rng.normal(size=(400, 3)) + 6.0 * labels[:, None]
    assert label_auc(separated, labels) == pytest.approx(1.0, abs=1e-9)
    unrelated = rng.normal(size=(400, 3))
    assert abs(label_auc(unrelated, labels) - 0.5) < 0.1
    # string labels work, and the score is about the codes, not the label names
    names = np.where(labels == 1, "on", "off")
    assert label_auc(separated, names) == pytest.approx(1.0, abs=1e-9)


def test_label_auc_rejects_more_than_two_labels():
    codes = np.random.default_rng(1).normal(size=(30, 2))
    with pytest.raises(ValueError, match="two values"):
        label_auc(codes, np.arange(30) % 3)


def test_private_space_leakage_known_answers():
    codes = np.array([[3.0, 4.0], [0.0, 5.0], [0.0, 0.0], [0.0, 0.0]])
    in_group = np.array([True, True, False, False])
    assert private_space_leakage(codes, in_group) == 0.0
    codes[2:] = [[5.0, 0.0], [4.0, 3.0]]
    assert private_space_leakage(codes, in_group) == pytest.approx(1.0)
    codes[2:] = [[1.0, 0.0], [0.0, 1.0]]
    assert private_space_leakage(codes, in_group) == pytest.approx(1 / 25)


def test_private_space_leakage_needs_both_kinds_of_cells():
    with pytest.raises(ValueError):
        private_space_leakage(np.ones((4, 2)), np.ones(4, dtype=bool))
