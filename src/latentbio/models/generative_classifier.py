"""A generative classifier: Bayes' rule over the class-conditional likelihoods of a conditional VAE.

A discriminative classifier (e.g. logistic regression) models p(y | x) directly. A
generative one models how each class makes its data, p(x | y), and the class frequencies
p(y), and classifies with Bayes' rule

    p(y | x) = p(x | y) p(y) / sum_c p(x | c) p(c).

Here log p(x | y) is estimated, once per candidate class, by the importance-weighted bound
(Burda et al. 2016) of a conditional VAE (Sohn et al. 2015): a lower bound on it that is
tighter than the ELBO (Kingma & Welling 2014, eq. 3) and approaches it as the number of
sampled codes grows. With an exact likelihood of the data (a binomial decoder for grey
levels), Bayes' rule then compares numbers on the same scale for every class.
"""

import numpy as np
import torch

from .. import train
from ..checks import check_feature_matrix
from .roles import Classifier
from .vae import VAE


def bayes_rule(class_log_likelihoods, class_log_prior) -> np.ndarray:
    """Posterior class probabilities p(y | x), shape ``(n, n_classes)``, from
    ``class_log_likelihoods`` log p(x | y) ``(n, n_classes)`` and ``class_log_prior``
    log p(y) ``(n_classes,)``, normalised in log space (log-sum-exp) so that likelihoods
    of hundreds of nats do not underflow."""
    log_joint = torch.as_tensor(np.asarray(class_log_likelihoods, dtype=np.float64))
    log_prior = torch.as_tensor(np.asarray(class_log_prior, dtype=np.float64))
    if log_joint.ndim != 2 or log_prior.shape != (log_joint.shape[1],):
        raise ValueError("expected class_log_likelihoods of shape (n, n_classes) and class_log_prior of shape "
                         f"(n_classes,); got {tuple(log_joint.shape)} and {tuple(log_prior.shape)}")
    log_joint = log_joint + log_prior
    return torch.softmax(log_joint, dim=1).numpy()


class GenerativeClassifier(Classifier):
    """Classify with Bayes' rule from a conditional VAE's bound on log p(x | y) per class (from
    ``n_samples`` codes each) and the class frequencies.

    ``vae`` must be conditional (``n_classes > 0``); its network is also ``self.module``.
    :meth:`fit` trains it on labelled data and sets p(y) to the training frequencies; the same
    VAE then also generates digits of a requested class (``classifier.vae.generate(n, y)``).
    The classifier role (:mod:`latentbio.models.roles`): ``fit``, ``predict_proba``, ``predict``,
    ``score`` (accuracy) and ``error`` (1 - accuracy).
    """

    def __init__(self, vae: VAE, n_samples: int = 10):
        if not isinstance(vae, VAE) or vae.n_classes < 2:
            raise ValueError("a generative classifier needs a conditional VAE: VAE(..., n_classes=k) with k >= 2")
        self.vae, self.n_samples = vae, n_samples
        self.module, self.n_classes = vae.module, vae.n_classes
        self.class_log_prior = np.full(vae.n_classes, -np.log(vae.n_classes))

    def _class_index(self, y, n_samples, *, name: str = "y"):
        """Labels as class indices, named as the VAE names them."""
        index = self.vae._class_index(y, n_samples, name=name)
        self.classes = self.vae.classes
        return index

    def _rows(self, x):
        return check_feature_matrix(x, self.vae.n_input, unit_interval=self.module.likelihood != "gaussian")

    def fit(self, x, y, *, epochs: int = 50, **fit_options) -> train.History:
        """Train the conditional VAE on (x, y) and set the prior to the label frequencies; returns the History."""
        x = self._rows(x)
        labels = self._class_index(y, x.shape[0]).numpy()
        counts = np.bincount(labels, minlength=self.vae.n_classes)
        if (counts == 0).any():
            raise ValueError(f"every class needs training examples; classes {np.flatnonzero(counts == 0).tolist()} "
                             "have none")
        self.class_log_prior = np.log(counts / counts.sum())
        self.classes = self.vae.classes
        self.history = self.vae.fit(x, y, epochs=epochs, **fit_options)
        return self.history

    def class_log_likelihoods(self, x) -> np.ndarray:
        """Importance-weighted bounds on log p(x | y) for every class y (``n_samples`` codes each),
        shape ``(n, n_classes)``, in nats (columns in the order of ``self.classes``)."""
        x = self._rows(x)
        n = x.shape[0]
        classes = self.vae.classes if self.vae.classes is not None else np.arange(self.n_classes)
        return np.stack([self.vae.importance_weighted_bound(x, [label] * n, n_samples=self.n_samples)
                         for label in classes], axis=1)

    def predict_proba(self, x) -> np.ndarray:
        """Posterior class probabilities p(y | x) by Bayes' rule, shape ``(n, n_classes)``."""
        return bayes_rule(self.class_log_likelihoods(x), self.class_log_prior)
