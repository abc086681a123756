"""scikit-learn's digits with the course's fixed split, and the checks of ImageSplit."""

import numpy as np
import pytest

from latentbio.data import ImageSplit, load_digits, split_images


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_digits_are_split_80_20_with_pixels_in_the_unit_interval(digits):
    assert digits.x_train.shape == (1437, 64) and digits.x_test.shape == (360, 64)
    assert digits.x_train.dtype == np.float32 and digits.y_train.dtype == np.int64
    assert digits.image_shape == (8, 8) and digits.n_classes == 10
    assert digits.x_train.min() == 0.0 and digits.x_train.max() == 1.0
    assert digits.images("test").shape == (360, 8, 8)


def test_the_split_is_stratified_and_fixed(digits):
    all_counts = np.bincount(np.concatenate([digits.y_train, digits.y_test]))
    test_share = np.bincount(digits.y_test) / all_counts
    assert np.all(np.abs(test_share - 0.2) < 0.02)
    again = load_digits()
    assert np.array_equal(again.x_test, digits.x_test) and np.array_equal(again.y_test, digits.y_test)
    assert not np.array_equal(load_digits(seed=1).y_test, digits.y_test)


def test_train_and_test_images_are_disjoint(digits):
    train_rows = {row.tobytes() for row in digits.x_train}
    shared = sum(row.tobytes() in train_rows for row in digits.x_test)
    assert shared <= 2  # the data hold a few exact duplicates, nothing more


def test_split_images_keeps_images_and_labels_together():
    images = np.stack([np.full((2, 3), k / 10) for k in range(10)] * 5).astype(np.float32)
    labels = np.tile(np.arange(10), 5)
    split = split_images(images, labels, test_fraction=0.2)
    for x, y in ((split.x_train, split.y_train), (split.x_test, split.y_test)):
        assert np.allclose(x[:, 0], y / 10)
    assert np.array_equal(np.bincount(split.y_test), np.ones(10))


@pytest.mark.parametrize("images, labels, message", [
    (np.zeros((10, 64)), np.zeros(10), "height, width"),
    (np.zeros((10, 8, 8)), np.zeros(9), "9 labels for 10"),
    (np.zeros((10, 8, 8)), np.full(10, 10), r"\[0, 10\)"),
    (np.zeros((10, 8, 8)), np.full(10, 0.5), "integer"),
])
def test_split_images_rejects_bad_input(images, labels, message):
    with pytest.raises(ValueError, match=message):
        split_images(images, labels)


def test_split_images_rejects_a_bad_test_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        split_images(np.zeros((10, 8, 8)), np.arange(10), test_fraction=1.5)


def good_parts():
    return dict(x_train=np.zeros((4, 64), np.float32), y_train=np.arange(4), x_test=np.ones((2, 64), np.float32),
                y_test=np.arange(2), image_shape=(8, 8))


@pytest.mark.parametrize("change, error, message", [
    ({"x_train": np.zeros((4, 63), np.float32)}, ValueError, "must have 64 features per sample; got 63"),
    ({"x_test": np.zeros((2, 8, 8), np.float32)}, ValueError, "2-D array .* Flatten images"),
    ({"x_test": np.full((2, 64), 2.0, np.float32)}, ValueError, r"\[0, 1\].*Scale pixels"),
    ({"x_test": np.full((2, 64), np.nan, np.float32)}, ValueError, "NaN or infinite"),
    ({"x_train": np.zeros((0, 64), np.float32), "y_train": np.arange(0)}, ValueError, "empty"),
    ({"y_train": np.arange(3)}, ValueError, "3 labels for 4 samples"),
    ({"y_test": np.array([0, 10])}, ValueError, r"\[0, 10\)"),
    ({"y_test": np.array([0.5, 1.0])}, ValueError, "non-integer"),
    ({"y_test": np.array(["a", "b"])}, TypeError, "holds strings.*encode_labels"),
])
def test_image_split_rejects_bad_input(change, error, message):
    with pytest.raises(error, match=message):
        ImageSplit(**{**good_parts(), **change})


def test_image_split_converts_integral_float_labels_and_lists():
    split = ImageSplit(**{**good_parts(), "y_test": np.array([0.0, 1.0]), "x_test": np.ones((2, 64)).tolist()})
    assert split.y_test.dtype == np.int64 and split.x_test.dtype == np.float32


def test_image_split_images_needs_a_known_part():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        ImageSplit(**good_parts()).images("validation")
