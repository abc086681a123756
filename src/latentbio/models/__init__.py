"""The models of the course, one file per method."""

from .autoencoder import Autoencoder
from .vae import VAE

__all__ = ["Autoencoder", "VAE"]
