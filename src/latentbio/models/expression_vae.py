"""VAEs on the log-normalised expression of an AnnData (scGen's model; Lotfollahi, Wolf & Theis 2019).

The network is a :class:`~latentbio.models.vae.VAEModule` with a unit-variance Gaussian
decoder, reading ``adata.X`` (or a layer) of log-normalised expression: the model scGen
trains and that the beta-VAE and dHSIC-VAE of Lotfollahi et al. (2020/2021) modify
(:class:`~latentbio.models.ExpressionBetaVAE`, :class:`~latentbio.models.ExpressionDHSICVAE`).
"""

from collections.abc import Sequence

import anndata as ad
import numpy as np

from ..checks import check_feature_matrix
from .base import AnnDataModel
from .vae import VAEModule


class ExpressionVAE(AnnDataModel):
    """A VAE with a unit-variance Gaussian decoder on log-normalised expression.

    ``layer=None`` reads ``adata.X``. ``n_latent``, ``hidden`` and ``beta`` as in
    :class:`~latentbio.models.vae.VAEModule` (subclasses swap ``module_class`` and pass their own
    ``module_options``). Raises ``ValueError`` for NaN or infinite values. ``train`` uses
    minibatches of 64 cells by default, as scGen.
    """

    module_class = VAEModule
    default_batch_size = 64
    description = "expression VAE"

    def __init__(self, adata: ad.AnnData, *, layer: str | None = None, n_latent: int = 5,
                 hidden: Sequence[int] = (128, 64), beta: float = 1.0, **module_options):
        super().__init__(adata, layer)
        self.module = self.module_class(self.matrix.shape[1], n_latent, hidden, beta=beta, likelihood="gaussian",
                                        **module_options)
        self.n_latent = self.module.n_latent

    def decode_latent(self, latent) -> np.ndarray:
        """The decoded (log-normalised) expression of latent codes ``latent``, cells x genes."""
        latent = check_feature_matrix(latent, self.n_latent, name="latent")
        return self._predict(self.module.decode, latent)
