"""Grids of images."""

import matplotlib.pyplot as plt
import numpy as np


def as_images(images, image_shape=None) -> np.ndarray:
    """Reshape flat rows to ``image_shape`` (``(h, w)`` or ``(h, w, 3)``) and clip to [0, 1]."""
    images = np.asarray(images, dtype=float)
    if image_shape is not None:
        images = images.reshape(len(images), *image_shape)
    if images.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (n, h, w[, 3]) or flat rows with image_shape; got {images.shape}")
    return np.clip(images, 0.0, 1.0)


def show_images(images, *, image_shape=None, ncols: int = 10, titles=None, row_labels=None,
                size: float = 1.0, cmap: str = "gray_r", suptitle: str | None = None):
    """Show images in a grid of ``ncols`` columns; returns the matplotlib figure.

    Grey images use ``cmap`` (dark ink on white for digits by default); colour images
    are shown as they are. ``titles`` label each image, ``row_labels`` each row.
    """
    images = as_images(images, image_shape)
    n = len(images)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if i < n:
            ax.imshow(images[i], cmap=None if images.ndim == 4 else cmap, vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    if row_labels is not None:
        for r, label in enumerate(row_labels):
            axes[r, 0].set_ylabel(str(label), rotation=0, ha="right", va="center", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
