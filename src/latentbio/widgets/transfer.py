"""A class-transfer explorer: pick a content image and a class, see the transfer (needs a live kernel)."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..plotting.images import as_images


def transfer_explorer(transfer, content_images, class_names, *, cmap: str = "gray_r"):
    """A slider over ``content_images`` and a dropdown over ``class_names``.

    ``transfer(content_index, class_index)`` returns one image: the content of
    ``content_images[content_index]`` rendered as class ``class_index``. Shows the
    content image beside the transfer. Returns the widget to display.
    """
    content_images = as_images(content_images)
    image_slider = widgets.IntSlider(value=0, min=0, max=len(content_images) - 1, description="content image",
                                     continuous_update=False)
    class_menu = widgets.Dropdown(options=[(str(name), i) for i, name in enumerate(class_names)], value=0,
                                  description="class")

    def show(content_index, class_index):
        fig, (left, right) = plt.subplots(1, 2, figsize=(4, 2))
        left.imshow(content_images[content_index], cmap=cmap, vmin=0, vmax=1)
        left.set_title("content", fontsize=9)
        right.imshow(np.clip(transfer(content_index, class_index), 0, 1), cmap=cmap, vmin=0, vmax=1)
        right.set_title(f"as {class_names[class_index]}", fontsize=9)
        for ax in (left, right):
            ax.axis("off")
        plt.show()

    output = widgets.interactive_output(show, {"content_index": image_slider, "class_index": class_menu})
    return widgets.HBox([widgets.VBox([image_slider, class_menu]), output])
