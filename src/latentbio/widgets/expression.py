"""An explorer of gene expression on an embedding: observed next to model-denoised values
(it needs a live Jupyter kernel; the chapter shows a static figure beside it)."""

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..plotting.embeddings import plot_embedding


def expression_explorer(coords, tables: dict, genes, *, cmap: str = "viridis"):
    """A gene dropdown that colours ``coords`` (cells x 2) by the chosen gene in each table.

    ``tables`` maps a panel title to a DataFrame (cells x genes), e.g. observed
    log-normalised counts and a model's denoised expression. Returns the widget to display.
    """
    genes = list(genes)
    missing = [title for title, table in tables.items() if not set(genes) <= set(table.columns)]
    if missing:
        raise ValueError(f"the tables {missing} lack some of the genes offered")
    chooser = widgets.Dropdown(options=genes, value=genes[0], description="gene")

    def show(gene):
        fig, axes = plt.subplots(1, len(tables), figsize=(4.2 * len(tables), 3.6))
        for ax, (title, table) in zip(list(axes) if len(tables) > 1 else [axes], tables.items()):
            plot_embedding(coords, table[gene].to_numpy(), ax=ax, title=f"{gene}: {title}", cmap=cmap)
        plt.show()

    return widgets.VBox([chooser, widgets.interactive_output(show, {"gene": chooser})])
