"""Training curves."""

import matplotlib.pyplot as plt


def plot_history(history, terms=None, *, ax=None, title: str | None = None, log_y: bool = False):
    """Plot per-epoch loss terms of a :class:`latentbio.train.History` (training solid,
    validation dashed); returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3))
    terms = terms or list(history.train)
    for term in terms:
        line, = ax.plot(history.train[term], label=f"{term} (train)")
        if term in history.val:
            ax.plot(history.val[term], "--", color=line.get_color(), label=f"{term} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("per-sample value")
    if log_y:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax
