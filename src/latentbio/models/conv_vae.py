"""A convolutional (beta-)VAE and autoencoder for small images, the disentanglement_lib way.

The encoder is a stack of 4x4 convolutions with stride 2 (each halves the image) and two
linear layers (:class:`~latentbio.models.adain.ConvEncoder`); for the VAE it returns the mean
and log-variance of q(z | x). The decoder mirrors it with transposed convolutions and returns
one logit per pixel, scored with the Bernoulli log-likelihood of the grey levels, as in
disentanglement_lib's ``conv_encoder`` / ``deconv_decoder`` (Locatello et al. 2019), only
narrower, so that it trains on a CPU in seconds.

- beta-VAE (Higgins et al. 2017): the loss is -log p(x | z) + beta * KL(q(z | x) || N(0, I)),
  one sampled z per image (Kingma & Welling 2014). ``beta = 1`` is the plain VAE.
- Autoencoder: the same networks with a deterministic code and no KL term.
"""

import abc
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import as_model_images, as_numpy_images, check_feature_matrix, check_image_shape, check_integer, check_number
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import bernoulli_log_prob
from .adain import ConvEncoder
from .roles import RepresentationModel


class ConvDecoder(nn.Module):
    """Codes ``(n, n_latent)`` -> pixel logits ``(n, image_channels, size, size)``: two linear layers,
    then one stride-2 4x4 transposed convolution per entry of ``reversed(channels)`` (each doubles
    the image), the mirror of :class:`~latentbio.models.adain.ConvEncoder`."""

    def __init__(self, image_size: int, n_latent: int, image_channels: int = 1, channels: Sequence[int] = (8, 16),
                 hidden: int = 128):
        super().__init__()
        side = image_size // 2 ** len(channels)
        widths = [*reversed(channels), image_channels]
        layers: list[nn.Module] = [nn.Linear(n_latent, hidden), nn.ReLU(), nn.Linear(hidden, widths[0] * side * side),
                                   nn.ReLU(), nn.Unflatten(1, (widths[0], side, side))]
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            layers += [nn.ConvTranspose2d(n_in, n_out, kernel_size=4, stride=2, padding=1), nn.ReLU()]
        self.network = nn.Sequential(*layers[:-1])  # no activation after the last layer: logits

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """The pixel logits of codes ``z``."""
        return self.network(z)


def _check_architecture(image_shape, n_latent: int, channels: Sequence[int]) -> tuple[int, int]:
    size, image_channels = check_image_shape(image_shape)
    check_integer(n_latent, "n_latent", minimum=1)
    if not channels or size % 2 ** len(channels):
        raise ValueError(f"the image size ({size}) must be divisible by 2 ** len(channels) = {2 ** len(channels)}, "
                         "one halving per convolution")
    return size, image_channels


