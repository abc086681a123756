"""The simplest generative model of images: every pixel an independent Bernoulli, plus the loss floor.

Scored with the same cross-entropy as a Bernoulli VAE on grey levels in [0, 1]
(:func:`latentbio.likelihoods.bernoulli_log_prob`), so its nats per image can stand
beside the VAE's negative ELBO. With grey levels as targets that cross-entropy cannot
reach 0: per pixel it is the binary entropy of the grey level plus
KL(Bernoulli(x) || Bernoulli(p)), so its floor is :func:`bernoulli_entropy`.
"""

import numpy as np
import torch

from ..likelihoods import bernoulli_log_prob
from ..checks import as_feature_matrix


class IndependentBernoulli:
    """p(x) = prod_j Bernoulli(x_j; p_j), with p_j the mean of pixel j over the training images.

    Pixel probabilities are kept within [``eps``, 1 - ``eps``]: a pixel never inked in
    training would otherwise cost infinitely many nats when a test image inks it.
    """

    def __init__(self, eps: float = 1e-4):
        if not 0.0 < eps < 0.5:
            raise ValueError(f"eps must lie in (0, 0.5), got {eps}")
        self.eps = eps
        self.pixel_probabilities: np.ndarray | None = None

    def fit(self, x) -> "IndependentBernoulli":
        """Set each pixel's probability to its mean over the rows of ``x`` (values in [0, 1])."""
        x = as_feature_matrix(x, unit_interval=True)
        self.pixel_probabilities = x.mean(dim=0).clamp(self.eps, 1 - self.eps).numpy()
        return self

    def negative_log_likelihood(self, x) -> np.ndarray:
        """Cross-entropy -log p(x) in nats, one value per row of ``x``."""
        if self.pixel_probabilities is None:
            raise ValueError("call fit(x) before scoring data")
        x = as_feature_matrix(x, len(self.pixel_probabilities), unit_interval=True)
        probabilities = torch.as_tensor(self.pixel_probabilities)
        logits = torch.log(probabilities) - torch.log1p(-probabilities)
        return (-bernoulli_log_prob(x, logits.expand_as(x))).numpy()


def bernoulli_entropy(x) -> np.ndarray:
    """Sum over pixels of the binary entropy -x log x - (1 - x) log(1 - x), one value per row:
    the smallest cross-entropy any model can reach on grey levels ``x`` in [0, 1]."""
    x = as_feature_matrix(x, unit_interval=True).double()
    return (torch.special.entr(x) + torch.special.entr(1 - x)).sum(dim=1).numpy()
