"""Latent traversals: change one latent dimension, keep the others, decode."""

import numpy as np

from .images import show_images


def traversal_images(decode, z, dims, values) -> np.ndarray:
    """Decoded images for every (dimension, value) pair, row by row.

    ``decode`` maps an array of codes ``(n, n_latent)`` to images; ``z`` is the code
    to start from; row r sets dimension ``dims[r]`` to each of ``values`` in turn.
    Returns an array of ``len(dims) * len(values)`` decoded images.
    """
    z = np.asarray(z, dtype=np.float32).ravel()
    codes = np.repeat(z[None, :], len(dims) * len(values), axis=0)
    for r, dim in enumerate(dims):
        codes[r * len(values):(r + 1) * len(values), dim] = values
    return decode(codes)


def plot_traversal(decode, z, dims, values, *, image_shape=None, size: float = 0.9, title: str | None = None):
    """A traversal grid: one row per latent dimension in ``dims``, one column per value."""
    images = traversal_images(decode, z, dims, values)
    return show_images(images, image_shape=image_shape, ncols=len(values),
                       row_labels=[f"z[{d}]" for d in dims], size=size, suptitle=title)
