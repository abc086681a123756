"""A slider along one latent dimension that shows the decoded expression of chosen genes
(needs a live Jupyter kernel; the chapter shows a static heatmap beside it)."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np


def gene_traversal_explorer(decode, z, dim: int, genes, gene_names, *, value_range=(-3.0, 3.0), references=None):
    """Slide latent dimension ``dim`` of code ``z``; bars show the decoded expression of
    ``genes`` (indices, labelled ``gene_names``). ``references`` maps a label to a
    profile over all genes (e.g. real control and stimulated means), drawn as markers.
    Returns the widget to display."""
    z = np.asarray(z, dtype=np.float32).ravel()
    genes = np.asarray(genes)
    slider = widgets.FloatSlider(value=float(z[dim]), min=value_range[0], max=value_range[1], step=0.1,
                                 description=f"z[{dim}]", continuous_update=False)

    def show(value):
        code = z.copy()
        code[dim] = value
        profile = np.asarray(decode(code[None, :]))[0, genes]
        fig, ax = plt.subplots(figsize=(0.4 * len(genes) + 1, 2.6))
        ax.bar(range(len(genes)), profile, color="0.7", label="decoded")
        for (label, reference), marker in zip((references or {}).items(), "ov^s"):
            ax.scatter(range(len(genes)), np.asarray(reference)[genes], marker=marker, s=18, label=label, zorder=3)
        ax.set_xticks(range(len(genes)), list(gene_names), rotation=90, fontsize=7)
        ax.set_ylabel("log expression")
        ax.legend(fontsize=7, frameon=False)
        plt.show()

    return widgets.VBox([slider, widgets.interactive_output(show, {"value": slider})])
