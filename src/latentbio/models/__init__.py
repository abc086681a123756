"""The models of the course, one file per method."""

from .adain import AdaIN, AdaINGenerator, ConvEncoder
from .autoencoder import Autoencoder
from .beta_vae import BetaVAE
from .conditional_autoencoder import ClassConditionedAutoencoder
from .count_vae import CountVAE
from .dhsic_vae import DHSICVAE
from .generative_classifier import GenerativeClassifier, bayes_rule
from .image_classifier import ImageClassifier
from .latent_arithmetic import predict_by_latent_arithmetic, predict_in_gene_space, stimulation_shift
from .lord import LORD, AmortizedLORD
from .multigroupvi import MultiGroupVI
from .multigroupvi_module import MultiGroupVAE
from .pixel_bernoulli import IndependentBernoulli, bernoulli_entropy
from .scvae import CountVAEModule
from .vae import VAE

__all__ = ["Autoencoder", "CountVAE", "CountVAEModule", "GenerativeClassifier", "bayes_rule", "IndependentBernoulli", "bernoulli_entropy", "VAE",
           "AdaIN", "AdaINGenerator", "ConvEncoder", "ClassConditionedAutoencoder", "ImageClassifier", "LORD",
           "AmortizedLORD", "MultiGroupVI", "MultiGroupVAE", "BetaVAE", "DHSICVAE", "stimulation_shift",
           "predict_by_latent_arithmetic", "predict_in_gene_space"]
