"""The roles a model of arrays can play, each with one contract (the AnnData role is
:class:`~latentbio.models.base.AnnDataModel`).

A model declares its roles by deriving from their classes; the verbs of a role are abstract
methods, so a model that declares a role and lacks a verb cannot be built. ``model.roles``
names them. Labels ``y`` may be integers ``0 .. n_classes - 1``, strings or a pandas
Categorical (see :class:`~latentbio.models.base.ArrayModel`).

========================  ==========================================================================
role                      contract
========================  ==========================================================================
``representation``        ``fit(x, y=None, *, epochs, ...) -> History``; ``latent(x, y=None)`` one code
                          per sample; ``decode_mean(z, y=None)`` the expected sample of each code,
                          shaped like ``x``; ``reconstruct(x, y=None)``. ``conditional`` models need
                          the class labels ``y`` to fit and to decode (and take them, checked, to encode);
                          the others refuse labels.
``transfer``              a conditional representation whose codes hold the content without the class:
                          ``transfer(x, target_y)`` re-renders each sample as another class.
``classifier``            ``fit(x, y, *, epochs, ...) -> History``; ``predict_proba(x)``; ``predict(x)``
                          (labels named as in ``fit``); ``score(x, y)`` the accuracy;
                          ``error(x, y)`` = 1 - ``score``.
``density``               ``fit(x, y=None, ...) -> History``; ``log_likelihood(x)`` in nats, one per
                          sample; ``negative_log_likelihood(x)``.
``anndata``               ``train(max_epochs=...) -> History``; ``get_latent_representation(adata=None)``;
                          ``decode_latent(latent, ...)`` (:class:`~latentbio.models.base.AnnDataModel`).
========================  ==========================================================================
"""

from __future__ import annotations

import abc
import inspect

import numpy as np

from .. import train
from .base import AnnDataModel, ArrayModel


class RepresentationModel(ArrayModel):
    """The representation role: a code for every sample and a decoder back (module docstring).

    ``conditional`` is True for models whose fit and decoder need class labels ``y`` (a
    conditional VAE, LORD, the class-conditioned autoencoder); unconditional models refuse ``y``.
    """

    role = "representation"
    conditional = False

    @abc.abstractmethod
    def fit(self, x, y=None, *, epochs: int, **fit_options) -> train.History:
        """Train on samples ``x`` (with labels ``y`` if ``conditional``); return the History."""

    @abc.abstractmethod
    def latent(self, x, y=None) -> np.ndarray:
        """One code per sample of ``x``, ``(n, code size)``."""

    @abc.abstractmethod
    def decode_mean(self, z, y=None) -> np.ndarray:
        """The expected sample of each code in ``z`` (of class ``y`` if ``conditional``), shaped like ``x``."""

    def reconstruct(self, x, y=None) -> np.ndarray:
        """Decode the codes of ``x``: ``decode_mean(latent(x, y), y)``."""
        return self.decode_mean(self.latent(x, y), y)

    def _refuse_labels(self, y, verb: str) -> None:
        """Unconditional models take no labels: a ``y`` given to ``verb`` is an error, not ignored."""
        if y is not None:
            raise ValueError(f"{type(self).__name__} is not conditional and takes no labels; call {verb} without y")

    def _require_labels(self, y, verb: str) -> None:
        if y is None:
            raise ValueError(f"{type(self).__name__} needs class labels y in {verb} ({self.n_classes} classes)")


class TransferModel(RepresentationModel):
    """The transfer role: conditional representations whose codes hold the content of a sample
    without its class. ``latent(x)`` gives the content codes (labels, if given, are checked and
    not needed) and ``decode_mean(content_codes, y)`` renders them as classes ``y``; a class
    transfer is the two in a row."""

    role = "transfer"
    conditional = True

    def transfer(self, x, target_y) -> np.ndarray:
        """Samples with the content of ``x``, each rendered as its class in ``target_y`` (one label
        per sample, or one label for all), shaped like ``x``."""
        return self.decode_mean(self.latent(x), target_y)


class Classifier(ArrayModel):
    """The classifier role (module docstring). Subclasses give ``fit`` and ``predict_proba``
    (and may give a faster ``_predicted_index``); ``predict``, ``score`` and ``error`` follow."""

    role = "classifier"

    @abc.abstractmethod
    def fit(self, x, y, *, epochs: int, **fit_options) -> train.History:
        """Train on samples ``x`` with labels ``y``; return the History."""

    @abc.abstractmethod
    def predict_proba(self, x) -> np.ndarray:
        """Class probabilities p(y | x), ``(n, n_classes)``, columns in the order of ``self.classes``."""

    def _predicted_index(self, x) -> np.ndarray:
        return self.predict_proba(x).argmax(axis=1)

    def predict(self, x) -> np.ndarray:
        """The most probable class of each sample, ``(n,)``, named as the labels given to ``fit``."""
        index = self._predicted_index(x)
        return index if self.classes is None else self.classes[index]

    def _hits(self, x, y) -> np.ndarray:
        index = self._predicted_index(x)
        return index == self._class_index(y, len(index)).numpy()

    def score(self, x, y) -> float:
        """Accuracy: the fraction of samples of ``x`` assigned to their class in ``y``."""
        return float(np.mean(self._hits(x, y)))

    def error(self, x, y) -> float:
        """Classification error, 1 - :meth:`score`: the fraction of samples not assigned to their class."""
        return float(np.mean(~self._hits(x, y)))


# the options of latentbio.train.fit: a closed-form fit accepts (and needs) none of them
_TRAINING_OPTIONS = frozenset(inspect.signature(train.fit).parameters) - {"module", "data"}


class DensityModel(ArrayModel):
    """The density role (module docstring): a model of p(x), scored in nats per sample."""

    role = "density"

    @abc.abstractmethod
    def fit(self, x, y=None, *, epochs: int | None = None, **fit_options) -> train.History:
        """Fit p(x) to the rows of ``x``; return the History."""

    @abc.abstractmethod
    def log_likelihood(self, x) -> np.ndarray:
        """log p(x) in nats, one value per sample of ``x``."""

    def negative_log_likelihood(self, x) -> np.ndarray:
        """-log p(x) in nats, one value per sample of ``x``."""
        return -self.log_likelihood(x)

    def _closed_form(self, y, fit_options: dict) -> None:
        """Checks for a closed-form fit: no labels (fit one model per class for p(x | y)); training
        options of :func:`latentbio.train.fit` are accepted, so that one loop fits every model,
        and have no effect; any other option is an error."""
        if y is not None:
            raise ValueError(f"{type(self).__name__} models p(x) and takes no labels; "
                             "fit one model per class for a class-conditional model")
        unknown = sorted(set(fit_options) - _TRAINING_OPTIONS)
        if unknown:
            raise TypeError(f"{type(self).__name__}.fit got unknown option(s) {unknown}")


ROLES = {"representation": RepresentationModel, "transfer": TransferModel, "classifier": Classifier,
         "density": DensityModel, "anndata": AnnDataModel}


def models_by_role(models) -> dict[str, tuple]:
    """``{role name: the models of ``models`` that declare it}``, for every role in :data:`ROLES`."""
    return {name: tuple(model for model in models if issubclass(model, role)) for name, role in ROLES.items()}