class ConvVAEModule(nn.Module):
    """The networks and the loss of a convolutional beta-VAE (see the module docstring)."""

    def __init__(self, image_shape, n_latent: int = 10, beta: float = 1.0, channels: Sequence[int] = (8, 16),
                 hidden: int = 128):
        super().__init__()
        size, image_channels = _check_architecture(image_shape, n_latent, channels)
        check_number(beta, "beta", minimum=0)
        self.n_latent, self.beta = int(n_latent), float(beta)
        self.encoder = ConvEncoder(size, 2 * self.n_latent, image_channels, channels, hidden)
        self.decoder = ConvDecoder(size, self.n_latent, image_channels, channels, hidden)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x), each ``(n, n_latent)``."""
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        return mean, log_var

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits of p(x | z), shaped like the images."""
        return self.decoder(z)

    def kl_per_dimension(self, x: torch.Tensor) -> torch.Tensor:
        """KL(q(z_j | x) || N(0, 1)) of every image and latent dimension, ``(n, n_latent)``."""
        mean, log_var = self.encode(x)
        return kl_standard_normal(mean.unsqueeze(-1), log_var.unsqueeze(-1))  # a sum over one term per dimension

    def loss(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * KL(q(z | x) || N(0, I)), with both terms reported."""
        mean, log_var = self.encode(x)
        logits = self.decode(reparameterize(mean, log_var))
        reconstruction = -bernoulli_log_prob(x.flatten(1), logits.flatten(1)).mean()
        kl = kl_standard_normal(mean, log_var).mean()
        return {"loss": reconstruction + self.beta * kl, "reconstruction": reconstruction, "kl": kl}


class ConvAutoencoderModule(nn.Module):
    """The same networks with a deterministic code: the loss is -log p(x | code) alone."""

    def __init__(self, image_shape, n_latent: int = 10, channels: Sequence[int] = (8, 16), hidden: int = 128):
        super().__init__()
        size, image_channels = _check_architecture(image_shape, n_latent, channels)
        self.n_latent = int(n_latent)
        self.encoder = ConvEncoder(size, self.n_latent, image_channels, channels, hidden)
        self.decoder = ConvDecoder(size, self.n_latent, image_channels, channels, hidden)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code of each image, ``(n, n_latent)``."""
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits, shaped like the images."""
        return self.decoder(z)

    def loss(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | code)."""
        reconstruction = -bernoulli_log_prob(x.flatten(1), self.decode(self.encode(x)).flatten(1)).mean()
        return {"loss": reconstruction, "reconstruction": reconstruction}


class ConvImageModel(RepresentationModel):
    """What the convolutional VAE and autoencoder share (the representation role, unconditional)."""

    image_shape: tuple[int, ...]

    def fit(self, x, y=None, *, epochs: int = 50, **fit_options) -> train.History:
        """Train on images ``x`` ``(n, size, size[, channels])`` in [0, 1] with :func:`latentbio.train.fit`;
        ``fit_options`` (``batch_size``, ``lr``, ``seed`` ...) go there. No labels: ``y`` must be None."""
        self._refuse_labels(y, "fit")
        return self._fit((as_model_images(x, self.image_shape),), epochs=epochs, **fit_options)

    @abc.abstractmethod
    def _codes(self, batch: torch.Tensor) -> torch.Tensor:
        """The codes of a batch of model images (the posterior means for the VAE)."""

    def latent(self, x, y=None) -> np.ndarray:
        """The code of each image of ``x`` (the posterior mean E[z | x] for the VAE), ``(n, n_latent)``."""
        self._refuse_labels(y, "latent")
        return self._predict(self._codes, as_model_images(x, self.image_shape))

    def decode_mean(self, z, y=None) -> np.ndarray:
        """Expected images E[x | z] for codes ``z`` ``(n, n_latent)``, shaped like the training images."""
        self._refuse_labels(y, "decode_mean")
        z = check_feature_matrix(z, self.module.n_latent, name="z")
        return as_numpy_images(torch.from_numpy(self._predict(lambda codes: torch.sigmoid(self.module.decode(codes)), z)))


class ConvVAE(ConvImageModel):
    """A convolutional beta-VAE on square images (``image_shape`` ``(size, size)`` grey or
    ``(size, size, channels)``); the network is ``self.module`` (:class:`ConvVAEModule`)."""

    description = "beta-VAE"

    def __init__(self, image_shape, n_latent: int = 10, beta: float = 1.0, channels: Sequence[int] = (8, 16),
                 hidden: int = 128):
        self.module = ConvVAEModule(image_shape, n_latent, beta, channels, hidden)
        self.image_shape, self.n_latent = tuple(image_shape), self.module.n_latent

    def _codes(self, batch: torch.Tensor) -> torch.Tensor:
        return self.module.encode(batch)[0]

    def kl_per_dimension(self, images) -> np.ndarray:
        """Mean over ``images`` of KL(q(z_j | x) || N(0, 1)) for each latent dimension j, in nats,
        ``(n_latent,)``: what each dimension costs, so how much information it carries."""
        return self._predict(self.module.kl_per_dimension, as_model_images(images, self.image_shape)).mean(axis=0)


class ConvAutoencoder(ConvImageModel):
    """A convolutional autoencoder with the networks of :class:`ConvVAE` and no prior on its code."""

    description = "autoencoder"

    def __init__(self, image_shape, n_latent: int = 10, channels: Sequence[int] = (8, 16), hidden: int = 128):
        self.module = ConvAutoencoderModule(image_shape, n_latent, channels, hidden)
        self.image_shape, self.n_latent = tuple(image_shape), self.module.n_latent

    def _codes(self, batch: torch.Tensor) -> torch.Tensor:
        return self.module.encode(batch)
