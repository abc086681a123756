"""The simplest generative model of images: every pixel an independent Bernoulli.

Scored with the same cross-entropy as a Bernoulli VAE on grey levels in [0, 1]
(:func:`latentbio.likelihoods.bernoulli_log_prob`), so its nats per image can stand
beside the VAE's negative ELBO. With grey levels as targets that cross-entropy cannot
reach 0: per pixel it is the binary entropy of the grey level plus
KL(Bernoulli(x) || Bernoulli(p)), so its floor is :func:`latentbio.likelihoods.bernoulli_entropy`.
"""

import numpy as np
import torch

from .. import train
from ..checks import as_feature_matrix, check_number
from ..likelihoods import bernoulli_log_prob
from .roles import DensityModel


class IndependentBernoulli(DensityModel):
    """p(x) = prod_j Bernoulli(x_j; p_j), with p_j the mean of pixel j over the training images
    (the density role: ``fit``, ``log_likelihood``, ``negative_log_likelihood``).

    Pixel probabilities are kept within [``eps``, 1 - ``eps``]: a pixel never inked in
    training would otherwise cost infinitely many nats when a test image inks it. It has no
    torch network (``module`` is None): ``fit`` sets the probabilities in closed form.
    """

    module = None

    def __init__(self, eps: float = 1e-4):
        check_number(eps, "eps", minimum=0.0, maximum=0.5, exclusive=True)
        self.eps = eps
        self.pixel_probabilities: np.ndarray | None = None

    def fit(self, x, y=None, *, epochs: int | None = None, **fit_options) -> train.History:
        """Set each pixel's probability to its mean over the rows of ``x`` (values in [0, 1]), the
        maximum-likelihood estimate. Returns a History of one "epoch" whose ``loss`` is the mean
        training cross-entropy in nats per row. The model takes no labels; ``epochs`` and the
        training options of :func:`latentbio.train.fit` are accepted and have no effect (closed form)."""
        self._closed_form(y, fit_options)
        x = as_feature_matrix(x, unit_interval=True)
        self.pixel_probabilities = x.mean(dim=0).clamp(self.eps, 1 - self.eps).numpy()
        self.history = train.History(train={"loss": [float(self.negative_log_likelihood(x).mean())]},
                                     best_epoch=0)
        return self.history

    def log_likelihood(self, x) -> np.ndarray:
        """log p(x) in nats (minus the cross-entropy), one value per row of ``x``."""
        if self.pixel_probabilities is None:
            raise ValueError("call fit(x) before scoring data")
        x = as_feature_matrix(x, len(self.pixel_probabilities), unit_interval=True)
        probabilities = torch.as_tensor(self.pixel_probabilities)
        logits = torch.log(probabilities) - torch.log1p(-probabilities)
        return bernoulli_log_prob(x, logits.expand_as(x)).numpy()
