"""LORD: class-supervised disentanglement by latent optimisation (Gabbay and Hoshen, ICLR 2020).

Stage 1 (:class:`LORD`, network :class:`LORDModule`, paper section 3.1) learns no encoder. Every image has its own
free *content code*, every class one *class code* shared by all its images, and a
generator is fitted jointly with the codes to reconstruct each image from its two
codes. Gaussian noise on the content codes during training, with an L2 penalty that
keeps them small (the *asymmetric* regularisation: class codes get neither), makes
content codes expensive carriers of information. The class information is free in
the shared class code, so the content codes learn to carry only what varies inside
a class.

Stage 2 (:class:`AmortizedLORD`, network :class:`AmortizedLORDModule`, section 3.2) trains a content encoder and a class
encoder to reproduce the stage-1 codes from the image (plus reconstruction through
the generator, which is fine-tuned), so that new images are encoded in one pass. Stage 1 therefore knows only its training
images: its ``latent`` and ``transfer`` take only those images (it looks their codes up); stage 2
encodes any image.

The official code compares images with a perceptual loss on pretrained VGG16
features (plus a pixel L1 term in the PyTorch port). Pretrained weights cannot be
downloaded here, so the course keeps only the pixel L1 term: :func:`pixel_loss`.
"""

import copy
import hashlib

import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import (as_model_images, as_numpy_images, check_feature_matrix, check_image_shape, check_integer,
                      check_number)
from .adain import AdaINGenerator, ConvEncoder
from .roles import TransferModel

INIT_RANGE = 0.05  # codes start uniform in (-0.05, 0.05), as in the official code


