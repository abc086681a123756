"""LORD: class-supervised disentanglement by latent optimisation (Gabbay and Hoshen, ICLR 2020).

Stage 1 (:class:`LORD`, paper section 3.1) learns no encoder. Every image has its own
free *content code*, every class one *class code* shared by all its images, and a
generator is fitted jointly with the codes to reconstruct each image from its two
codes. Gaussian noise on the content codes during training, with an L2 penalty that
keeps them small (the *asymmetric* regularisation: class codes get neither), makes
content codes expensive carriers of information. The class information is free in
the shared class code, so the content codes learn to carry only what varies inside
a class.

Stage 2 (:class:`AmortizedLORD`, section 3.2) trains a content encoder and a class
encoder to reproduce the stage-1 codes from the image (plus reconstruction through
the generator, which is fine-tuned), so that new images are encoded in one pass.

The official code compares images with a perceptual loss on pretrained VGG16
features (plus a pixel L1 term in the PyTorch port). Pretrained weights cannot be
downloaded here, so the course keeps only the pixel L1 term: :func:`pixel_loss`.
"""

import copy

import numpy as np
import torch
from torch import nn

from .. import train
from .adain import AdaINGenerator, ConvEncoder
from ..checks import as_image_batch, as_numpy_images, as_labels

INIT_RANGE = 0.05  # codes start uniform in (-0.05, 0.05), as in the official code
ADAM_BETAS = (0.5, 0.999)  # the official optimiser settings


def generator_images(images, generator: AdaINGenerator) -> torch.Tensor:
    """``images`` as a batch checked against what ``generator`` draws (size and channels)."""
    batch = as_image_batch(images, generator.image_size)
    channels = generator.to_image[0].out_channels
    if batch.shape[1] != channels:
        raise ValueError(f"expected images with {channels} channel(s); got {batch.shape[1]}")
    return batch


