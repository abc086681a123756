"""The simplest exact generative model of grey-level images: every pixel an independent binomial.

Grey levels k / n (n = ``total_count``, 16 for scikit-learn's digits) are scored with
:func:`latentbio.likelihoods.binomial_log_prob`, an exact likelihood of the n + 1 levels, so
its nats per image stand beside a binomial VAE's bounds on the same scale. Fitted on the
images of one class it is the class-conditional model of a naive Bayes classifier
(Ng & Jordan 2002).
"""

import numpy as np
import torch

from .. import train
from ..checks import as_feature_matrix, check_integer
from ..likelihoods import binomial_log_prob
from .roles import DensityModel


class IndependentBinomial(DensityModel):
    """p(x) = prod_j Binomial(n x_j; n, p_j), each pixel on its own.

    ``fit`` sets p_j with add-one (Laplace) smoothing, p_j = (sum_i n x_ij + 1) / (n N + 2) over
    the N training rows: the maximum-likelihood estimate pulled slightly towards 1/2, so that a
    level never seen in training does not cost infinitely many nats. It has no torch network
    (``module`` is None): the fit is closed form. The density role: ``fit``, ``log_likelihood``,
    ``negative_log_likelihood``.
    """

    module = None
    description = "independent pixels"

    def __init__(self, total_count: int = 16):
        total_count = check_integer(total_count, "total_count", minimum=1)
        self.total_count = total_count
        self.pixel_probabilities: np.ndarray | None = None

    def fit(self, x, y=None, *, epochs: int | None = None, **fit_options) -> train.History:
        """Set each pixel's probability from the rows of ``x`` (grey levels k / ``total_count``).
        Returns a History of one "epoch" whose ``loss`` is the mean training -log p(x) in nats per
        row. The model takes no labels (fit one model per class for a class-conditional model);
        ``epochs`` and the training options of :func:`latentbio.train.fit` are accepted and have no
        effect (closed form)."""
        self._closed_form(y, fit_options)
        x = as_feature_matrix(x, unit_interval=True)
        counts = (x * self.total_count).sum(dim=0)
        self.pixel_probabilities = ((counts + 1) / (self.total_count * len(x) + 2)).numpy()
        self.history = train.History(train={"loss": [float(self.negative_log_likelihood(x).mean())]}, best_epoch=0)
        return self.history

    def log_likelihood(self, x) -> np.ndarray:
        """log p(x) in nats, one value per row of ``x``."""
        if self.pixel_probabilities is None:
            raise ValueError("call fit(x) before scoring data")
        x = as_feature_matrix(x, len(self.pixel_probabilities), unit_interval=True)
        probabilities = torch.as_tensor(self.pixel_probabilities, dtype=torch.float64)
        logits = torch.log(probabilities) - torch.log1p(-probabilities)
        return binomial_log_prob(x.double(), logits.expand_as(x), self.total_count).numpy()
