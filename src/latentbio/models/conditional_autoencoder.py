"""The baseline of the LORD chapter: an autoencoder that is given the class.

A content encoder maps the image to a content code; the class enters as a learned
class code through the same AdaIN generator as :class:`~latentbio.models.LORD`. By default it is
trained only to reconstruct: no noise and no penalty on the content codes. Nothing
then stops the content code from describing the whole image, class included, and a
generator that can read the class from the content code is free to ignore the class
code: class transfer fails (the leak that LORD's asymmetric noise is there to close).

With ``content_noise`` and ``content_decay`` it gets LORD's asymmetric regularisation (noise on
the encoded content codes in training, an L2 penalty on them): a model that differs from LORD's
stage 1 only in amortisation, the content codes computed by an encoder instead of optimised one
per image.
"""

import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import as_model_images, check_image_shape, check_integer, check_number
from .adain import AdaINGenerator, ConvEncoder
from .roles import TransferModel
from .lord import INIT_RANGE, ContentClassDecoding, code_penalty, noisy_codes, pixel_loss


class ClassConditionedAutoencoderModule(nn.Module):
    """x -> content encoder -> content code (+ noise in training); (content code, class code of y)
    -> AdaIN generator -> x."""

    def __init__(self, image_shape, n_classes: int, content_dim: int = 8, class_dim: int = 8,
                 generator_channels=(32, 16), encoder_channels=(16, 32), hidden: int = 128,
                 content_noise: float = 0.0, content_decay: float = 0.0):
        super().__init__()
        size, image_channels = check_image_shape(image_shape)
        n_classes = check_integer(n_classes, "n_classes", minimum=1)
        self.content_noise = check_number(content_noise, "content_noise", minimum=0)
        self.content_decay = check_number(content_decay, "content_decay", minimum=0)
        self.content_encoder = ConvEncoder(size, content_dim, image_channels, encoder_channels, hidden)
        self.class_codes = nn.Embedding(n_classes, class_dim)
        nn.init.uniform_(self.class_codes.weight, -INIT_RANGE, INIT_RANGE)
        self.generator = AdaINGenerator(content_dim, class_dim, size, image_channels, generator_channels)

    def render(self, content_codes: torch.Tensor, class_index: torch.Tensor) -> torch.Tensor:
        """Images from content codes and class indices."""
        return self.generator(content_codes, self.class_codes(class_index))

    def loss(self, images: torch.Tensor, classes: torch.Tensor) -> dict[str, torch.Tensor]:
        """Pixel reconstruction error, plus ``content_decay`` times the L2 penalty on the noisy content
        codes (LORD's loss, :class:`~latentbio.models.lord.LORDModule`; by default without noise and
        penalty)."""
        content = self.content_encoder(images)
        if self.training:
            content = noisy_codes(content, self.content_noise)
        reconstruction = pixel_loss(self.render(content, classes), images)
        if self.content_decay == 0:
            return {"loss": reconstruction, "reconstruction": reconstruction}
        penalty = code_penalty(content)
        return {"loss": reconstruction + self.content_decay * penalty, "reconstruction": reconstruction,
                "content_penalty": penalty}


class ClassConditionedAutoencoder(ContentClassDecoding, TransferModel):
    """The face of :class:`ClassConditionedAutoencoderModule` (same arguments); ``image_shape`` is
    ``(size, size)`` or ``(size, size, channels)``; ``content_noise`` (standard deviation) and
    ``content_decay`` give it LORD's regularisation of the content codes (module docstring)."""

    description = "class-conditioned autoencoder"

    def __init__(self, image_shape, n_classes: int, content_dim: int = 8, class_dim: int = 8,
                 generator_channels=(32, 16), encoder_channels=(16, 32), hidden: int = 128,
                 content_noise: float = 0.0, content_decay: float = 0.0):
        self.module = ClassConditionedAutoencoderModule(image_shape, n_classes, content_dim, class_dim,
                                                        generator_channels, encoder_channels, hidden,
                                                        content_noise, content_decay)
        self.image_shape, self.n_classes = tuple(image_shape), n_classes

    def fit(self, x, y=None, *, epochs: int = 20, lr: float = 1e-3, batch_size: int = 128,
            **fit_options) -> train.History:
        """Train on images ``x`` with their labels ``y`` (required) with Adam (betas 0.5, 0.999) and
        the cosine schedule, like LORD."""
        batch, labels = self._labelled_images(x, y, "fit")
        optimizer = train.adam(self.module.parameters(), lr, betas=(0.5, 0.999))
        fit_options.setdefault("scheduler", train.cosine_schedule(epochs))
        return self._fit((batch, labels), epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                         **fit_options)

    def latent(self, x, y=None) -> np.ndarray:
        """Content codes of images ``x``, ``(n, content_dim)`` (labels ``y``, if given, are checked and
        not needed)."""
        batch = as_model_images(x, self.image_shape)
        self._check_labels(batch, y)
        return self._predict(self.module.content_encoder, batch)
