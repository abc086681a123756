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

from ..checks import as_labels


def _check_images(x: np.ndarray, y: np.ndarray, image_shape: tuple[int, ...], n_classes: int, part: str) -> None:
    n_pixels = int(np.prod(image_shape))
    if x.ndim != 2 or x.shape[1] != n_pixels:
        raise ValueError(f"x_{part} must hold flat images of {image_shape} = {n_pixels} pixels per row, "
                         f"shape (n, {n_pixels}); got shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"x_{part} holds no images")
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError(f"x_{part} must hold finite grey levels in [0, 1]")
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(f"y_{part} must be one label per image, shape ({len(x)},); got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and (y.min() < 0 or y.max() >= n_classes)):
        raise ValueError(f"y_{part} must hold integer labels in [0, {n_classes}); "
                         f"got {y.dtype} values from {y.min()} to {y.max()}")


@dataclass(frozen=True)
class ImageSplit:
    """Flat images in [0, 1] with integer labels, split into a training and a test part.

    ``x_train``/``x_test``: float32 ``(n, h * w)``; ``y_train``/``y_test``: int64 labels in
    ``[0, n_classes)``; ``image_shape``: ``(h, w)`` of one image. Construction checks all of
    this and raises ``ValueError`` otherwise.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple[int, int]
    n_classes: int = 10

    def __post_init__(self):
        for part in ("train", "test"):
            _check_images(getattr(self, f"x_{part}"), getattr(self, f"y_{part}"),
                          self.image_shape, self.n_classes, part)

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
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width); got {images.shape}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie between 0 and 1, got {test_fraction}")
    labels = as_labels(labels, n_classes, len(images), name="labels").numpy()
    x_train, x_test, y_train, y_test = train_test_split(
        images.reshape(len(images), -1), labels, test_size=test_fraction,
        stratify=labels, random_state=seed)
    return ImageSplit(x_train, y_train, x_test, y_test, image_shape=images.shape[1:], n_classes=n_classes)


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> ImageSplit:
    """scikit-learn's 1,797 handwritten digits (8x8, grey levels / 16, so in [0, 1]), split
    stratified into training and test images (20% test by default, fixed by ``seed``)."""
    digits = sklearn.datasets.load_digits()
    return split_images(digits.images / 16.0, digits.target, test_fraction=test_fraction, seed=seed)
