"""Input checks for the image models: a batch of images in [0, 1], as the (n, channels, h, w) tensor torch expects."""

import numpy as np
import torch


def as_image_batch(images, image_size: int | None = None, *, name: str = "images") -> torch.Tensor:
    """Return ``images`` as a float32 tensor ``(n, channels, size, size)``.

    Accepts grey images ``(n, h, w)`` or channels-last colour images ``(n, h, w, c)``
    (as the datasets of the course store them). Raises ``ValueError`` for another
    shape, non-square or wrongly sized images, an empty batch, NaN or values outside [0, 1].
    """
    array = np.asarray(images.detach().cpu() if torch.is_tensor(images) else images, dtype=np.float32)
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 4:
        array = array.transpose(0, 3, 1, 2)
    else:
        raise ValueError(f"{name} must be grey (n, h, w) or colour (n, h, w, channels); got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty")
    height, width = array.shape[2:]
    if height != width or (image_size is not None and height != image_size):
        expected = f"{image_size}x{image_size}" if image_size is not None else "square"
        raise ValueError(f"{name} must be {expected} images; got {height}x{width}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} must lie in [0, 1]; got range [{array.min():.3g}, {array.max():.3g}]. "
                         "Scale the pixels, e.g. images / images.max().")
    return torch.from_numpy(np.ascontiguousarray(array))


def as_numpy_images(batch: torch.Tensor) -> np.ndarray:
    """The inverse of :func:`as_image_batch`: ``(n, h, w)`` for grey, ``(n, h, w, c)`` for colour."""
    array = batch.detach().cpu().numpy()
    return array[:, 0] if array.shape[1] == 1 else array.transpose(0, 2, 3, 1)
