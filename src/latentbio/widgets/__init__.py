"""Interactive explorers for the notebooks, built with ipywidgets."""

from .latent import latent_explorer

__all__ = ["latent_explorer"]
