"""A convolutional (beta-)VAE and autoencoder for small grey images, the disentanglement_lib way.

The encoder is a stack of 4x4 convolutions with stride 2 (each halves the image), a fully
connected layer and, for the VAE, the mean and log-variance of q(z | x); the decoder mirrors
it with transposed convolutions and returns one logit per pixel, scored with the Bernoulli
log-likelihood of the grey levels, as in disentanglement_lib's ``conv_encoder`` /
``deconv_decoder`` (Locatello et al. 2019), only narrower, for small images on a CPU.

- beta-VAE (Higgins et al. 2017): the loss is -log p(x | z) + beta * KL(q(z | x) || N(0, I)),
  one sampled z per image (Kingma & Welling 2014). ``beta = 1`` is the plain VAE.
- Autoencoder: the same networks with a deterministic code and no KL term.
"""

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import as_feature_matrix
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import bernoulli_log_prob


def conv_encoder(image_size: int, n_outputs: int, channels: Sequence[int], hidden: int) -> nn.Sequential:
    """Images ``(n, 1, size, size)`` -> ``(n, n_outputs)``: one stride-2 4x4 convolution per entry
    of ``channels`` (each halves the image), then a hidden layer of ``hidden`` units."""
    layers, previous = [], 1
    for width in channels:
        layers += [nn.Conv2d(previous, width, kernel_size=4, stride=2, padding=1), nn.ReLU()]
        previous = width
    side = image_size // 2 ** len(channels)
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(previous * side * side, hidden), nn.ReLU(),
                         nn.Linear(hidden, n_outputs))


def conv_decoder(image_size: int, n_latent: int, channels: Sequence[int], hidden: int) -> nn.Sequential:
    """Codes ``(n, n_latent)`` -> pixel logits ``(n, 1, size, size)``, the mirror of :func:`conv_encoder`."""
    side = image_size // 2 ** len(channels)
    widths = [*reversed(channels), 1]
    layers: list[nn.Module] = [nn.Linear(n_latent, hidden), nn.ReLU(), nn.Linear(hidden, widths[0] * side * side),
                               nn.ReLU(), nn.Unflatten(1, (widths[0], side, side))]
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.ConvTranspose2d(n_in, n_out, kernel_size=4, stride=2, padding=1))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _check_architecture(image_size: int, n_latent: int, channels: Sequence[int]) -> None:
    if n_latent < 1:
        raise ValueError(f"n_latent must be at least 1, got {n_latent}")
    if not channels or image_size % 2 ** len(channels):
        raise ValueError(f"the image size ({image_size}) must be divisible by 2 ** len(channels) "
                         f"= {2 ** len(channels)}, one halving per convolution")


