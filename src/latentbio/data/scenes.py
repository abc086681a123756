"""Procedural "scene" images whose factors of variation are known exactly.

A scene is a sky (background) above a strip of ground, with one object standing on
the ground: the toy world of "a yellow background, green ground and shapes" with
which the course opens. Five factors vary independently, and every combination
appears once, so that a latent code can be scored against the truth.
"""

from dataclasses import dataclass

import numpy as np

from ..checks import check_integer, check_number

BACKGROUND_COLOURS = {"yellow": (0.98, 0.90, 0.35), "sky blue": (0.55, 0.78, 0.95), "pink": (0.96, 0.70, 0.80)}
GROUND_COLOURS = {"green": (0.30, 0.65, 0.25), "brown": (0.55, 0.38, 0.20), "grey": (0.50, 0.50, 0.50)}
SHAPES = ("square", "circle", "triangle")
OBJECT_COLOURS = {"red": (0.85, 0.15, 0.15), "blue": (0.15, 0.25, 0.85), "white": (0.97, 0.97, 0.97),
                  "purple": (0.50, 0.15, 0.60)}
FACTOR_NAMES = ("background", "ground", "shape", "position", "object colour")


@dataclass
class Scenes:
    """Images and the factors that made them.

    ``images``: float32 array ``(n, size, size, 3)`` in [0, 1];
    ``factors``: int array ``(n, 5)``, the index of each factor's value, in the order
    of ``factor_names``; ``factor_values``: for each factor, the list of its values.
    """

    images: np.ndarray
    factors: np.ndarray
    factor_names: tuple[str, ...]
    factor_values: dict[str, list]

    @property
    def flat(self) -> np.ndarray:
        """The images as rows of ``size * size * 3`` pixels, for models on flat vectors."""
        return self.images.reshape(len(self.images), -1)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """Shape of one image, ``(size, size, 3)``."""
        return self.images.shape[1:]


def shape_mask(shape: str, size: int, centre_x: float, base_y: float, half_width: float) -> np.ndarray:
    """Boolean ``(size, size)`` mask of a shape standing on the line ``y = base_y`` (rows grow downwards)."""
    rows, cols = np.mgrid[0:size, 0:size] + 0.5
    top = base_y - 2 * half_width
    centre_y = base_y - half_width
    if shape == "square":
        return (np.abs(cols - centre_x) <= half_width) & (rows >= top) & (rows <= base_y)
    if shape == "circle":
        return (cols - centre_x) ** 2 + (rows - centre_y) ** 2 <= half_width ** 2
    if shape == "triangle":
        height = np.clip((rows - top) / (2 * half_width), 0, 1)
        return (rows >= top) & (rows <= base_y) & (np.abs(cols - centre_x) <= height * half_width)
    raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")


def render_scene(background: str, ground: str, shape: str, position: float, object_colour: str,
                 size: int = 32, object_size: float = 0.5) -> np.ndarray:
    """One scene, float32 ``(size, size, 3)``; ``position`` in [0, 1] runs from left to right,
    ``object_size`` is the object's width as a fraction of the image's."""
    position = check_number(position, "position", minimum=0.0, maximum=1.0)
    size = check_integer(size, "size (pixels)", minimum=16)
    object_size = check_number(object_size, "object_size (a fraction of the image width)", minimum=0.0, maximum=0.5)
    if object_size == 0:
        raise ValueError("object_size must be in (0, 0.5] (a fraction of the image width), got 0")
    for factor, value, palette in (("background", background, BACKGROUND_COLOURS), ("ground", ground, GROUND_COLOURS),
                                   ("object colour", object_colour, OBJECT_COLOURS)):
        if value not in palette:
            raise ValueError(f"unknown {factor} {value!r}; expected one of {list(palette)}")
    image = np.empty((size, size, 3), dtype=np.float32)
    horizon = int(round(0.65 * size))
    image[:horizon] = BACKGROUND_COLOURS[background]
    image[horizon:] = GROUND_COLOURS[ground]
    half_width = object_size * size / 2
    centre_x = half_width + 1 + position * (size - 2 * half_width - 2)
    mask = shape_mask(shape, size, centre_x, base_y=0.8 * size, half_width=half_width)
    image[mask] = OBJECT_COLOURS[object_colour]
    return image


def make_scenes(n_positions: int = 8, size: int = 32, object_size: float = 0.5) -> Scenes:
    """Every combination of the five factors, once: 3 backgrounds x 3 grounds x 3 shapes
    x ``n_positions`` positions x 4 object colours (864 scenes by default).

    The object is half as wide as the image by default: smaller objects cover so few
    pixels that a small model on 864 images hardly learns their shape, position or colour."""
    n_positions = check_integer(n_positions, "n_positions", minimum=2)
    values = {
        "background": list(BACKGROUND_COLOURS),
        "ground": list(GROUND_COLOURS),
        "shape": list(SHAPES),
        "position": [float(p) for p in np.linspace(0.0, 1.0, n_positions).round(3)],
        "object colour": list(OBJECT_COLOURS),
    }
    grids = np.meshgrid(*[np.arange(len(v)) for v in values.values()], indexing="ij")
    factors = np.stack([g.ravel() for g in grids], axis=1)
    images = np.stack([
        render_scene(*(values[name][index] for name, index in zip(FACTOR_NAMES, row)), size=size,
                     object_size=object_size)
        for row in factors
    ])
    return Scenes(images=images, factors=factors, factor_names=FACTOR_NAMES, factor_values=values)
