"""A variational autoencoder on flat feature vectors, with a beta knob and an optional class condition.

- VAE: Kingma & Welling (2014), the loss is the negative ELBO
  -E_q[log p(x | z)] + KL(q(z | x) || N(0, I)).
- beta-VAE: Higgins et al. (2017) multiply the KL term by ``beta`` (beta > 1 presses
  the code towards the factorised prior, which encourages disentanglement).
- Conditional VAE: Sohn et al. (2015) give a class label to both the encoder and the
  decoder (``n_classes > 0``), so that the decoder learns p(x | z, y).
- Importance-weighted bound (Burda et al. 2016, Eq. 8): with k codes z_i drawn from
  q(z | x), log (1/k) sum_i p(x | z_i) p(z_i) / q(z_i | x) is a lower bound on log p(x) that
  equals the ELBO's estimate for k = 1 and rises towards log p(x) as k grows
  (:func:`log_importance_weights` gives the k log-weights of each sample).

:class:`VAEModule` is the torch network and its loss; :class:`VAE` is the face a notebook uses
(arrays in, arrays out).
"""

from collections.abc import Sequence

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import train
from ..blocks import GaussianEncoder, mlp
from ..checks import check_feature_matrix, check_integer, check_number, dense_rows
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import check_observation_model, observation_log_prob, observation_mean
from .roles import RepresentationModel


