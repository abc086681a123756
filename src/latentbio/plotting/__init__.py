"""Figures of the course: image grids, training curves, latent traversals, embeddings."""

from .embeddings import plot_embedding
from .images import show_images
from .information import plot_information_matrix
from .training import plot_history
from .transfer import plot_transfer_grid
from .traversal import plot_traversal, traversal_images

__all__ = ["plot_embedding", "show_images", "plot_information_matrix", "plot_history", "plot_traversal", "traversal_images", "plot_transfer_grid"]
