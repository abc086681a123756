"""Scatter plots of cells in a two-dimensional embedding (UMAP, PCA), coloured by a label or a value."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_embedding(coords, colour, *, ax=None, title: str | None = None, size: float = 4.0,
                   cmap: str = "viridis", legend: bool = True):
    """Scatter ``coords`` (cells x 2) coloured by ``colour``: categories get one colour each
    and a legend, numbers a colour bar. Returns the axes."""
    coords = np.asarray(coords, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError(f"coords must have shape (n_cells, 2); got {coords.shape}")
    values = pd.Series(np.asarray(colour))
    if len(values) != len(coords):
        raise ValueError(f"colour has {len(values)} entries for {len(coords)} cells")
    ax = ax or plt.subplots(figsize=(4, 4))[1]
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > 10:
        points = ax.scatter(coords[:, 0], coords[:, 1], c=values, s=size, cmap=cmap, linewidths=0)
        plt.colorbar(points, ax=ax, shrink=0.7)
    else:
        palette = plt.get_cmap("tab10" if values.nunique() <= 10 else "tab20")
        for index, category in enumerate(sorted(values.unique(), key=str)):
            inside = (values == category).to_numpy()
            ax.scatter(coords[inside, 0], coords[inside, 1], s=size, color=palette(index % palette.N),
                       label=str(category), linewidths=0)
        if legend:
            ax.legend(markerscale=3, fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax
