"""The generator of LORD: the content code is the spatial input, the class code enters only through AdaIN.

A small version of the official generator (Gabbay and Hoshen 2020, code
``lord-pytorch/model/modules.py``): fully connected layers turn the content code into a
small feature map; each block doubles its size (upsample, 3x3 convolution, LeakyReLU)
and then applies adaptive instance normalisation (Huang and Belongie 2017) whose
per-channel scale and bias are computed from the class code by one linear layer per
block; a last transposed convolution doubles the size once more straight to pixels,
and a sigmoid puts them in [0, 1]. The official model works on 64x64 images, with
256 channels per block and two convolutions at full resolution; here the sizes are
parameters and the full-resolution step is one cheap transposed convolution, so that
the chapter trains in seconds on a CPU.
"""

from collections.abc import Sequence

import torch
from torch import nn


class AdaIN(nn.Module):
    """Adaptive instance normalisation (Huang and Belongie 2017, eq. 8).

    ``AdaIN(x, scale, bias) = scale * (x - mean(x)) / std(x) + bias``, where the mean and
    standard deviation are taken over the spatial positions of each channel of each
    image, and ``scale`` and ``bias`` (one number per image and channel) come from the
    class code. The feature map keeps its spatial layout (the content) and takes its
    channel statistics (the style, here the class) from outside.
    """

    def __init__(self, eps: float = 1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, features: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """Return the re-styled ``features`` ``(n, channels, h, w)``; ``scale`` and ``bias`` are ``(n, channels)``."""
        if features.ndim != 4 or scale.shape != features.shape[:2] or bias.shape != features.shape[:2]:
            raise ValueError(f"AdaIN expects features (n, c, h, w) with scale and bias (n, c); got "
                             f"{tuple(features.shape)}, {tuple(scale.shape)}, {tuple(bias.shape)}")
        # instance_norm computes (x - mean) / sqrt(var + eps) per image and channel, with the biased
        # variance: the formula above, in one fused step (about 2.5 times faster than writing it out)
        normalised = nn.functional.instance_norm(features, eps=self.eps)
        return scale[:, :, None, None] * normalised + bias[:, :, None, None]


class AdaINGenerator(nn.Module):
    """Images ``(n, image_channels, image_size, image_size)`` from content and class codes.

    ``channels`` gives the width of each upsampling block; with ``k`` blocks the content
    code is first mapped to a ``(channels[0], s, s)`` map with ``s = image_size / 2^(k+1)``
    (the last doubling is the output layer).
    ``modulation[i]`` is the linear layer class code -> (bias, scale) of block ``i``; its
    scale outputs start near 1 (the official code starts them near 0, which trains slowly).
    """

    def __init__(self, content_dim: int, class_dim: int, image_size: int, image_channels: int = 1,
                 channels: Sequence[int] = (32, 16)):
        super().__init__()
        if not channels:
            raise ValueError("the generator needs at least one block (channels must not be empty)")
        doublings = len(channels) + 1
        start_size = image_size // 2 ** doublings
        if start_size < 1 or start_size * 2 ** doublings != image_size:
            raise ValueError(f"image_size {image_size} must be a multiple of 2^{doublings} (one doubling "
                             f"per entry of channels={tuple(channels)}, one in the output layer)")
        self.content_dim, self.class_dim, self.image_size = content_dim, class_dim, image_size
        self.start_shape = (channels[0], start_size, start_size)
        start_units = channels[0] * start_size ** 2
        self.fully_connected = nn.Sequential(
            nn.Linear(content_dim, start_units // 4), nn.LeakyReLU(0.2),
            nn.Linear(start_units // 4, start_units // 2), nn.LeakyReLU(0.2),
            nn.Linear(start_units // 2, start_units), nn.LeakyReLU(0.2),
        )
        widths = [channels[0], *channels]
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, padding=1), nn.LeakyReLU(0.2))
            for c_in, c_out in zip(widths[:-1], widths[1:]))
        self.modulation = nn.ModuleList(nn.Linear(class_dim, 2 * c_out) for c_out in channels)
        for layer, c_out in zip(self.modulation, channels):
            nn.init.ones_(layer.bias[c_out:])  # AdaIN starts as plain instance normalisation (scale 1)
        self.adain = AdaIN()
        self.to_image = nn.Sequential(nn.ConvTranspose2d(channels[-1], image_channels, 4, stride=2, padding=1),
                                      nn.Sigmoid())

    def forward(self, content_codes: torch.Tensor, class_codes: torch.Tensor) -> torch.Tensor:
        """Render one image per row of ``content_codes`` ``(n, content_dim)`` and ``class_codes`` ``(n, class_dim)``."""
        if content_codes.ndim != 2 or content_codes.shape[1] != self.content_dim:
            raise ValueError(f"content codes must have shape (n, {self.content_dim}); got {tuple(content_codes.shape)}")
        if class_codes.shape != (len(content_codes), self.class_dim):
            raise ValueError(f"class codes must have shape ({len(content_codes)}, {self.class_dim}); "
                             f"got {tuple(class_codes.shape)}")
        features = self.fully_connected(content_codes).reshape(-1, *self.start_shape)
        for block, modulation in zip(self.blocks, self.modulation):
            bias, scale = modulation(class_codes).chunk(2, dim=1)
            features = self.adain(block(features), scale, bias)
        return self.to_image(features)


class ConvEncoder(nn.Module):
    """Image ``(n, image_channels, size, size)`` -> code ``(n, code_dim)``: strided 4x4
    convolutions that halve the size, then two linear layers (a small version of the
    stage-2 encoders of the official code)."""

    def __init__(self, image_size: int, code_dim: int, image_channels: int = 1, channels: Sequence[int] = (16, 32),
                 hidden: int = 128):
        super().__init__()
        if image_size % 2 ** len(channels):
            raise ValueError(f"image_size {image_size} must be divisible by 2^{len(channels)}")
        layers, c_in = [], image_channels
        for c_out in channels:
            layers += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c_in = c_out
        final_size = image_size // 2 ** len(channels)
        self.network = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c_in * final_size ** 2, hidden),
                                     nn.LeakyReLU(0.2), nn.Linear(hidden, code_dim))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """The codes of ``images``."""
        return self.network(images)
