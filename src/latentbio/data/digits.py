"""Labelled grey-level images with a fixed train/test split; scikit-learn's handwritten digits.

scikit-learn ships 1,797 digits of 8x8 pixels with grey levels 0..16 (the UCI "optical
recognition of handwritten digits" data), so the course can train generative models
offline. :func:`load_digits` scales them to [0, 1] and splits them once, stratified by
class, so every chapter and every run sees the same test images.
"""

from dataclasses import dataclass

import numpy as np
import sklearn.datasets
from sklearn.model_selection import train_test_split

from ..checks import (as_numeric_array, check_feature_matrix, check_fraction, check_integer, check_stratified_split,
                      class_indices, dense_rows)


@dataclass(frozen=True)
class ImageSplit:
    """Flat images in [0, 1] with integer labels, split into a training and a test part.

    ``x_train``/``x_test``: float32 ``(n, h * w)``; ``y_train``/``y_test``: int64 labels in
    ``[0, n_classes)``; ``image_shape``: ``(h, w)`` of one image. Construction checks all of
    this (with the checks of :mod:`latentbio.checks`), converts the arrays to these types and
    raises ``ValueError`` or ``TypeError`` otherwise.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple[int, int]
    n_classes: int = 10

    def __post_init__(self):
        shape = tuple(check_integer(side, "image_shape", minimum=1) for side in np.atleast_1d(self.image_shape))
        n_classes = check_integer(self.n_classes, "n_classes", minimum=1)
        object.__setattr__(self, "image_shape", shape)
        for part in ("train", "test"):
            x = check_feature_matrix(getattr(self, f"x_{part}"), int(np.prod(shape)), name=f"x_{part}",
                                     unit_interval=True)
            object.__setattr__(self, f"x_{part}", dense_rows(x))
            object.__setattr__(self, f"y_{part}", class_indices(getattr(self, f"y_{part}"), n_classes, len(x),
                                                                name=f"y_{part}"))

    def images(self, part: str = "train") -> np.ndarray:
        """The ``"train"`` or ``"test"`` images reshaped to ``(n, h, w)``."""
        if part not in ("train", "test"):
            raise ValueError(f"part must be 'train' or 'test', got {part!r}")
        x = getattr(self, f"x_{part}")
        return x.reshape(len(x), *self.image_shape)


def split_images(images, labels, *, n_classes: int = 10, test_fraction: float = 0.2, seed: int = 0) -> ImageSplit:
    """Split ``images`` ``(n, h, w)`` in [0, 1] and their ``labels`` into an :class:`ImageSplit`.

    The split is stratified (each class keeps its share in both parts) and fixed by ``seed``.
    """
    images = as_numeric_array(images, name="images", dtype=np.float32)
    if images.ndim != 3 or images.size == 0:
        raise ValueError(f"images must have shape (n, height, width) with n >= 1; got {images.shape}")
    test_fraction = check_fraction(test_fraction, "test_fraction")
    check_feature_matrix(images.reshape(len(images), -1), name="images", unit_interval=True)
    labels = class_indices(labels, n_classes, len(images), name="labels")
    check_stratified_split(labels, test_fraction, remedy="give more images per class")
    x_train, x_test, y_train, y_test = train_test_split(
        images.reshape(len(images), -1), labels, test_size=test_fraction,
        stratify=labels, random_state=seed)
    return ImageSplit(x_train, y_train, x_test, y_test, image_shape=images.shape[1:], n_classes=n_classes)


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> ImageSplit:
    """scikit-learn's 1,797 handwritten digits (8x8, grey levels / 16, so in [0, 1]), split
    stratified into training and test images (20% test by default, fixed by ``seed``)."""
    digits = sklearn.datasets.load_digits()
    return split_images(digits.images / 16.0, digits.target, test_fraction=test_fraction, seed=seed)
