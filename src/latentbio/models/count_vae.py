"""The AnnData face of the count VAE, shaped like scvi-tools' models (Gayoso et al. 2022).

    model = CountVAE(adata, layer="counts", n_latent=10)   # checks the counts, builds the module
    model.train(max_epochs=50)                             # through latentbio.train.fit
    adata.obsm["X_countvae"] = model.get_latent_representation()
    expression = model.get_normalized_expression()        # denoised, library-size-free expression

The network and the loss live in :class:`latentbio.models.scvae.CountVAEModule`.
"""

from __future__ import annotations

from collections.abc import Sequence

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from .. import train
from ..checks import check_counts, as_feature_matrix
from .scvae import CountVAEModule


class CountVAE:
    """A negative-binomial (or ZINB) VAE for the raw counts in ``adata.layers[layer]``.

    ``layer=None`` uses ``adata.X``. Other arguments go to :class:`CountVAEModule`.
    Raises ``ValueError`` unless the counts are finite non-negative integers.
    """

    def __init__(self, adata: ad.AnnData, *, layer: str | None = "counts", n_latent: int = 10,
                 hidden: Sequence[int] = (128,), likelihood: str = "nb", dropout: float = 0.0, beta: float = 1.0):
        check_counts(adata, layer)
        self.adata, self.layer = adata, layer
        self.var_names = adata.var_names.copy()
        self.module = CountVAEModule(adata.n_vars, n_latent, hidden, likelihood, dropout, beta)
        self.history: train.History | None = None

    def __repr__(self) -> str:
        state = f"trained for {self.history.n_epochs} epochs" if self.history else "not trained"
        return (f"CountVAE({self.module.likelihood.upper()} likelihood, {self.module.n_genes} genes, "
                f"{self.module.n_latent} latent dimensions, {state})")

    def _counts(self, adata: ad.AnnData | None) -> torch.Tensor:
        adata = self.adata if adata is None else adata
        if adata.n_vars != len(self.var_names) or not np.array_equal(adata.var_names, self.var_names):
            raise ValueError(f"adata must have the {len(self.var_names)} genes the model was built with, "
                             f"in the same order; got {adata.n_vars} genes")
        counts = check_counts(adata, self.layer)
        dense = counts.toarray() if sp.issparse(counts) else np.asarray(counts)
        return torch.as_tensor(dense, dtype=torch.float32)

    def _device(self) -> torch.device:
        return next(self.module.parameters()).device

    def train(self, max_epochs: int = 60, *, batch_size: int = 128, lr: float = 3e-3, kl_warmup_epochs: int = 20,
              **fit_options) -> train.History:
        """Fit the model to the counts of ``self.adata`` with :func:`latentbio.train.fit`.

        The KL weight rises linearly to 1 over the first ``kl_warmup_epochs`` epochs (at most
        half of ``max_epochs``; 0 switches the warm-up off). Other options (``val_fraction``,
        ``patience``, ``seed`` ...) go to :func:`~latentbio.train.fit`.
        """
        warmup = min(kl_warmup_epochs, max_epochs // 2)

        def set_kl_weight(epoch: int) -> None:
            self.module.kl_weight = min(1.0, (epoch + 1) / warmup) if warmup > 0 else 1.0

        try:
            self.history = train.fit(self.module, self._counts(None), epochs=max_epochs, batch_size=batch_size,
                                     lr=lr, on_epoch_start=set_kl_weight, desc="count VAE", **fit_options)
        finally:
            self.module.kl_weight = 1.0
        return self.history

    def get_latent_representation(self, adata: ad.AnnData | None = None, *,
                                  obsm_key: str | None = "X_countvae") -> np.ndarray:
        """Posterior means E[z | x] for the cells of ``adata`` (default: the training data),
        shape ``(n_cells, n_latent)``; also stored in ``adata.obsm[obsm_key]`` unless it is None."""
        self.module.eval()
        latent = train.predict_in_batches(lambda counts: self.module.encode(counts)[0], self._counts(adata),
                                          device=self._device()).numpy()
        if obsm_key is not None:
            (self.adata if adata is None else adata).obsm[obsm_key] = latent
        return latent

    def decode_scale(self, z) -> np.ndarray:
        """The decoder's expression shares rho(z) (rows sum to 1) for latent codes ``z``."""
        self.module.eval()
        z = as_feature_matrix(z, self.module.n_latent, name="z")
        return train.predict_in_batches(lambda codes: self.module.decode(codes)["scale"], z,
                                        device=self._device()).numpy()

    def get_normalized_expression(self, adata: ad.AnnData | None = None, *,
                                  library_size: float = 1.0) -> pd.DataFrame:
        """Denoised expression rho(E[z | x]) * ``library_size`` per cell and gene, as a DataFrame
        (cells x genes): what the cell would express at a common sequencing depth
        (scVI's normalised expression, Lopez et al. 2018)."""
        adata = self.adata if adata is None else adata
        scale = self.decode_scale(self.get_latent_representation(adata, obsm_key=None))
        return pd.DataFrame(scale * library_size, index=adata.obs_names, columns=self.var_names)

    @property
    def inverse_dispersion(self) -> pd.Series:
        """The learned inverse dispersion theta per gene (large theta: nearly Poisson)."""
        return pd.Series(self.module.inverse_dispersion.detach().cpu().numpy(), index=self.var_names)
