"""Sprites: a procedural world of independent ordinal factors, for measuring disentanglement.

In the spirit of dSprites (Matthey et al. 2017), the anchor data set of disentanglement_lib:
one white ellipse on a black square, drawn from four factors of variation that are sampled
independently and uniformly from a grid of ``n_values`` evenly spaced values each:

- ``x`` and ``y``: the centre (pixels from the top-left corner), kept inside the image;
- ``scale``: the half-length of the ellipse's long axis (pixels);
- ``rotation``: degrees anticlockwise, in (-60, 60), a range shorter than the ellipse's
  180-degree symmetry so that every rotation gives a different image.

Each image comes with the index (0 .. n_values - 1) of each factor's value: the discrete
ground truth that a disentanglement score such as MIG needs, and that real data never give.
The ellipse is drawn with :func:`latentbio.data.shapes.render_shapes` (anti-aliased edges).
"""

from dataclasses import dataclass

import numpy as np

from .shapes import render_shapes

FACTOR_NAMES = ("x", "y", "scale", "rotation")
SHAPE = "ellipse"
SCALE_RANGE = (0.2, 0.3)  # half-length of the long axis, as a fraction of the image size
ROTATION_RANGE = (-60.0, 60.0)  # degrees


@dataclass(frozen=True)
class Sprites:
    """Images with the factors that drew them.

    ``images``: float32 ``(n, size, size)`` in [0, 1]; ``factors``: int64 ``(n, 4)``, the index of
    each factor's value, columns in the order of ``factor_names``; ``factor_values``: for each
    factor name, the float array of its ``n_values`` values (pixels or degrees).
    """

    images: np.ndarray
    factors: np.ndarray
    factor_values: dict[str, np.ndarray]
    factor_names: tuple[str, ...] = FACTOR_NAMES

    @property
    def image_shape(self) -> tuple[int, int]:
        """Shape of one image, ``(size, size)``."""
        return self.images.shape[1:]

    def poses(self) -> np.ndarray:
        """The factor values of every image (not their indices), float ``(n, 4)``."""
        return np.column_stack([self.factor_values[name][self.factors[:, k]]
                                for k, name in enumerate(self.factor_names)])


def sprite_factor_values(size: int, n_values: int) -> dict[str, np.ndarray]:
    """The ``n_values`` evenly spaced values of each factor for images of ``size`` pixels.

    The centre stays far enough from the border that the largest ellipse is never cut.
    """
    largest = SCALE_RANGE[1] * size
    position = np.linspace(largest + 0.5, size - largest - 0.5, n_values)
    return {"x": position, "y": position.copy(),
            "scale": np.linspace(SCALE_RANGE[0] * size, largest, n_values),
            "rotation": np.linspace(*ROTATION_RANGE, n_values)}


def make_sprites(n: int = 5000, size: int = 16, n_values: int = 8, seed: int = 0) -> Sprites:
    """``n`` sprites whose four factors are drawn independently and uniformly from ``n_values``
    values each (reproducible with ``seed``); see the module docstring."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if size < 12:
        raise ValueError(f"size must be at least 12 pixels for the ellipse to show its rotation, got {size}")
    if n_values < 2:
        raise ValueError(f"each factor needs at least 2 values, got n_values={n_values}")
    values = sprite_factor_values(size, n_values)
    factors = np.random.default_rng(seed).integers(0, n_values, size=(n, len(FACTOR_NAMES)))
    sprites = Sprites(images=np.empty((n, size, size), dtype=np.float32), factors=factors, factor_values=values)
    sprites.images[:] = render_shapes(SHAPE, sprites.poses(), size)
    return sprites