class VAEModule(nn.Module):
    """Encoder, decoder and negative ELBO of a (beta-, conditional) VAE with MLP encoder and decoder.

    ``n_input`` features, ``n_latent`` latent dimensions, ``hidden`` sizes of the encoder's
    hidden layers (the decoder mirrors them), ``beta`` the weight of the KL term,
    ``likelihood`` ``"bernoulli"`` (data in [0, 1]), ``"gaussian"`` (unit variance) or
    ``"binomial"`` (grey levels k / ``total_count``, an exact likelihood of discrete levels),
    ``n_classes`` > 0 for a conditional VAE.
    """

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 1.0, likelihood: str = "bernoulli", n_classes: int = 0,
                 total_count: int | None = None):
        super().__init__()
        n_input = check_integer(n_input, "n_input", minimum=1)
        n_latent = check_integer(n_latent, "n_latent", minimum=1)
        n_classes = check_integer(n_classes, "n_classes", minimum=0)
        check_number(beta, "beta", minimum=0)
        self.n_input, self.n_latent, self.n_classes = int(n_input), int(n_latent), int(n_classes)
        self.beta = float(beta)
        self.likelihood = check_observation_model(likelihood)
        if (likelihood == "binomial") != (total_count is not None):
            raise ValueError("give total_count (the number of grey-level steps, e.g. 16) with likelihood='binomial', "
                             f"and only then; got likelihood={likelihood!r}, total_count={total_count!r}")
        self.total_count = total_count
        self.encoder = GaussianEncoder(self.n_input + self.n_classes, self.n_latent, hidden)
        self.decoder = mlp([self.n_latent + self.n_classes, *reversed(hidden), self.n_input])

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
        """Decoder output for latent codes: logits (Bernoulli, binomial) or means (Gaussian)."""
        return self.decoder(self._with_class(z, y))

    def elbo_terms(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Per-sample reconstruction log-likelihood (one z sample) and KL of the ELBO,
        with the sampled codes ``z`` they were computed from."""
        mean, log_var = self.encode(x, y)
        z = reparameterize(mean, log_var)
        return {"log_likelihood": self.log_likelihood(x, self.decode(z, y)),
                "kl": kl_standard_normal(mean, log_var), "z": z}

    def log_likelihood(self, x: torch.Tensor, decoded: torch.Tensor) -> torch.Tensor:
        """log p(x | z) given the decoder's output for z, summed over features."""
        return observation_log_prob(self.likelihood, x, decoded, total_count=self.total_count)

    def loss(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * KL, with both terms reported."""
        terms = self.elbo_terms(x, y)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        return {"loss": reconstruction + self.beta * kl, "reconstruction": reconstruction, "kl": kl}


def log_importance_weights(module: VAEModule, x: torch.Tensor, y: torch.Tensor | None = None,
                           n_samples: int = 1) -> torch.Tensor:
    """log p(x | z_i) + log p(z_i) - log q(z_i | x) for ``n_samples`` codes z_i ~ q(z | x) per sample of
    ``x`` under the VAE network ``module``, shape ``(n_samples, n)``: their mean estimates the ELBO,
    their log-mean-exp the importance-weighted bound (Burda et al. 2016, Eq. 8)."""
    mean, log_var = module.encode(x, y)
    posterior = torch.distributions.Normal(mean, torch.exp(0.5 * log_var))
    z = posterior.sample((n_samples,))
    prior = torch.distributions.Normal(torch.zeros_like(mean), torch.ones_like(mean))
    decoded = module.decode(z.flatten(0, 1), None if y is None else y.repeat(n_samples))
    log_likelihood = module.log_likelihood(x.repeat(n_samples, 1), decoded).view(n_samples, -1)
    return log_likelihood + (prior.log_prob(z) - posterior.log_prob(z)).sum(dim=-1)


class VAE(RepresentationModel):
    """A (beta-, conditional) VAE on flat feature vectors; the network is ``self.module``
    (:class:`VAEModule`, whose arguments these are).

    The representation role (:mod:`latentbio.models.roles`), conditional when ``n_classes > 0``:
    then ``fit``, ``latent`` and ``decode_mean`` all need the labels ``y``. ``x`` may be an array,
    a tensor or a scipy-sparse matrix; labels ``y`` integers, strings or categories (see
    :class:`~latentbio.models.base.ArrayModel`).
    """

    module_class = VAEModule
    description = "VAE"

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 1.0, likelihood: str = "bernoulli", n_classes: int = 0, **module_options):
        self.module = self.module_class(n_input, n_latent, hidden, beta=beta, likelihood=likelihood,
                                        n_classes=n_classes, **module_options)
        self.n_input, self.n_latent, self.n_classes = self.module.n_input, self.module.n_latent, self.module.n_classes

    @property
    def conditional(self) -> bool:
        """Whether this VAE is conditioned on class labels (``n_classes > 0``)."""
        return self.n_classes > 0

    def __repr__(self) -> str:
        state = f"trained for {self.history.n_epochs} epochs" if self.history else "not trained"
        condition = f", {self.n_classes} classes" if self.n_classes else ""
        return (f"{type(self).__name__}({self.n_input} inputs, {self.n_latent} latent dimensions, "
                f"{self.module.likelihood} likelihood{condition}, {state})")

    def _inputs(self, x, y=None, *, name: str = "x") -> tuple:
        """(x as a float32 tensor or CSR matrix, labels as int64 or None), checked."""
        x = check_feature_matrix(x, self.n_input, name=name, unit_interval=self.module.likelihood != "gaussian")
        return x, self._labels(y, x.shape[0])

    def _labels(self, y, n_samples: int) -> torch.Tensor | None:
        if self.n_classes == 0:
            if y is not None:
                raise ValueError("y was given but this VAE is not conditional (n_classes=0); "
                                 "build it with n_classes=... to condition on labels")
            return None
        if y is None:
            raise ValueError(f"this conditional VAE needs class labels y ({self.n_classes} classes)")
        return self._class_index(y, n_samples)

    def fit(self, x, y=None, *, epochs: int = 50, **fit_options) -> train.History:
        """Train on ``x`` (and labels ``y`` if conditional) with :func:`latentbio.train.fit`;
        ``fit_options`` (``batch_size``, ``lr``, ``seed``, ``val_fraction``, ``patience`` ...) go there."""
        x, labels = self._inputs(x, y)
        data = (x,) if labels is None else (x, labels)
        return self._fit(data, epochs=epochs, **fit_options)

    def latent(self, x, y=None) -> np.ndarray:
        """Posterior means E[z | x], shape ``(n_samples, n_latent)``."""
        x, labels = self._inputs(x, y)
        return self._predict(lambda *batch: self.module.encode(*batch)[0], x if labels is None else (x, labels))

    def decode_mean(self, z, y=None) -> np.ndarray:
        """Expected observation E[x | z (, y)] for latent codes ``z``, shape ``(n, n_input)``."""
        z = check_feature_matrix(z, self.n_latent, name="z")
        labels = self._labels(y, z.shape[0])
        return self._predict(lambda *batch: observation_mean(self.module.likelihood, self.module.decode(*batch)),
                             z if labels is None else (z, labels))

    def generate(self, n: int, y=None, *, seed: int = 0) -> np.ndarray:
        """Draw ``n`` codes from the prior N(0, I) and decode them (of class ``y`` if conditional:
        one label for all, or one per sample)."""
        z = torch.randn(n, self.n_latent, generator=torch.Generator().manual_seed(seed))
        if self.n_classes and y is not None and np.ndim(y) == 0:
            y = [y] * n
        return self.decode_mean(z, y)

    @torch.no_grad()
    def negative_elbo(self, x, y=None, *, n_samples: int = 10, seed: int = 0) -> np.ndarray:
        """-ELBO per sample in nats, averaged over ``n_samples`` draws of z (an upper bound on -log p(x))."""
        x, labels = self._inputs(x, y)
        x = torch.from_numpy(dense_rows(x))
        inputs = [x.to(self.device)] + ([] if labels is None else [labels.to(self.device)])
        self.module.eval()
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        total = torch.zeros(len(x), device=self.device)
        for _ in range(n_samples):
            terms = self.module.elbo_terms(*inputs)
            total += terms["kl"] - terms["log_likelihood"]
        torch.random.set_rng_state(state)
        return (total / n_samples).cpu().numpy()

    @torch.no_grad()
    def importance_weighted_bound(self, x, y=None, *, n_samples: int = 1000, seed: int = 0,
                                  samples_per_pass: int = 100) -> np.ndarray:
        """The importance-weighted lower bound on log p(x) (Burda et al. 2016, Eq. 8) per sample, in
        nats, from ``n_samples`` codes drawn from q(z | x) (``samples_per_pass`` at a time). It
        equals an ELBO estimate for ``n_samples = 1`` and approaches log p(x) as it grows."""
        n_samples = check_integer(n_samples, "n_samples", minimum=1)
        x, labels = self._inputs(x, y)
        inputs = [torch.from_numpy(dense_rows(x)).to(self.device)] + ([] if labels is None else [labels.to(self.device)])
        self.module.eval()
        state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        passes = [log_importance_weights(self.module, *inputs, n_samples=min(samples_per_pass, n_samples - start))
                  for start in range(0, n_samples, samples_per_pass)]
        torch.random.set_rng_state(state)
        return (torch.logsumexp(torch.cat(passes), dim=0) - math.log(n_samples)).cpu().numpy()
