"""beta-VAE with capacity control (Burgess et al. 2018, Section 4), as used for
out-of-distribution prediction by Lotfollahi et al. (2020/2021, Section 2).

Loss = reconstruction + beta * |KL - C|: the KL term is pulled towards a target
capacity C (in nats) rather than towards zero, and C grows linearly from 0 to
``capacity_max`` during training (:func:`latentbio.train.linear_ramp`), so the code first
learns the factor that buys the largest reconstruction gain per nat and adds the others
as the capacity grows.

:class:`CapacityVAEModule` is the network and loss; :class:`BetaVAE` its array face and
:class:`ExpressionBetaVAE` its AnnData face (log-normalised expression).
"""

from collections.abc import Callable, Sequence

import torch

from .. import train
from ..checks import check_number
from .expression_vae import ExpressionVAE
from .vae import VAE, VAEModule


class CapacityVAEModule(VAEModule):
    """A :class:`~latentbio.models.vae.VAEModule` whose KL term is ``beta * |KL - C|``;
    ``capacity`` (C, nats) is set during training by a ramp up to ``capacity_max``."""

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 20.0, likelihood: str = "gaussian", n_classes: int = 0, capacity_max: float = 30.0):
        super().__init__(n_input, n_latent, hidden, beta=beta, likelihood=likelihood, n_classes=n_classes)
        check_number(capacity_max, "capacity_max (nats)", minimum=0)
        self.capacity_max = float(capacity_max)
        self.capacity = 0.0

    def loss(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * |KL - C| (Burgess et al. 2018, Eq. 8)."""
        terms = self.elbo_terms(x, y)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        return {"loss": reconstruction + self.beta * (kl - self.capacity).abs(),
                "reconstruction": reconstruction, "kl": kl}

    def capacity_ramp(self, ramp_epochs: int, then: Callable[[int], None] | None = None):
        """The ``on_epoch_start`` callback that raises C linearly to ``capacity_max`` over ``ramp_epochs``
        (and then calls ``then(epoch)``, another ``on_epoch_start`` callback, if given)."""
        ramp = train.ramp_attribute(self, "capacity", self.capacity_max, ramp_epochs)
        if then is None:
            return ramp

        def start_epoch(epoch: int) -> None:
            ramp(epoch)
            then(epoch)

        return start_epoch


class BetaVAE(VAE):
    """A :class:`~latentbio.models.VAE` whose KL term is ``beta * |KL - C|`` (module docstring).

    ``capacity_max`` is the final capacity C_max in nats; ``fit`` raises C linearly over
    ``capacity_ramp_epochs`` epochs (default: all training epochs, as in the paper's code,
    where C grows by C_max / n_epochs every epoch). Other parameters as for ``VAE``.
    """

    module_class = CapacityVAEModule
    description = "beta-VAE"

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 20.0, capacity_max: float = 30.0, likelihood: str = "gaussian", n_classes: int = 0):
        super().__init__(n_input, n_latent, hidden, beta=beta, likelihood=likelihood, n_classes=n_classes,
                         capacity_max=capacity_max)

    def fit(self, x, y=None, *, epochs: int = 50, capacity_ramp_epochs: int | None = None,
            on_epoch_start: Callable[[int], None] | None = None, **fit_options) -> train.History:
        """Train with :func:`latentbio.train.fit`, ramping C over ``capacity_ramp_epochs`` (default ``epochs``)."""
        ramp = self.module.capacity_ramp(epochs if capacity_ramp_epochs is None else capacity_ramp_epochs,
                                         then=on_epoch_start)
        return super().fit(x, y, epochs=epochs, on_epoch_start=ramp, **fit_options)


class ExpressionBetaVAE(ExpressionVAE):
    """The capacity-controlled beta-VAE on log-normalised expression of an AnnData
    (the paper's Kang settings by default: beta = 20, C_max = 30 nats)."""

    module_class = CapacityVAEModule
    description = "expression beta-VAE"

    def __init__(self, adata, *, layer: str | None = None, n_latent: int = 5, hidden: Sequence[int] = (128, 64),
                 beta: float = 20.0, capacity_max: float = 30.0):
        super().__init__(adata, layer=layer, n_latent=n_latent, hidden=hidden, beta=beta, capacity_max=capacity_max)

    def train(self, max_epochs: int = 100, *, capacity_ramp_epochs: int | None = None,
              on_epoch_start: Callable[[int], None] | None = None, **train_options) -> train.History:
        """As :meth:`ExpressionVAE.train`, raising C over ``capacity_ramp_epochs`` (default ``max_epochs``)."""
        ramp = self.module.capacity_ramp(max_epochs if capacity_ramp_epochs is None else capacity_ramp_epochs,
                                         then=on_epoch_start)
        return super().train(max_epochs, on_epoch_start=ramp, **train_options)
