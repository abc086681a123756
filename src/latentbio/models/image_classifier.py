"""An independent judge of generated images: a small convolutional classifier trained on real images.

It plays the role of the pretrained classifiers that label translated images in the
LORD and StarGAN papers: a transfer succeeded when the judge assigns the transferred
image to the class it was meant to show.
"""

import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import as_model_images, check_image_shape, check_integer
from .adain import ConvEncoder
from .roles import Classifier


class ImageClassifierModule(nn.Module):
    """Class logits from image batches ``(n, channels, size, size)``; loss: cross-entropy."""

    def __init__(self, image_shape, n_classes: int, channels=(16, 32), hidden: int = 128):
        super().__init__()
        size, image_channels = check_image_shape(image_shape)
        n_classes = check_integer(n_classes, "n_classes (a classifier needs at least two classes)", minimum=2)
        self.network = ConvEncoder(size, n_classes, image_channels, channels, hidden)

    def loss(self, images, classes):
        """Mean cross-entropy of the true classes."""
        return nn.functional.cross_entropy(self.network(images), classes)


class ImageClassifier(Classifier):
    """Classifies square images, ``(n, size, size)`` grey or ``(n, size, size, c)`` colour, as one of
    ``n_classes`` classes (labels: integers, strings or categories). The classifier role
    (:mod:`latentbio.models.roles`): ``fit``, ``predict_proba``, ``predict``, ``score`` (accuracy)
    and ``error`` (1 - accuracy)."""

    description = "classifier"

    def __init__(self, image_shape, n_classes: int, channels=(16, 32), hidden: int = 128):
        self.module = ImageClassifierModule(image_shape, n_classes, channels, hidden)
        self.image_shape, self.n_classes = tuple(image_shape), n_classes

    def fit(self, x, y, *, epochs: int = 10, **fit_options) -> train.History:
        """Train on labelled real images ``x`` with classes ``y`` with :func:`latentbio.train.fit`."""
        batch = as_model_images(x, self.image_shape)
        labels = self._class_index(y, len(batch))
        return self._fit((batch, labels), epochs=epochs, **fit_options)

    def _logits(self, x) -> np.ndarray:
        return self._predict(self.module.network, as_model_images(x, self.image_shape))

    def _predicted_index(self, x) -> np.ndarray:
        return self._logits(x).argmax(1)

    def predict_proba(self, x) -> np.ndarray:
        """Class probabilities of each image (softmax of the logits), ``(n, n_classes)``."""
        return torch.softmax(torch.from_numpy(self._logits(x)).double(), dim=1).numpy()
