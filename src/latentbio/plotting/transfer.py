"""Class-transfer grids: the content of each row rendered with the class of each column."""

import matplotlib.pyplot as plt
import numpy as np

from .images import as_images


def plot_transfer_grid(content_images, class_images, transferred, *, class_labels=None, size: float = 0.9,
                       cmap: str = "gray_r", title: str | None = None):
    """Show ``transferred[i, j]`` (content of ``content_images[i]``, class of ``class_images[j]``)
    with the content images down the left and the class images along the top; returns the figure.

    ``transferred`` has shape ``(n_content, n_class, h, w)`` (or ``(..., 3)`` for colour).
    """
    content_images, class_images = as_images(content_images), as_images(class_images)
    transferred = np.asarray(transferred)
    expected = (len(content_images), len(class_images))
    if transferred.shape[:2] != expected:
        raise ValueError(f"transferred must have shape (n_content, n_class, ...) = {expected}; got {transferred.shape[:2]}")
    n_rows, n_cols = expected[0] + 1, expected[1] + 1
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows), squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].axis("off")
    for j, image in enumerate(class_images):
        _show(axes[0, j + 1], image, cmap)
        if class_labels is not None:
            axes[0, j + 1].set_title(str(class_labels[j]), fontsize=8)
    for i, image in enumerate(content_images):
        _show(axes[i + 1, 0], image, cmap)
        for j in range(expected[1]):
            _show(axes[i + 1, j + 1], np.clip(transferred[i, j], 0, 1), cmap)
    for ax in (*axes[0, 1:], *axes[1:, 0]):
        for spine in ax.spines.values():
            spine.set_color("tab:blue")
            spine.set_linewidth(2)
    axes[1, 0].set_ylabel("content", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _show(ax, image, cmap):
    ax.imshow(image, cmap=None if image.ndim == 3 else cmap, vmin=0, vmax=1)
