"""The baseline of the LORD chapter: an autoencoder that is given the class.

A content encoder maps the image to a content code; the class enters as a learned
class code through the same AdaIN generator as :class:`~latentbio.models.LORD`. It is
trained only to reconstruct: no noise and no penalty on the content codes. Nothing
then stops the content code from describing the whole image, class included, and a
generator that can read the class from the content code is free to ignore the class
code: class transfer fails (the leak that LORD's asymmetric noise is there to close).
"""

import numpy as np
import torch
from torch import nn

from .. import train
from .adain import AdaINGenerator, ConvEncoder
from ..checks import as_image_batch, as_numpy_images, as_labels
from .lord import ADAM_BETAS, INIT_RANGE, cosine_schedule, pixel_loss


class ClassConditionedAutoencoder(nn.Module):
    """x -> content encoder -> content code; (content code, class code of y) -> AdaIN generator -> x."""

    def __init__(self, n_classes: int, image_size: int, content_dim: int = 8, class_dim: int = 8,
                 image_channels: int = 1, generator_channels=(32, 16), encoder_channels=(16, 32), hidden: int = 128):
        super().__init__()
        self.n_classes, self.image_size = n_classes, image_size
        self.content_encoder = ConvEncoder(image_size, content_dim, image_channels, encoder_channels, hidden)
        self.class_codes = nn.Embedding(n_classes, class_dim)
        nn.init.uniform_(self.class_codes.weight, -INIT_RANGE, INIT_RANGE)
        self.generator = AdaINGenerator(content_dim, class_dim, image_size, image_channels, generator_channels)

    def loss(self, images: torch.Tensor, classes: torch.Tensor) -> dict[str, torch.Tensor]:
        """Pixel reconstruction error (the same loss as LORD's, without the content regulariser)."""
        reconstruction = pixel_loss(self.generator(self.content_encoder(images), self.class_codes(classes)), images)
        return {"loss": reconstruction, "reconstruction": reconstruction}

    def fit(self, images, classes, *, epochs: int = 20, lr: float = 1e-3, batch_size: int = 128,
            **fit_options) -> train.History:
        """Train on labelled images with Adam (betas 0.5, 0.999) and a cosine schedule, like LORD."""
        batch = as_image_batch(images, self.image_size)
        labels = as_labels(classes, self.n_classes, len(batch), name="classes")
        optimizer = torch.optim.Adam(self.parameters(), lr=lr, betas=ADAM_BETAS)
        fit_options.setdefault("scheduler", cosine_schedule(epochs))
        return train.fit(self, (batch, labels), epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                         desc="class-conditioned autoencoder", **fit_options)

    def encode(self, images) -> np.ndarray:
        """Content codes of ``images``, ``(n, content_dim)``."""
        self.eval()
        batch = as_image_batch(images, self.image_size)
        return train.predict_in_batches(self.content_encoder, batch, device=next(self.parameters()).device).numpy()

    @torch.no_grad()
    def transfer(self, content_images, classes) -> np.ndarray:
        """Images with the content code of ``content_images`` rendered with class ``classes``
        (one per image, or one for all)."""
        content = torch.as_tensor(self.encode(content_images))
        labels = as_labels(np.broadcast_to(classes, (len(content),)).copy(), self.n_classes, name="classes")
        device = next(self.parameters()).device
        return as_numpy_images(self.generator(content.to(device), self.class_codes(labels.to(device))))
