"""MNIST (LeCun et al. 1998): 70,000 handwritten digits of 28x28 pixels, for readers with a network.

The file is the single ``mnist.npz`` that Keras downloads (arrays ``x_train``
``(60000, 28, 28)``, ``y_train``, ``x_test`` ``(10000, 28, 28)``, ``y_test``, all uint8).
Its sha256 is the ``file_hash`` that Keras's ``mnist.load_data`` passes to ``get_file``
(64 hexadecimal characters, which ``get_file`` checks as sha256), and other projects that
hash the file with sha256 give the same digest. The course never downloads it in CI;
the loader is tested on a small file of the same layout.
"""

import zipfile
from pathlib import Path

import numpy as np

from ..checks import as_numeric_array
from .datasets import RemoteFile, fetch, register
from .digits import ImageSplit

MNIST = register(RemoteFile(
    name="mnist",
    filename="mnist.npz",
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    size_bytes=11_490_434,
    citation=("LeCun Y, Bottou L, Bengio Y, Haffner P. Gradient-based learning applied to document "
              "recognition. Proc IEEE 86:2278-2324 (1998)."),
    licence="CC BY-SA 3.0 (as distributed by Yann LeCun and Corinna Cortes)",
    description="60,000 training and 10,000 test digits, 28x28 grey levels 0..255, labels 0..9.",
))

MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_mnist_npz(path: str | Path) -> ImageSplit:
    """Read a Keras-layout ``mnist.npz`` into an :class:`ImageSplit` with pixels / 255 in [0, 1].

    Raises ``ValueError`` if an array is missing, the images are not ``(n, 28, 28)`` grey
    levels in 0..255, or a label lies outside 0..9.
    """
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"{path} is not a NumPy .npz archive ({error}); download mnist.npz again") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds a single array, not an .npz archive with {list(MNIST_KEYS)}")
    with archive as arrays:
        missing = [key for key in MNIST_KEYS if key not in arrays]
        if missing:
            raise ValueError(f"{path} is not an MNIST npz: arrays {missing} are missing (expected {list(MNIST_KEYS)})")
        parts = {key: arrays[key] for key in MNIST_KEYS}
    flat = {}
    for part in ("train", "test"):
        images = parts[f"x_{part}"]
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"x_{part} must hold 28x28 images, shape (n, 28, 28); got {images.shape}")
        images = as_numeric_array(images, name=f"x_{part}", dtype=np.float32)
        if images.size and not (np.isfinite(images).all() and images.min() >= 0 and images.max() <= 255):
            raise ValueError(f"x_{part} must hold grey levels in 0..255")
        flat[f"x_{part}"] = images.reshape(len(images), -1) / 255.0
        flat[f"y_{part}"] = parts[f"y_{part}"]
    return ImageSplit(**flat, image_shape=(28, 28), n_classes=10)


def load_mnist(**fetch_options) -> ImageSplit:
    """MNIST's 60,000 training and 10,000 test digits, pixels in [0, 1].

    The file comes from the mirror, the cache or the public URL (11 MB) through
    :func:`latentbio.data.datasets.fetch`, which takes ``fetch_options``.
    """
    return read_mnist_npz(fetch(MNIST.name, **fetch_options))
