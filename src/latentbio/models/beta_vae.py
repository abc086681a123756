"""beta-VAE with capacity control (Burgess et al. 2018, Section 4), as used for
out-of-distribution prediction by Lotfollahi et al. (2020/2021, Section 2).

Loss = reconstruction + beta * |KL - C|: the KL term is pulled towards a target
capacity C (in nats) rather than towards zero, and C grows linearly from 0 to
``capacity_max`` during training, so the code first learns the factor that buys the
largest reconstruction gain per nat and adds the others as the capacity grows.
"""

from collections.abc import Sequence

import torch

from .. import train
from .vae import VAE


class BetaVAE(VAE):
    """A :class:`~latentbio.models.VAE` whose KL term is ``beta * |KL - C|``.

    ``capacity_max`` is the final capacity C_max in nats; ``fit`` raises C by
    ``capacity_max / ramp_epochs`` at the start of each epoch (``ramp_epochs``
    defaults to the number of training epochs, as in the paper's code, where C grows
    by C_max / n_epochs after every epoch). Other parameters as for ``VAE``.
    """

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 20.0, capacity_max: float = 30.0, likelihood: str = "gaussian",
                 n_classes: int = 0):
        super().__init__(n_input, n_latent, hidden, beta=beta, likelihood=likelihood, n_classes=n_classes)
        if capacity_max < 0:
            raise ValueError(f"capacity_max must be non-negative (nats), got {capacity_max}")
        self.capacity_max = capacity_max
        self.capacity = 0.0

    def set_capacity(self, epoch: int, ramp_epochs: int) -> float:
        """C for ``epoch`` (counted from 0): C_max * epoch / ramp_epochs, at most C_max."""
        if ramp_epochs < 1:
            raise ValueError(f"ramp_epochs must be at least 1, got {ramp_epochs}")
        self.capacity = self.capacity_max * min(1.0, epoch / ramp_epochs)
        return self.capacity

    def loss(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * |KL - C| (Burgess et al. 2018, Eq. 8)."""
        terms = self.elbo_terms(x, y)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        return {"loss": reconstruction + self.beta * (kl - self.capacity).abs(),
                "reconstruction": reconstruction, "kl": kl}

    def fit(self, x, y=None, *, epochs: int = 50, ramp_epochs: int | None = None, **fit_options) -> train.History:
        """Train with :func:`latentbio.train.fit`, ramping C linearly over ``ramp_epochs`` (default ``epochs``)."""
        ramp = ramp_epochs or epochs
        return train.fit(self, self._inputs(x, y), epochs=epochs,
                         on_epoch_start=lambda epoch: self.set_capacity(epoch, ramp), **fit_options)
