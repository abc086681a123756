"""dHSIC-VAE: a VAE whose latent coordinates are pushed towards mutual independence
by a d-variable HSIC penalty (Lotfollahi et al. 2020/2021, Section 2; the HSIC
penalty of Lopez et al. 2018, Section 3; dHSIC of Pfister et al. 2018).

Loss = reconstruction + beta * KL + gamma * dHSIC(z_1, ..., z_d), where the z_j are
the latent coordinates of the minibatch, *sampled* from q(z | x) with the
reparameterisation trick: the samples of a minibatch are draws from the aggregate
posterior q(z), and a factorised q(z) is what disentanglement asks for. Each
coordinate is its own variable (the paper's code computes the HSIC of the whole code
with itself, which measures nothing about independence between dimensions).

:class:`DHSICVAEModule` is the network and loss; :class:`DHSICVAE` its array face and
:class:`ExpressionDHSICVAE` its AnnData face (log-normalised expression).
"""

from collections.abc import Sequence

import torch

from ..checks import check_integer, check_number
from ..metrics.hsic import latent_dhsic
from .expression_vae import ExpressionVAE
from .vae import VAE, VAEModule


class DHSICVAEModule(VAEModule):
    """A :class:`~latentbio.models.vae.VAEModule` with ``gamma`` times the dHSIC of its sampled
    latent coordinates added to the loss (Gaussian RBF kernels, median-heuristic bandwidth per
    coordinate and minibatch, see :mod:`latentbio.metrics.hsic`)."""

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 1.0, likelihood: str = "gaussian", n_classes: int = 0, gamma: float = 50.0):
        super().__init__(n_input, n_latent, hidden, beta=beta, likelihood=likelihood, n_classes=n_classes)
        check_number(gamma, "gamma", minimum=0)
        check_integer(n_latent, "n_latent (dHSIC needs at least two latent dimensions)", minimum=2)
        self.gamma = float(gamma)

    def loss(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z) + beta * KL, plus gamma * dHSIC of the batch's z samples."""
        terms = self.elbo_terms(x, y)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        dependence = latent_dhsic(terms["z"])
        return {"loss": reconstruction + self.beta * kl + self.gamma * dependence,
                "reconstruction": reconstruction, "kl": kl, "dhsic": dependence}


class DHSICVAE(VAE):
    """A :class:`~latentbio.models.VAE` with the dHSIC penalty (module docstring); other
    parameters as for ``VAE``."""

    module_class = DHSICVAEModule
    description = "dHSIC-VAE"

    def __init__(self, n_input: int, n_latent: int = 10, hidden: Sequence[int] = (256, 128),
                 beta: float = 1.0, gamma: float = 50.0, likelihood: str = "gaussian", n_classes: int = 0):
        super().__init__(n_input, n_latent, hidden, beta=beta, likelihood=likelihood, n_classes=n_classes,
                         gamma=gamma)


class ExpressionDHSICVAE(ExpressionVAE):
    """The dHSIC-VAE on log-normalised expression of an AnnData (the paper's Kang settings by
    default: beta = 1, gamma = 50)."""

    module_class = DHSICVAEModule
    description = "expression dHSIC-VAE"

    def __init__(self, adata, *, layer: str | None = None, n_latent: int = 5, hidden: Sequence[int] = (128, 64),
                 beta: float = 1.0, gamma: float = 50.0):
        super().__init__(adata, layer=layer, n_latent=n_latent, hidden=hidden, beta=beta, gamma=gamma)