def pixel_loss(reconstructions: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """Mean absolute pixel error per image, averaged over the batch (the pixel term of the
    official PyTorch loss; the VGG feature terms are left out, see the module docstring)."""
    return (reconstructions - images).abs().flatten(1).mean(1).mean()


class NoisyEmbedding(nn.Module):
    """One learned code per item; in training mode, Gaussian noise of standard deviation
    ``noise_std`` is added to every code it returns (paper eq. 3). In evaluation mode it
    returns the codes themselves."""

    def __init__(self, n_items: int, code_dim: int, noise_std: float = 1.0):
        super().__init__()
        if noise_std < 0:
            raise ValueError(f"noise_std must be non-negative, got {noise_std}")
        self.codes = nn.Embedding(n_items, code_dim)
        nn.init.uniform_(self.codes.weight, -INIT_RANGE, INIT_RANGE)
        self.noise_std = noise_std

    def forward(self, indices: torch.Tensor) -> torch.Tensor:
        """The codes of ``indices``, noisy in training mode."""
        codes = self.codes(indices)
        if self.training and self.noise_std > 0:
            codes = codes + self.noise_std * torch.randn_like(codes)
        return codes


class LORD(nn.Module):
    """Stage 1: shared latent optimisation of per-image content codes, per-class class
    codes and an AdaIN generator (paper eq. 4)::

        loss = pixel_loss(G(content_i + noise, class_{y_i}), x_i) + content_decay * mean_i ||content_i||^2

    ``content_noise`` is the standard deviation of the noise (1 in the paper; 0 gives the
    no-noise ablation). ``image_shape`` is ``(size, size)`` or ``(size, size, channels)``.
    """

    def __init__(self, n_images: int, n_classes: int, image_shape, content_dim: int = 8, class_dim: int = 8,
                 content_noise: float = 1.0, content_decay: float = 1e-3, channels=(32, 16)):
        super().__init__()
        if n_images < 1 or n_classes < 1:
            raise ValueError(f"need at least one image and one class; got {n_images} and {n_classes}")
        self.n_images, self.n_classes = n_images, n_classes
        self.image_shape = tuple(image_shape)
        self.content_decay = content_decay
        self.content_codes = NoisyEmbedding(n_images, content_dim, content_noise)
        self.class_codes = nn.Embedding(n_classes, class_dim)
        nn.init.uniform_(self.class_codes.weight, -INIT_RANGE, INIT_RANGE)
        image_channels = self.image_shape[2] if len(self.image_shape) == 3 else 1
        self.generator = AdaINGenerator(content_dim, class_dim, self.image_shape[0], image_channels, channels)

    def forward(self, image_index: torch.Tensor, class_index: torch.Tensor) -> dict[str, torch.Tensor]:
        """Generated images and the (noisy, in training) codes that made them."""
        content = self.content_codes(image_index)
        images = self.generator(content, self.class_codes(class_index))
        return {"images": images, "content_codes": content}

    def loss(self, image_index: torch.Tensor, images: torch.Tensor, class_index: torch.Tensor) -> dict[str, torch.Tensor]:
        """Reconstruction plus the L2 penalty on the (noisy) content codes, as in the PyTorch port."""
        output = self(image_index, class_index)
        reconstruction = pixel_loss(output["images"], images)
        penalty = output["content_codes"].pow(2).sum(1).mean()
        return {"loss": reconstruction + self.content_decay * penalty, "reconstruction": reconstruction,
                "content_penalty": penalty}

    def fit(self, images, classes, *, epochs: int = 40, lr: float = 1e-3, code_lr_factor: float = 10.0,
            batch_size: int = 128, **fit_options) -> train.History:
        """Optimise codes and generator jointly on ``images`` (one content code per image,
        in this order) with labels ``classes``.

        Adam with betas (0.5, 0.999); the codes learn ``code_lr_factor`` times faster than
        the generator (ten times in the official code); the learning rates fall along a
        cosine to a hundredth over the epochs.
        """
        batch = generator_images(images, self.generator)
        if len(batch) != self.n_images:
            raise ValueError(f"the model has content codes for {self.n_images} images; got {len(batch)}")
        labels = as_labels(classes, self.n_classes, len(batch), name="classes")
        codes = [*self.content_codes.parameters(), *self.class_codes.parameters()]
        optimizer = torch.optim.Adam([{"params": self.generator.parameters(), "lr": lr},
                                      {"params": codes, "lr": lr * code_lr_factor}], betas=ADAM_BETAS)
        fit_options.setdefault("scheduler", cosine_schedule(epochs))
        return train.fit(self, (torch.arange(len(batch)), batch, labels), epochs=epochs, batch_size=batch_size,
                         optimizer=optimizer, desc="LORD stage 1", **fit_options)

    @torch.no_grad()
    def learned_content_codes(self) -> np.ndarray:
        """The content codes, ``(n_images, content_dim)``, without noise."""
        return self.content_codes.codes.weight.detach().cpu().numpy().copy()

    @torch.no_grad()
    def learned_class_codes(self) -> np.ndarray:
        """The class codes, ``(n_classes, class_dim)``."""
        return self.class_codes.weight.detach().cpu().numpy().copy()

    @torch.no_grad()
    def transfer(self, image_index, class_index) -> np.ndarray:
        """Images with the content of training images ``image_index`` and the classes
        ``class_index`` (one class per image, or one for all): a class transfer."""
        self.eval()
        device = next(self.parameters()).device
        image_index = torch.as_tensor(np.asarray(image_index), dtype=torch.int64).reshape(-1)
        if len(image_index) and (image_index.min() < 0 or image_index.max() >= self.n_images):
            raise ValueError(f"image indices must lie in [0, {self.n_images})")
        class_index = as_labels(np.broadcast_to(class_index, image_index.shape).copy(), self.n_classes, name="class_index")
        return as_numpy_images(self(image_index.to(device), class_index.to(device))["images"])


class AmortizedLORD(nn.Module):
    """Stage 2: encoders trained to reproduce the codes of a trained :class:`LORD`
    (paper section 3.2, official ``train_amortized``)::

        loss = pixel_loss(G(E_content(x), E_class(x)), x)
               + code_weight * (MSE(E_content(x), content_x) + MSE(E_class(x), class_{y}))

    The generator starts as a copy of the stage-1 generator and is fine-tuned.
    """

    def __init__(self, lord: LORD, code_weight: float = 10.0, channels=(16, 32), hidden: int = 128):
        super().__init__()
        self.code_weight = code_weight
        generator = lord.generator
        image_channels = generator.to_image[0].out_channels
        self.content_encoder = ConvEncoder(generator.image_size, generator.content_dim, image_channels, channels, hidden)
        self.class_encoder = ConvEncoder(generator.image_size, generator.class_dim, image_channels, channels, hidden)
        self.generator = copy.deepcopy(generator)
        self.register_buffer("content_targets", torch.as_tensor(lord.learned_content_codes()))
        self.register_buffer("class_targets", torch.as_tensor(lord.learned_class_codes()))

    def loss(self, image_index: torch.Tensor, images: torch.Tensor, class_index: torch.Tensor) -> dict[str, torch.Tensor]:
        """Reconstruction plus the weighted squared distances to the stage-1 codes."""
        content, class_code = self.content_encoder(images), self.class_encoder(images)
        reconstruction = pixel_loss(self.generator(content, class_code), images)
        content_error = (content - self.content_targets[image_index]).pow(2).mean()
        class_error = (class_code - self.class_targets[class_index]).pow(2).mean()
        loss = reconstruction + self.code_weight * (content_error + class_error)
        return {"loss": loss, "reconstruction": reconstruction, "content_code_error": content_error,
                "class_code_error": class_error}

    def fit(self, images, classes, *, epochs: int = 20, lr: float = 1e-3, batch_size: int = 128,
            **fit_options) -> train.History:
        """Train the encoders (and fine-tune the generator) on the stage-1 training images, in the same order."""
        batch = generator_images(images, self.generator)
        if len(batch) != len(self.content_targets):
            raise ValueError(f"stage 1 learned codes for {len(self.content_targets)} images; got {len(batch)}")
        labels = as_labels(classes, len(self.class_targets), len(batch), name="classes")
        optimizer = torch.optim.Adam(self.parameters(), lr=lr, betas=ADAM_BETAS)
        fit_options.setdefault("scheduler", cosine_schedule(epochs))
        return train.fit(self, (torch.arange(len(batch)), batch, labels), epochs=epochs, batch_size=batch_size,
                         optimizer=optimizer, desc="LORD stage 2", **fit_options)

    def encode(self, images) -> tuple[np.ndarray, np.ndarray]:
        """(content codes, class codes) of any images, in one pass of the encoders."""
        self.eval()
        batch = generator_images(images, self.generator)
        device = next(self.parameters()).device
        content = train.predict_in_batches(self.content_encoder, batch, device=device)
        class_codes = train.predict_in_batches(self.class_encoder, batch, device=device)
        return content.numpy(), class_codes.numpy()

    @torch.no_grad()
    def transfer(self, content_images, class_images) -> np.ndarray:
        """Images with the content of ``content_images`` and the class of ``class_images`` (paired row by row)."""
        content, _ = self.encode(content_images)
        _, class_codes = self.encode(class_images)
        if len(content) != len(class_codes):
            raise ValueError(f"give as many class images as content images; got {len(class_codes)} and {len(content)}")
        device = next(self.parameters()).device
        images = self.generator(torch.as_tensor(content, device=device), torch.as_tensor(class_codes, device=device))
        return as_numpy_images(images)


def cosine_schedule(epochs: int, final_fraction: float = 0.01):
    """A scheduler factory for :func:`latentbio.train.fit`: cosine decay of every learning
    rate to ``final_fraction`` of its start over ``epochs`` (the official code anneals to 1e-5)."""
    def build(optimizer):
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda epoch: final_fraction + (1 - final_fraction) * 0.5 * (1 + np.cos(np.pi * epoch / epochs)))
    return build


__all__ = ["LORD", "AmortizedLORD", "NoisyEmbedding", "pixel_loss", "cosine_schedule"]
