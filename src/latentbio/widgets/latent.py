"""Slider explorers of a latent space (they need a live Jupyter kernel; each chapter
shows a static figure beside them for the rendered book)."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..plotting.images import as_images


def latent_explorer(decode, z, *, image_shape, dims=None, value_range=(-3.0, 3.0), extra_controls=None):
    """Sliders over latent dimensions that decode live.

    ``decode(codes, **extra)`` maps ``(1, n_latent)`` codes to one image; ``z`` is the
    starting code; ``dims`` the dimensions to expose (all by default);
    ``extra_controls`` maps keyword names of ``decode`` to widgets (e.g. a class
    dropdown). Returns the widget to display.
    """
    z = np.asarray(z, dtype=np.float32).ravel()
    dims = list(range(len(z))) if dims is None else list(dims)
    sliders = {f"z{d}": widgets.FloatSlider(value=float(z[d]), min=value_range[0], max=value_range[1],
                                            step=0.1, description=f"z[{d}]", continuous_update=False)
               for d in dims}
    extra_controls = extra_controls or {}

    def show(**values):
        code = z.copy()
        for d in dims:
            code[d] = values[f"z{d}"]
        extra = {name: values[name] for name in extra_controls}
        image = as_images(decode(code[None, :], **extra), image_shape)[0]
        fig, ax = plt.subplots(figsize=(2.5, 2.5))
        ax.imshow(image, cmap=None if image.ndim == 3 else "gray_r", vmin=0, vmax=1)
        ax.axis("off")
        plt.show()

    controls = {**sliders, **extra_controls}
    output = widgets.interactive_output(show, controls)
    return widgets.HBox([widgets.VBox(list(controls.values())), output])
