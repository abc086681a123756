"""The models of the course, one file per method (the torch networks are ``model.module``).

Array models (``fit(x, y=None, *, epochs)``, ``latent``, ``decode_mean``, ``transfer``):
:class:`VAE`, :class:`Autoencoder`, :class:`ConvVAE`, :class:`ConvAutoencoder`, :class:`BetaVAE`, :class:`DHSICVAE`,
:class:`GenerativeClassifier`, :class:`IndependentBernoulli`, :class:`IndependentBinomial`, :class:`ImageClassifier`,
:class:`LORD`, :class:`AmortizedLORD`, :class:`ClassConditionedAutoencoder`.

AnnData models (``train(max_epochs=...)``, ``get_latent_representation``, ``decode_latent``,
``get_normalized_expression``): :class:`CountVAE`, :class:`MultiGroupVI`,
:class:`ExpressionVAE`, :class:`ExpressionBetaVAE`, :class:`ExpressionDHSICVAE`, :class:`LORDCells`.
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
from .vae import VAE

ARRAY_MODELS = (VAE, Autoencoder, ConvVAE, ConvAutoencoder, BetaVAE, DHSICVAE, GenerativeClassifier,
                IndependentBernoulli, IndependentBinomial, ImageClassifier, LORD, AmortizedLORD,
                ClassConditionedAutoencoder)
ANNDATA_MODELS = (CountVAE, MultiGroupVI, ExpressionVAE, ExpressionBetaVAE, ExpressionDHSICVAE, LORDCells)

__all__ = [model.__name__ for model in ARRAY_MODELS + ANNDATA_MODELS]
