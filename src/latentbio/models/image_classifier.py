"""An independent judge of generated images: a small convolutional classifier trained on real images.

It plays the role of the pretrained classifiers that label translated images in the
LORD and StarGAN papers: a transfer succeeded when the judge assigns the transferred
image to the class it was meant to show.
"""

import numpy as np
import torch
from torch import nn

from .. import train
from .adain import ConvEncoder
from ..checks import as_image_batch, as_labels


class ImageClassifier(nn.Module):
    """Class logits from square images, ``(n, size, size)`` grey or ``(n, size, size, c)`` colour."""

    def __init__(self, n_classes: int, image_size: int, image_channels: int = 1, channels=(16, 32), hidden: int = 128):
        super().__init__()
        if n_classes < 2:
            raise ValueError(f"a classifier needs at least two classes; got {n_classes}")
        self.n_classes, self.image_size = n_classes, image_size
        self.network = ConvEncoder(image_size, n_classes, image_channels, channels, hidden)

    def loss(self, images: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the true classes."""
        return nn.functional.cross_entropy(self.network(images), classes)

    def fit(self, images, classes, *, epochs: int = 10, **fit_options) -> train.History:
        """Train on labelled real images with :func:`latentbio.train.fit`."""
        batch = as_image_batch(images, self.image_size)
        labels = as_labels(classes, self.n_classes, len(batch), name="classes")
        return train.fit(self, (batch, labels), epochs=epochs, desc="classifier", **fit_options)

    def predict(self, images) -> np.ndarray:
        """The most probable class of each image, ``(n,)``."""
        self.eval()
        batch = as_image_batch(images, self.image_size)
        logits = train.predict_in_batches(self.network, batch, device=next(self.parameters()).device)
        return logits.argmax(1).numpy()

    def error(self, images, classes) -> float:
        """Fraction of ``images`` not assigned to ``classes`` (the classification error)."""
        labels = as_labels(classes, self.n_classes, len(np.asarray(images)), name="classes").numpy()
        return float(np.mean(self.predict(images) != labels))
