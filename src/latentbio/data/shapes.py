"""Procedural grey shapes: the class is the shape, the content is its pose, both known exactly.

Each image is one white shape on a black square. Its class is one of ``SHAPES``; its
content is four continuous factors drawn at random and returned with the image:
the centre (``x``, ``y``, in pixels from the top-left corner), the ``scale`` (half
the shape's size, in pixels) and the ``rotation`` (degrees, anticlockwise). Because
any pose can be drawn with any shape, the ground truth of a class transfer ("this
pose, that shape") can be rendered exactly.
"""

from dataclasses import dataclass

import numpy as np

from ..checks import as_numeric_array, check_integer, selection_indices

SHAPES = ("square", "ellipse", "triangle", "cross", "star", "heart")
FACTOR_NAMES = ("x", "y", "scale", "rotation")
ROTATION_RANGE = (-30.0, 30.0)  # degrees; less than half the smallest symmetry angle (72 degrees, the star)
SUPERSAMPLING = 2  # sub-pixels per side, for anti-aliased edges
MIN_SIZE = 8  # pixels per side


@dataclass
class Shapes:
    """Images with their class and content.

    ``images``: float32 ``(n, size, size)`` in [0, 1]; ``classes``: int ``(n,)``, indices
    into ``class_names``; ``factors``: float ``(n, 4)``, the content in the order of
    ``factor_names`` (x, y, scale, rotation).
    """

    images: np.ndarray
    classes: np.ndarray
    factors: np.ndarray
    class_names: tuple[str, ...]
    factor_names: tuple[str, ...] = FACTOR_NAMES

    @property
    def image_shape(self) -> tuple[int, int]:
        """Shape of one image, ``(size, size)``."""
        return self.images.shape[1:]

    def subset(self, mask) -> "Shapes":
        """The images selected by a boolean mask or an index array (see :func:`latentbio.checks.selection_indices`)."""
        rows = selection_indices(mask, len(self.images), name="mask", items="images")
        return Shapes(self.images[rows], self.classes[rows], self.factors[rows], self.class_names, self.factor_names)


def inside_shape(shape: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of the points ``(u, v)`` (shape coordinates, v pointing up) inside
    ``shape``; every shape fits in the unit disc."""
    if shape == "square":
        return np.maximum(np.abs(u), np.abs(v)) <= 0.7
    if shape == "ellipse":
        return (u / 0.95) ** 2 + (v / 0.5) ** 2 <= 1
    if shape == "triangle":
        return (v >= -0.5) & (np.abs(u) <= (0.95 - v) * 0.82 / 1.45)
    if shape == "cross":
        return ((np.abs(u) <= 0.33) & (np.abs(v) <= 0.9)) | ((np.abs(v) <= 0.33) & (np.abs(u) <= 0.9))
    if shape == "star":
        radius, angle = np.hypot(u, v), np.arctan2(v, u) - np.pi / 2
        return radius <= 0.95 * (0.7 + 0.3 * np.cos(5 * angle))
    if shape == "heart":
        x, y = u / 0.75, v / 0.75 + 0.12
        return (x ** 2 + y ** 2 - 1) ** 3 - x ** 2 * y ** 3 <= 0
    raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")


def render_shapes(shape: str, poses, size: int = 32) -> np.ndarray:
    """Images of one ``shape`` in the given poses, float32 ``(n, size, size)`` in [0, 1].

    Each pose row is (x, y, scale, rotation): the centre at pixel ``(x, y)`` from the
    top-left corner, ``scale`` pixels from the centre to the edge, and ``rotation``
    degrees anticlockwise. Edges are anti-aliased by supersampling.
    """
    poses = as_numeric_array(poses, name="poses")
    if poses.ndim != 2 or poses.shape[1] != len(FACTOR_NAMES):
        raise ValueError(f"poses must have shape (n, 4) for {FACTOR_NAMES}; got {poses.shape}")
    size = check_integer(size, "size (pixels)", minimum=MIN_SIZE)
    if not np.isfinite(poses).all() or (poses[:, 2] <= 0).any():
        raise ValueError("poses must be finite, with a positive scale")
    x, y, scale, angle = (poses[:, i, None, None] for i in range(4))
    angle = np.deg2rad(angle)
    offsets = (np.arange(size * SUPERSAMPLING) + 0.5) / SUPERSAMPLING
    dx, dy = (offsets[None, None, :] - x) / scale, -(offsets[None, :, None] - y) / scale
    u = np.cos(angle) * dx + np.sin(angle) * dy
    v = -np.sin(angle) * dx + np.cos(angle) * dy
    mask = inside_shape(shape, u, v).astype(np.float32)
    return mask.reshape(len(poses), size, SUPERSAMPLING, size, SUPERSAMPLING).mean(axis=(2, 4))


def render_shape(shape: str, x: float, y: float, scale: float, rotation: float, size: int = 32) -> np.ndarray:
    """One image, float32 ``(size, size)``; see :func:`render_shapes`."""
    return render_shapes(shape, [[x, y, scale, rotation]], size)[0]


def random_poses(n: int, size: int = 32, seed: int = 0) -> np.ndarray:
    """``n`` poses drawn uniformly, float ``(n, 4)``: x and y in the central part of the
    image, scale from 0.18 to 0.3 of the image size, rotation in ``ROTATION_RANGE``."""
    n = check_integer(n, "n", minimum=0)
    size = check_integer(size, "size (pixels)", minimum=MIN_SIZE)
    rng = np.random.default_rng(check_integer(seed, "seed", minimum=0))
    largest_scale = 0.3 * size
    margin = largest_scale + 1
    return np.column_stack([
        rng.uniform(margin, size - margin, n),
        rng.uniform(margin, size - margin, n),
        rng.uniform(0.18 * size, largest_scale, n),
        rng.uniform(*ROTATION_RANGE, n),
    ])


def make_shapes(n_per_class: int = 500, size: int = 32, shapes: tuple[str, ...] = SHAPES, seed: int = 0) -> Shapes:
    """``n_per_class`` images of each shape in ``shapes``, each with its own random pose,
    in a random order (reproducible with ``seed``)."""
    n_per_class = check_integer(n_per_class, "n_per_class", minimum=1)
    size = check_integer(size, "size (pixels)", minimum=MIN_SIZE)
    seed = check_integer(seed, "seed", minimum=0)
    if isinstance(shapes, str):
        raise TypeError(f"shapes must be a tuple of shape names, e.g. ('square', 'heart'); got the string {shapes!r}")
    if len(shapes) < 2 or len(set(shapes)) != len(shapes):
        raise ValueError(f"give at least two distinct shapes; got {shapes}")
    for shape in shapes:
        if shape not in SHAPES:
            raise ValueError(f"unknown shape {shape!r}; expected some of {SHAPES}")
    n = n_per_class * len(shapes)
    classes = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(shapes)), n_per_class))
    factors = random_poses(n, size, seed + 1)
    images = np.empty((n, size, size), dtype=np.float32)
    for index, shape in enumerate(shapes):
        images[classes == index] = render_shapes(shape, factors[classes == index], size)
    return Shapes(images=images, classes=classes, factors=factors, class_names=tuple(shapes))
