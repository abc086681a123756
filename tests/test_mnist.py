"""The MNIST loader, on a small file of the Keras layout (MNIST itself is never downloaded in tests)."""

import dataclasses

import numpy as np
import pytest

from latentbio.data import load_mnist, read_mnist_npz
from latentbio.data.datasets import REGISTRY, ChecksumError, DatasetUnavailableError, sha256_of


def write_small_mnist(path, **overrides):
    """A tiny Keras-layout mnist.npz: 20 training and 10 test images whose pixel (0, 0) is 25 * label."""
    rng = np.random.default_rng(0)
    arrays = {}
    for part, n in (("train", 20), ("test", 10)):
        labels = np.arange(n, dtype=np.uint8) % 10
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[:, 0, 0] = 25 * labels
        arrays[f"x_{part}"], arrays[f"y_{part}"] = images, labels
    arrays.update(overrides)
    np.savez(path, **arrays)
    return path


def test_mnist_is_registered_with_the_keras_url_and_sha256():
    entry = REGISTRY["mnist"]
    assert entry.url == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert entry.sha256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    assert entry.filename == "mnist.npz"


def test_read_mnist_npz_scales_pixels_and_keeps_labels(tmp_path):
    split = read_mnist_npz(write_small_mnist(tmp_path / "mnist.npz"))
    assert split.x_train.shape == (20, 784) and split.x_test.shape == (10, 784)
    assert split.image_shape == (28, 28) and split.x_train.dtype == np.float32
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    assert np.array_equal(split.y_train, np.arange(20) % 10) and split.y_test.dtype == np.int64
    assert np.allclose(split.images("test")[:, 0, 0], 25 * split.y_test / 255)


@pytest.mark.parametrize("override, message", [
    ({"x_test": np.zeros((10, 8, 8), np.uint8)}, r"\(n, 28, 28\)"),
    ({"x_train": np.zeros((20, 784), np.uint8)}, r"\(n, 28, 28\)"),
    ({"x_train": np.full((20, 28, 28), 300, np.int32)}, "0..255"),
    ({"y_train": np.full(20, 10, np.uint8)}, r"\[0, 10\)"),
    ({"y_test": np.zeros(9, np.uint8)}, "9 labels for 10 samples"),
    ({"y_test": np.full(10, 0.5)}, "non-integer"),
])
def test_read_mnist_npz_rejects_bad_arrays(tmp_path, override, message):
    path = write_small_mnist(tmp_path / "mnist.npz", **override)
    with pytest.raises(ValueError, match=message):
        read_mnist_npz(path)


def test_read_mnist_npz_names_missing_arrays(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="y_train"):
        read_mnist_npz(path)


def test_load_mnist_reads_a_mirror_whose_checksum_matches(tmp_path, monkeypatch):
    path = write_small_mnist(tmp_path / "mnist.npz")
    entry = REGISTRY["mnist"]
    monkeypatch.setitem(REGISTRY, "mnist", dataclasses.replace(entry, sha256=sha256_of(path)))
    split = load_mnist(mirror=tmp_path, cache=tmp_path / "cache", download=False)
    assert split.x_train.shape == (20, 784)


def test_load_mnist_rejects_a_mirror_file_that_is_not_mnist(tmp_path):
    write_small_mnist(tmp_path / "mnist.npz")
    with pytest.raises(ChecksumError):
        load_mnist(mirror=tmp_path, cache=tmp_path / "cache", download=False)


def test_load_mnist_offline_says_how_to_provide_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("LATENTBIO_DATA_MIRROR", raising=False)
    with pytest.raises(DatasetUnavailableError, match="mnist.npz"):
        load_mnist(cache=tmp_path / "cache", download=False)