def pixel_loss(reconstructions: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """Mean absolute pixel error per image, averaged over the batch (the pixel term of the
    official PyTorch loss; the VGG feature terms are left out, see the module docstring)."""
    return (reconstructions - images).abs().flatten(1).mean(1).mean()


def noisy_codes(codes: torch.Tensor, noise_std: float) -> torch.Tensor:
    """``codes`` plus Gaussian noise of standard deviation ``noise_std`` (paper eq. 3); ``codes``
    themselves when ``noise_std`` is 0."""
    return codes + noise_std * torch.randn_like(codes) if noise_std > 0 else codes


def code_penalty(codes: torch.Tensor) -> torch.Tensor:
    """The squared L2 norm of each (noisy) content code, averaged over the batch: LORD's penalty
    on content codes, as in the PyTorch port."""
    return codes.pow(2).sum(1).mean()


class NoisyEmbedding(nn.Module):
    """One learned code per item; in training mode, Gaussian noise of standard deviation
    ``noise_std`` is added to every code it returns (paper eq. 3). In evaluation mode it
    returns the codes themselves."""

    def __init__(self, n_items: int, code_dim: int, noise_std: float = 1.0):
        super().__init__()
        check_number(noise_std, "noise_std", minimum=0)
        self.codes = nn.Embedding(n_items, code_dim)
        nn.init.uniform_(self.codes.weight, -INIT_RANGE, INIT_RANGE)
        self.noise_std = noise_std

    def forward(self, indices: torch.Tensor) -> torch.Tensor:
        """The codes of ``indices``, noisy in training mode."""
        codes = self.codes(indices)
        return noisy_codes(codes, self.noise_std) if self.training else codes


class LORDModule(nn.Module):
    """Stage 1: per-image content codes, per-class class codes and an AdaIN generator (paper eq. 4)::

        loss = pixel_loss(G(content_i + noise, class_{y_i}), x_i) + content_decay * mean_i ||content_i||^2
    """

    def __init__(self, image_shape, n_classes: int, n_images: int, content_dim: int = 8, class_dim: int = 8,
                 content_noise: float = 1.0, content_decay: float = 1e-3, channels=(32, 16)):
        super().__init__()
        size, image_channels = check_image_shape(image_shape)
        n_images = check_integer(n_images, "n_images (LORD needs at least one image)", minimum=1)
        n_classes = check_integer(n_classes, "n_classes (LORD needs at least one class)", minimum=1)
        self.content_decay = content_decay
        self.content_codes = NoisyEmbedding(n_images, content_dim, content_noise)
        self.class_codes = nn.Embedding(n_classes, class_dim)
        nn.init.uniform_(self.class_codes.weight, -INIT_RANGE, INIT_RANGE)
        self.generator = AdaINGenerator(content_dim, class_dim, size, image_channels, channels)

    def render(self, content_codes: torch.Tensor, class_index: torch.Tensor) -> torch.Tensor:
        """Images from content codes and class indices."""
        return self.generator(content_codes, self.class_codes(class_index))

    def loss(self, image_index: torch.Tensor, images: torch.Tensor, class_index: torch.Tensor) -> dict[str, torch.Tensor]:
        """Reconstruction plus the L2 penalty on the (noisy) content codes, as in the PyTorch port."""
        content = self.content_codes(image_index)
        reconstruction = pixel_loss(self.render(content, class_index), images)
        penalty = code_penalty(content)
        return {"loss": reconstruction + self.content_decay * penalty, "reconstruction": reconstruction,
                "content_penalty": penalty}


class AmortizedLORDModule(nn.Module):
    """Stage 2: encoders trained to reproduce the codes of a trained :class:`LORDModule`
    (paper section 3.2, official ``train_amortized``)::

        loss = pixel_loss(G(E_content(x), E_class(x)), x)
               + code_weight * (MSE(E_content(x), content_x) + MSE(E_class(x), class_{y}))

    The generator starts as a copy of the stage-1 generator and is fine-tuned.
    """

    def __init__(self, stage1: LORDModule, code_weight: float = 10.0, channels=(16, 32), hidden: int = 128):
        super().__init__()
        self.code_weight = code_weight
        generator = stage1.generator
        image_channels = generator.to_image[0].out_channels
        self.content_encoder = ConvEncoder(generator.image_size, generator.content_dim, image_channels, channels, hidden)
        self.class_encoder = ConvEncoder(generator.image_size, generator.class_dim, image_channels, channels, hidden)
        self.generator = copy.deepcopy(generator)
        self.register_buffer("content_targets", stage1.content_codes.codes.weight.detach().clone())
        self.register_buffer("class_targets", stage1.class_codes.weight.detach().clone())

    def render(self, content_codes: torch.Tensor, class_index: torch.Tensor) -> torch.Tensor:
        """Images from content codes and class indices (the stage-1 class code of each class)."""
        return self.generator(content_codes, self.class_targets[class_index])

    def loss(self, image_index: torch.Tensor, images: torch.Tensor, class_index: torch.Tensor) -> dict[str, torch.Tensor]:
        """Reconstruction plus the weighted squared distances to the stage-1 codes."""
        content, class_code = self.content_encoder(images), self.class_encoder(images)
        reconstruction = pixel_loss(self.generator(content, class_code), images)
        content_error = (content - self.content_targets[image_index]).pow(2).mean()
        class_error = (class_code - self.class_targets[class_index]).pow(2).mean()
        loss = reconstruction + self.code_weight * (content_error + class_error)
        return {"loss": loss, "reconstruction": reconstruction, "content_code_error": content_error,
                "class_code_error": class_error}


class ContentClassDecoding:
    """``decode_mean(z, y)`` for models whose module renders images from content codes and class
    indices (``module.render``): LORD's two stages and the baseline autoencoder."""

    def decode_mean(self, z, y=None) -> np.ndarray:
        """Images ``(n, h, w[, c])`` rendered from content codes ``z`` ``(n, content_dim)`` as the
        classes ``y`` (one label per code, or one label for all)."""
        self._require_labels(y, "decode_mean")
        codes = check_feature_matrix(z, self.module.generator.content_dim, name="z")
        n = codes.shape[0]
        labels = self._class_index(y if np.ndim(y) else [y] * n, n)
        return as_numpy_images(torch.from_numpy(self._predict(self.module.render, (codes, labels))))

    def _labelled_images(self, x, y, verb: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Images ``x`` as a model batch and their labels ``y`` (required) as class indices."""
        self._require_labels(y, verb)
        batch = as_model_images(x, self.image_shape)
        return batch, self._class_index(y, len(batch))

    def _check_labels(self, x_batch: torch.Tensor, y) -> None:
        """Labels given to ``latent``, which the content encoder does not read: checked, not used."""
        if y is not None:
            self._class_index(y, len(x_batch))


def _image_keys(batch: torch.Tensor) -> list[bytes]:
    """A digest of each image of a model batch, to recognise the training images exactly."""
    rows = batch.detach().cpu().contiguous().numpy().reshape(len(batch), -1)
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in rows]


class LORD(ContentClassDecoding, TransferModel):
    """Stage 1 of LORD (module docstring; network :class:`LORDModule`, whose arguments these are).

    ``image_shape`` is ``(size, size)`` or ``(size, size, channels)``; ``n_images`` content codes
    are learned, one per training image. ``content_noise`` is the standard deviation of the
    noise on the content codes (1 in the paper; 0 gives the no-noise ablation).

    Stage 1 learns no encoder: ``latent(x)`` looks the images up among the training images
    (pixel for pixel) and returns their learned content codes, and refuses any other image;
    :class:`AmortizedLORD` encodes new images.
    """

    description = "LORD stage 1"

    def __init__(self, image_shape, n_classes: int, n_images: int, content_dim: int = 8, class_dim: int = 8,
                 content_noise: float = 1.0, content_decay: float = 1e-3, channels=(32, 16)):
        self.module = LORDModule(image_shape, n_classes, n_images, content_dim, class_dim, content_noise,
                                 content_decay, channels)
        self.image_shape, self.n_classes, self.n_images = tuple(image_shape), n_classes, n_images
        self._training_rows: dict[bytes, int] = {}

    def fit(self, x, y=None, *, epochs: int = 40, lr: float = 1e-3, code_lr_factor: float = 10.0,
            batch_size: int = 128, **fit_options) -> train.History:
        """Optimise codes and generator jointly on images ``x`` (one content code per image, in this
        order) with class labels ``y`` (required).

        Adam with betas (0.5, 0.999) as in the official code; the codes learn ``code_lr_factor``
        times faster than the generator (ten times in the official code); the learning rates fall
        along :func:`latentbio.train.cosine_schedule` to a hundredth over the epochs.
        """
        batch, labels = self._labelled_images(x, y, "fit")
        if len(batch) != self.n_images:
            raise ValueError(f"the model has content codes for {self.n_images} images; got {len(batch)}")
        module = self.module
        codes = [*module.content_codes.parameters(), *module.class_codes.parameters()]
        optimizer = train.adam([{"params": module.generator.parameters(), "lr": lr},
                               {"params": codes, "lr": lr * code_lr_factor}], betas=(0.5, 0.999))
        fit_options.setdefault("scheduler", train.cosine_schedule(epochs))
        self._training_rows = {}
        for row, key in enumerate(_image_keys(batch)):
            self._training_rows.setdefault(key, row)  # an image seen twice gets its first code
        return self._fit((torch.arange(len(batch)), batch, labels), epochs=epochs, batch_size=batch_size,
                         optimizer=optimizer, **fit_options)

    def latent(self, x, y=None) -> np.ndarray:
        """The learned content codes of training images ``x`` (found pixel for pixel among the
        images given to ``fit``), ``(n, content_dim)``. Labels ``y``, if given, are checked and not
        needed. Other images raise ``ValueError``: stage 1 has no encoder (use :class:`AmortizedLORD`)."""
        batch = as_model_images(x, self.image_shape)
        self._check_labels(batch, y)
        if not self._training_rows:
            raise ValueError("LORD's stage 1 has content codes only after fit(images, classes)")
        rows = [self._training_rows.get(key, -1) for key in _image_keys(batch)]
        unknown = sum(row < 0 for row in rows)
        if unknown:
            raise ValueError(f"LORD's stage 1 has content codes only for its {self.n_images} training images; "
                             f"{unknown} of the {len(rows)} images given are not among them. Train an "
                             "AmortizedLORD (stage 2) to encode new images.")
        return self.learned_content_codes()[rows]

    def learned_content_codes(self) -> np.ndarray:
        """The content codes of the training images, ``(n_images, content_dim)``, without noise."""
        return self.module.content_codes.codes.weight.detach().cpu().numpy().copy()

    def learned_class_codes(self) -> np.ndarray:
        """The class codes, ``(n_classes, class_dim)``."""
        return self.module.class_codes.weight.detach().cpu().numpy().copy()


class AmortizedLORD(ContentClassDecoding, TransferModel):
    """Stage 2 of LORD, built from a trained :class:`LORD` (network :class:`AmortizedLORDModule`).

    ``latent(x)`` gives content codes of any images; ``transfer(x, target_y)`` renders them with the
    stage-1 class code of each target class (the code the class encoder was trained to reproduce);
    ``transfer_from_examples`` reads the class
    code from an example image instead, which also works for classes never seen in training.
    """

    description = "LORD stage 2"

    def __init__(self, lord: LORD, code_weight: float = 10.0, channels=(16, 32), hidden: int = 128):
        if not isinstance(lord, LORD):
            raise TypeError(f"AmortizedLORD is built from a trained LORD (stage 1); got {type(lord).__name__}")
        self.module = AmortizedLORDModule(lord.module, code_weight, channels, hidden)
        self.image_shape, self.n_classes, self.classes = lord.image_shape, lord.n_classes, lord.classes
        self.n_images = lord.n_images

    def fit(self, x, y=None, *, epochs: int = 20, lr: float = 1e-3, batch_size: int = 128,
            **fit_options) -> train.History:
        """Train the encoders (and fine-tune the generator) on the stage-1 training images ``x`` with
        their labels ``y`` (required), in the same order, with Adam (betas 0.5, 0.999) and the cosine
        schedule, as stage 1."""
        batch, labels = self._labelled_images(x, y, "fit")
        if len(batch) != self.n_images:
            raise ValueError(f"stage 1 learned codes for {self.n_images} images; got {len(batch)}")
        optimizer = train.adam(self.module.parameters(), lr, betas=(0.5, 0.999))
        fit_options.setdefault("scheduler", train.cosine_schedule(epochs))
        return self._fit((torch.arange(len(batch)), batch, labels), epochs=epochs, batch_size=batch_size,
                         optimizer=optimizer, **fit_options)

    def latent(self, x, y=None) -> np.ndarray:
        """Content codes of any images ``x``, ``(n, content_dim)``, in one pass of the content encoder
        (labels ``y``, if given, are checked and not needed)."""
        batch = as_model_images(x, self.image_shape)
        self._check_labels(batch, y)
        return self._predict(self.module.content_encoder, batch)

    def class_codes(self, images) -> np.ndarray:
        """Class codes of any images, ``(n, class_dim)``, from the class encoder."""
        return self._predict(self.module.class_encoder, as_model_images(images, self.image_shape, name="class_images"))

    def transfer_from_examples(self, content_images, class_images) -> np.ndarray:
        """Images with the content of ``content_images`` and the class code of ``class_images``
        (paired row by row: one example image of the target class per content image)."""
        content, class_codes = self.latent(content_images), self.class_codes(class_images)
        if len(content) != len(class_codes):
            raise ValueError(f"give one class image per content image; got {len(class_codes)} and {len(content)}")
        images = self._predict(self.module.generator, (content, class_codes))
        return as_numpy_images(torch.from_numpy(images))


__all__ = ["LORD", "AmortizedLORD", "LORDModule", "AmortizedLORDModule", "NoisyEmbedding", "pixel_loss"]
