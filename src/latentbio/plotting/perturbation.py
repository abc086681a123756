"""Plots of predicted against real gene expression, and of expression along a latent traversal."""

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

from ..metrics.expression import mean_expression_r2
from .traversal import traversal_images


def _means(x) -> np.ndarray:
    return np.asarray((x.toarray() if sp.issparse(x) else np.asarray(x)).mean(axis=0)).ravel()


def plot_mean_expression(predicted, real, *, highlight=None, ax=None, title: str | None = None):
    """scGen's ``reg_mean_plot``: per-gene mean of ``real`` cells (x) against ``predicted``
    cells (y), the genes in ``highlight`` (indices, e.g. the top DEGs) in red, both R^2
    in the legend. Returns the axes."""
    ax = ax or plt.subplots(figsize=(3.6, 3.4))[1]
    predicted_means, real_means = _means(predicted), _means(real)
    label = f"all genes, R² = {mean_expression_r2(predicted, real):.2f}"
    ax.scatter(real_means, predicted_means, s=4, c="0.6", label=label, rasterized=True)
    if highlight is not None:
        highlight = np.asarray(highlight)
        ax.scatter(real_means[highlight], predicted_means[highlight], s=8, c="tab:red",
                   label=f"top DEGs, R² = {mean_expression_r2(predicted, real, highlight):.2f}")
    top = max(real_means.max(), predicted_means.max())
    ax.plot([0, top], [0, top], c="k", lw=0.6, ls="--")
    ax.set(xlabel="real mean expression", ylabel="predicted mean expression", title=title)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return ax


def plot_expression_traversal(decode, z, dim: int, values, genes, gene_names, *, scale: str = "none", ax=None,
                              title: str | None = None):
    """Heatmap of decoded expression of ``genes`` (indices, labelled ``gene_names``) as latent
    dimension ``dim`` of code ``z`` sweeps ``values``. ``scale="per_gene"`` maps each gene to its own
    range along the traversal (0 = its lowest, 1 = its highest decoded value), so that a gene that
    changes little in absolute terms (ISG15 next to B2M) still shows its trend; ``"none"`` shows the
    decoded log expression on one colour scale. Returns the axes."""
    if scale not in ("none", "per_gene"):
        raise ValueError(f"scale must be 'none' or 'per_gene', got {scale!r}")
    profiles = traversal_images(decode, z, [dim], values)[:, np.asarray(genes)]
    label = "decoded log expression"
    if scale == "per_gene":
        low, high = profiles.min(axis=0), profiles.max(axis=0)
        profiles = (profiles - low) / np.where(high > low, high - low, 1.0)
        label = "decoded expression, scaled per gene"
    ax = ax or plt.subplots(figsize=(0.5 + 0.35 * len(values), 0.5 + 0.16 * len(genes)))[1]
    image = ax.imshow(profiles.T, aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(values)), [f"{v:.1f}" for v in values], fontsize=7)
    ax.set_yticks(range(len(genes)), list(gene_names), fontsize=7)
    ax.set(xlabel=f"z[{dim}]", title=title)
    plt.colorbar(image, ax=ax, label=label, shrink=0.8)
    return ax
