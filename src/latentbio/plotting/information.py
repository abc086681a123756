"""Which code dimension carries which factor: the mutual-information matrix as a heatmap."""

import matplotlib.pyplot as plt
import numpy as np


def plot_information_matrix(information, factor_names, *, ax=None, title: str | None = None):
    """Heatmap of ``information[j, k]``, the information code dimension j carries about factor k.

    Pass the matrix of :func:`latentbio.metrics.mutual_information_matrix` divided by
    :func:`latentbio.metrics.factor_entropies`, so that 1 means "this dimension alone
    tells the factor" (the colour scale runs from 0 to 1). A disentangled code shows one
    bright cell per column, each in a different row. Returns the axes.
    """
    information = np.asarray(information, dtype=float)
    if information.ndim != 2 or information.shape[1] != len(factor_names):
        raise ValueError(f"information must be (n_codes, n_factors={len(factor_names)}); got {information.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.8 * len(factor_names) + 1.2, 0.35 * len(information) + 1))
    image = ax.imshow(information, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    for (j, k), value in np.ndenumerate(information):
        ax.text(k, j, f"{value:.2f}", ha="center", va="center", fontsize=7, color="white" if value < 0.6 else "black")
    ax.set_xticks(range(len(factor_names)), factor_names, rotation=30, ha="right")
    ax.set_yticks(range(len(information)), [f"z[{j}]" for j in range(len(information))])
    ax.figure.colorbar(image, ax=ax, fraction=0.05, label="I(z_j; factor) / H(factor)")
    if title:
        ax.set_title(title)
    return ax