class ConvVAEModule(nn.Module):
    """The networks and the loss of a convolutional beta-VAE (see the module docstring)."""

    def __init__(self, image_size: int, n_latent: int = 10, beta: float = 1.0,
                 channels: Sequence[int] = (16, 32, 32), hidden: int = 128):
        super().__init__()
        _check_architecture(image_size, n_latent, channels)
        if beta < 0:
            raise ValueError(f"beta must be non-negative, got {beta}")
        self.n_latent, self.beta = n_latent, beta
        self.encoder = conv_encoder(image_size, 2 * n_latent, channels, hidden)
        self.decoder = conv_decoder(image_size, n_latent, channels, hidden)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x), each ``(n, n_latent)``."""
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        return mean, log_var

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits ``(n, 1, size, size)`` of p(x | z)."""
        return self.decoder(z)

    def loss(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * KL(q(z | x) || N(0, I)), with both terms reported."""
        mean, log_var = self.encode(x)
        logits = self.decode(reparameterize(mean, log_var))
        reconstruction = -bernoulli_log_prob(x.flatten(1), logits.flatten(1)).mean()
        kl = kl_standard_normal(mean, log_var).mean()
        return {"loss": reconstruction + self.beta * kl, "reconstruction": reconstruction, "kl": kl}


class ConvAutoencoderModule(nn.Module):
    """The same networks with a deterministic code: the loss is -log p(x | code) alone."""

    def __init__(self, image_size: int, n_latent: int = 10, channels: Sequence[int] = (16, 32, 32),
                 hidden: int = 128):
        super().__init__()
        _check_architecture(image_size, n_latent, channels)
        self.n_latent = n_latent
        self.encoder = conv_encoder(image_size, n_latent, channels, hidden)
        self.decoder = conv_decoder(image_size, n_latent, channels, hidden)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code of each image, ``(n, n_latent)``."""
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits ``(n, 1, size, size)``."""
        return self.decoder(z)

    def loss(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | code)."""
        reconstruction = -bernoulli_log_prob(x.flatten(1), self.decode(self.encode(x)).flatten(1)).mean()
        return {"loss": reconstruction, "reconstruction": reconstruction}


def _as_images(images, image_size: int) -> torch.Tensor:
    """Grey images ``(n, size, size)`` in [0, 1] as a float32 tensor ``(n, 1, size, size)``."""
    array = np.asarray(images, dtype=np.float32)
    if array.ndim != 3 or array.shape[1:] != (image_size, image_size):
        raise ValueError(f"images must have shape (n, {image_size}, {image_size}); got {array.shape}")
    flat = as_feature_matrix(array.reshape(len(array), -1), name="images", unit_interval=True)
    return flat.reshape(len(array), 1, image_size, image_size)


class _ConvImageModel:
    """What the convolutional VAE and autoencoder share: fit, codes and decoding of grey images."""

    module: nn.Module
    image_size: int
    history: train.History | None = None

    def fit(self, images, *, epochs: int, **fit_options) -> train.History:
        """Train on ``images`` ``(n, size, size)`` with :func:`latentbio.train.fit`; returns the History."""
        self.history = train.fit(self.module, (_as_images(images, self.image_size),), epochs=epochs, **fit_options)
        return self.history

    def _device(self) -> torch.device:
        return next(self.module.parameters()).device

    def _codes(self, images) -> torch.Tensor:
        raise NotImplementedError

    def latent(self, images) -> np.ndarray:
        """The code of each image (the posterior mean E[z | x] for the VAE), ``(n, n_latent)``."""
        self.module.eval()
        return train.predict_in_batches(self._codes, _as_images(images, self.image_size),
                                        device=self._device()).numpy()

    def decode_mean(self, z) -> np.ndarray:
        """Expected images E[x | z] for codes ``z`` ``(n, n_latent)``, shape ``(n, size, size)``."""
        self.module.eval()
        z = as_feature_matrix(z, self.module.n_latent, name="z")
        probabilities = train.predict_in_batches(lambda codes: torch.sigmoid(self.module.decode(codes)), z,
                                                 device=self._device())
        return probabilities[:, 0].numpy()


class ConvVAE(_ConvImageModel):
    """A convolutional beta-VAE on grey images of ``image_size`` x ``image_size`` pixels."""

    def __init__(self, image_size: int, n_latent: int = 10, beta: float = 1.0,
                 channels: Sequence[int] = (16, 32, 32), hidden: int = 128):
        self.image_size = image_size
        self.module = ConvVAEModule(image_size, n_latent, beta, channels, hidden)

    def _codes(self, images: torch.Tensor) -> torch.Tensor:
        return self.module.encode(images)[0]

    def kl_per_dimension(self, images) -> np.ndarray:
        """Mean over ``images`` of KL(q(z_j | x) || N(0, 1)) for each latent dimension j, in nats,
        shape ``(n_latent,)``: what each dimension costs, i.e. how much it is used."""
        self.module.eval()

        def kl_terms(batch: torch.Tensor) -> torch.Tensor:
            mean, log_var = self.module.encode(batch)
            return 0.5 * (log_var.exp() + mean.pow(2) - 1.0 - log_var)

        return train.predict_in_batches(kl_terms, _as_images(images, self.image_size),
                                        device=self._device()).mean(dim=0).numpy()


class ConvAutoencoder(_ConvImageModel):
    """A convolutional autoencoder with the networks of :class:`ConvVAE` and no prior on its code."""

    def __init__(self, image_size: int, n_latent: int = 10, channels: Sequence[int] = (16, 32, 32),
                 hidden: int = 128):
        self.image_size = image_size
        self.module = ConvAutoencoderModule(image_size, n_latent, channels, hidden)

    def _codes(self, images: torch.Tensor) -> torch.Tensor:
        return self.module.encode(images)
