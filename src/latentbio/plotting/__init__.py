"""Figures of the course: image grids, training curves, latent traversals, embeddings."""

from .images import show_images
from .training import plot_history
from .traversal import plot_traversal, traversal_images

__all__ = ["show_images", "plot_history", "plot_traversal", "traversal_images"]
