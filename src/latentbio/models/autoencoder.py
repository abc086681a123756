"""A plain (deterministic) autoencoder: the baseline that learns a code but no distribution over codes."""

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .. import train
from ..blocks import mlp
from ..checks import check_feature_matrix
from ..likelihoods import check_observation_model, observation_log_prob, observation_mean
from .roles import RepresentationModel


class AutoencoderModule(nn.Module):
    """Encoder x -> code (``n_latent`` numbers) and decoder code -> x, trained to reconstruct.

    The loss is -log p(x | code) under the same observation models as :class:`~latentbio.models.VAE`,
    with no prior on the code: nothing asks its dimensions to be independent or meaningful.
    """

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 likelihood: str = "bernoulli"):
        super().__init__()
        self.n_input, self.n_latent = n_input, n_latent
        self.likelihood = check_observation_model(likelihood)
        self.encoder = mlp([n_input, *hidden, n_latent])
        self.decoder = mlp([n_latent, *reversed(hidden), n_input])

    def loss(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch mean of the reconstruction negative log-likelihood."""
        reconstruction = -observation_log_prob(self.likelihood, x, self.decoder(self.encoder(x))).mean()
        return {"loss": reconstruction, "reconstruction": reconstruction}


class Autoencoder(RepresentationModel):
    """The face of :class:`AutoencoderModule` (same arguments): arrays in, arrays out
    (the representation role, unconditional)."""

    description = "autoencoder"

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 likelihood: str = "bernoulli"):
        self.module = AutoencoderModule(n_input, n_latent, hidden, likelihood)
        self.n_input, self.n_latent = n_input, n_latent

    def _inputs(self, x):
        return check_feature_matrix(x, self.n_input, unit_interval=self.module.likelihood == "bernoulli")

    def fit(self, x, y=None, *, epochs: int = 50, **fit_options) -> train.History:
        """Train on ``x`` with :func:`latentbio.train.fit` (an autoencoder takes no labels: ``y`` must be None)."""
        self._refuse_labels(y, "fit")
        return self._fit(self._inputs(x), epochs=epochs, **fit_options)

    def latent(self, x, y=None) -> np.ndarray:
        """The codes of ``x``, shape ``(n_samples, n_latent)`` (no labels: ``y`` must be None)."""
        self._refuse_labels(y, "latent")
        return self._predict(self.module.encoder, self._inputs(x))

    def decode_mean(self, z, y=None) -> np.ndarray:
        """Expected observation for codes ``z``, ``(n, n_input)`` (no labels: ``y`` must be None)."""
        self._refuse_labels(y, "decode_mean")
        z = check_feature_matrix(z, self.n_latent, name="z")
        return self._predict(lambda codes: observation_mean(self.module.likelihood, self.module.decoder(codes)), z)
