"""Interactive explorers for the notebooks, built with ipywidgets."""

from .expression import expression_explorer
from .latent import latent_explorer
from .transfer import transfer_explorer

__all__ = ["expression_explorer", "latent_explorer", "transfer_explorer"]
