"""The models of the course, one file per method (the torch networks are ``model.module``).

Every model declares its roles by its base classes; each role has one contract, stated in
:mod:`latentbio.models.roles` (the AnnData role in :class:`~latentbio.models.base.AnnDataModel`),
and ``model.roles`` names a model's roles.

- Representation (``fit(x, y=None, *, epochs) -> History``, ``latent(x, y=None)``,
  ``decode_mean(z, y=None)``, ``reconstruct``; ``conditional`` models need labels ``y``):
  :class:`VAE` (conditional when ``n_classes > 0``), :class:`BetaVAE`, :class:`DHSICVAE`,
  :class:`Autoencoder`, :class:`ConvVAE`, :class:`ConvAutoencoder`, and the transfer models below.
- Transfer (conditional representations of content without class, plus ``transfer(x, target_y)``):
  :class:`LORD` (stage 1: ``latent`` looks up its training images only), :class:`AmortizedLORD`,
  :class:`ClassConditionedAutoencoder`.
- Classifier (``fit(x, y, *, epochs)``, ``predict_proba``, ``predict``, ``score`` = accuracy,
  ``error`` = 1 - score): :class:`ImageClassifier`, :class:`GenerativeClassifier`.
- Density (``fit(x, y=None)``, ``log_likelihood(x)`` in nats per sample, ``negative_log_likelihood``):
  :class:`IndependentBernoulli`, :class:`IndependentBinomial`.
- AnnData (``Model(adata, layer=...)``, ``train(max_epochs=...) -> History``,
  ``get_latent_representation(adata=None)``, ``decode_latent(latent, ...)``; count models, with
  ``reads_counts``, also ``get_normalized_expression``): :class:`CountVAE`, :class:`MultiGroupVI`
  (count models), :class:`ExpressionVAE`, :class:`ExpressionBetaVAE`, :class:`ExpressionDHSICVAE`,
  :class:`LORDCells`.
"""

from .autoencoder import Autoencoder
from .beta_vae import BetaVAE, ExpressionBetaVAE
from .conditional_autoencoder import ClassConditionedAutoencoder
from .conv_vae import ConvAutoencoder, ConvVAE
from .count_vae import CountVAE
from .dhsic_vae import DHSICVAE, ExpressionDHSICVAE
from .expression_vae import ExpressionVAE
from .generative_classifier import GenerativeClassifier
from .image_classifier import ImageClassifier
from .lord import LORD, AmortizedLORD
from .lord_cells import LORDCells
from .multigroupvi import MultiGroupVI
from .pixel_bernoulli import IndependentBernoulli
from .pixel_binomial import IndependentBinomial
from .roles import models_by_role
from .vae import VAE

MODELS = (VAE, BetaVAE, DHSICVAE, Autoencoder, ConvVAE, ConvAutoencoder, LORD, AmortizedLORD,
          ClassConditionedAutoencoder, ImageClassifier, GenerativeClassifier, IndependentBernoulli,
          IndependentBinomial, CountVAE, MultiGroupVI, ExpressionVAE, ExpressionBetaVAE, ExpressionDHSICVAE,
          LORDCells)
MODELS_BY_ROLE = models_by_role(MODELS)  # role name -> the models that declare it

__all__ = [model.__name__ for model in MODELS]
