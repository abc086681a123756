"""A variational autoencoder on flat feature vectors, with a beta knob and an optional class condition.

- VAE: Kingma & Welling (2014), the loss is the negative ELBO
  -E_q[log p(x | z)] + KL(q(z | x) || N(0, I)).
- beta-VAE: Higgins et al. (2017) multiply the KL term by ``beta`` (beta > 1 presses
  the code towards the factorised prior, which encourages disentanglement).
- Conditional VAE: Sohn et al. (2015) give a class label to both the encoder and the
  decoder (``n_classes > 0``), so that the decoder learns p(x | z, y).
"""

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import train
from ..blocks import GaussianEncoder, mlp
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import check_observation_model, observation_log_prob, observation_mean
from ..checks import as_feature_matrix, as_labels


class VAE(nn.Module):
    """A (beta-, conditional) VAE with MLP encoder and decoder.

    Parameters: ``n_input`` features per sample (e.g. 64 for 8x8 images),
    ``n_latent`` latent dimensions, ``hidden`` sizes of the encoder's hidden layers
    (the decoder mirrors them), ``beta`` the weight of the KL term, ``likelihood``
    ``"bernoulli"`` (data in [0, 1]) or ``"gaussian"`` (unit variance),
    ``n_classes`` > 0 for a conditional VAE.
    """

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 1.0, likelihood: str = "bernoulli", n_classes: int = 0):
        super().__init__()
        if beta < 0:
            raise ValueError(f"beta must be non-negative, got {beta}")
        self.n_input, self.n_latent, self.n_classes = n_input, n_latent, n_classes
        self.beta = beta
        self.likelihood = check_observation_model(likelihood)
        self.encoder = GaussianEncoder(n_input + n_classes, n_latent, hidden)
        self.decoder = mlp([n_latent + n_classes, *reversed(hidden), n_input])

    def _with_class(self, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        if self.n_classes == 0:
            return h
        if y is None:
            raise ValueError("this conditional VAE needs class labels y")
        return torch.cat([h, F.one_hot(y, self.n_classes).to(h.dtype)], dim=-1)

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x [, y])."""
        return self.encoder(self._with_class(x, y))

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Decoder output for latent codes: logits (Bernoulli) or means (Gaussian)."""
        return self.decoder(self._with_class(z, y))

    def elbo_terms(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Per-sample reconstruction log-likelihood (one z sample) and KL of the ELBO,
        with the sampled codes ``z`` they were computed from."""
        mean, log_var = self.encode(x, y)
        z = reparameterize(mean, log_var)
        return {"log_likelihood": observation_log_prob(self.likelihood, x, self.decode(z, y)),
                "kl": kl_standard_normal(mean, log_var), "z": z}

    def loss(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * KL, with both terms reported."""
        terms = self.elbo_terms(x, y)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        return {"loss": reconstruction + self.beta * kl, "reconstruction": reconstruction, "kl": kl}

    # ---- the user-facing face: arrays in, arrays out -------------------------------------

    def _inputs(self, x, y=None) -> tuple:
        x = as_feature_matrix(x, self.n_input, unit_interval=self.likelihood == "bernoulli")
        if self.n_classes == 0:
            if y is not None:
                raise ValueError("y was given but this VAE is not conditional (n_classes=0)")
            return (x,)
        if y is None:
            raise ValueError(f"this conditional VAE needs class labels y in [0, {self.n_classes})")
        return x, as_labels(y, self.n_classes, len(x))

    def fit(self, x, y=None, *, epochs: int = 50, **fit_options) -> train.History:
        """Train on ``x`` (and labels ``y`` if conditional) with :func:`latentbio.train.fit`."""
        return train.fit(self, self._inputs(x, y), epochs=epochs, **fit_options)

    def _device(self) -> torch.device:
        return next(self.parameters()).device

    @torch.no_grad()
    def latent(self, x, y=None) -> np.ndarray:
        """Posterior means E[z | x], shape ``(n_samples, n_latent)``."""
        self.eval()
        inputs = [t.to(self._device()) for t in self._inputs(x, y)]
        return self.encode(*inputs)[0].cpu().numpy()

    @torch.no_grad()
    def decode_mean(self, z, y=None) -> np.ndarray:
        """Expected observation E[x | z (, y)] for latent codes ``z`` (an array)."""
        self.eval()
        z = as_feature_matrix(z, self.n_latent, name="z").to(self._device())
        labels = None
        if self.n_classes:
            if y is None:
                raise ValueError(f"this conditional VAE needs class labels y in [0, {self.n_classes})")
            labels = as_labels(y, self.n_classes, len(z)).to(self._device())
        elif y is not None:
            raise ValueError("y was given but this VAE is not conditional (n_classes=0)")
        return observation_mean(self.likelihood, self.decode(z, labels)).cpu().numpy()

    def reconstruct(self, x, y=None) -> np.ndarray:
        """Decode the posterior means of ``x``: E[x | z = E[z | x]]."""
        return self.decode_mean(self.latent(x, y), y)

    def generate(self, n: int, y=None, *, seed: int = 0) -> np.ndarray:
        """Draw ``n`` codes from the prior N(0, I) and decode them (of class ``y`` if conditional)."""
        z = torch.randn(n, self.n_latent, generator=torch.Generator().manual_seed(seed))
        if self.n_classes and y is not None and np.ndim(y) == 0:
            y = np.full(n, int(y))
        return self.decode_mean(z, y)

    @torch.no_grad()
    def negative_elbo(self, x, y=None, *, n_samples: int = 10, seed: int = 0) -> np.ndarray:
        """-ELBO per sample in nats, averaged over ``n_samples`` draws of z (an upper bound on -log p(x))."""
        self.eval()
        inputs = [t.to(self._device()) for t in self._inputs(x, y)]
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        total = torch.zeros(len(inputs[0]), device=self._device())
        for _ in range(n_samples):
            terms = self.elbo_terms(*inputs)
            total += terms["kl"] - terms["log_likelihood"]
        torch.random.set_rng_state(state)
        return (total / n_samples).cpu().numpy()
