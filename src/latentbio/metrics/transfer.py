"""Scores of a class transfer whose exact answer can be rendered (the procedural shapes of chapter 3).

A class transfer draws the content (here: the pose) of one image as another class. Two
questions decide whether it worked: is the result the *target class* (an independent judge
classifier answers that: :meth:`latentbio.models.ImageClassifier.error`), and is it *in the right
pose*? For the latter, :func:`intersection_over_union` compares the silhouette of the transfer
with the silhouette of the exact answer, the target shape rendered in the source pose. When a
transfer is not judged its target class, :func:`source_class_fraction` asks what the judge saw
instead: the source class (the content carried the class along: leakage) or some other class
(the generator could not draw the target in that pose: drawing skill).
"""

import numpy as np

from ..checks import as_image_batch, check_labels, check_number


def intersection_over_union(images, reference, *, threshold: float = 0.5) -> np.ndarray:
    """Per-image intersection over union of the silhouettes ``images > threshold`` and
    ``reference > threshold``; shape ``(n,)``, values in [0, 1].

    ``images`` and ``reference`` are grey images ``(n, size, size)`` in [0, 1]. 1 means the two
    silhouettes cover the same pixels, 0 that they do not overlap; two empty silhouettes count as 1.
    """
    threshold = check_number(threshold, "threshold", minimum=0.0, maximum=1.0)
    images = as_image_batch(images, name="images").numpy() > threshold
    reference = as_image_batch(reference, name="reference").numpy() > threshold
    if images.shape != reference.shape:
        raise ValueError(f"images and reference must have the same shape; got {images.shape[:1] + images.shape[2:]} "
                         f"and {reference.shape[:1] + reference.shape[2:]}")
    intersection = (images & reference).sum(axis=(1, 2, 3))
    union = (images | reference).sum(axis=(1, 2, 3))
    return np.where(union > 0, intersection / np.maximum(union, 1), 1.0)


def source_class_fraction(judged_classes, source_classes, target_classes) -> float:
    """Among the transfers the judge did not assign to their target class, the fraction it
    assigned to their *source* class.

    All three arguments hold one label per transfer. If a failed transfer picked its wrong label
    at random among the judge's other classes, the fraction would be about 1 / (number of judged
    classes - 1); much more means the transfers kept their source class. Returns NaN when every
    transfer was judged its target class (there is no failure to describe).
    """
    judged = check_labels(judged_classes, name="judged_classes")
    source = check_labels(source_classes, len(judged), name="source_classes")
    target = check_labels(target_classes, len(judged), name="target_classes")
    if (source == target).any():
        raise ValueError("a transfer must change the class: some source_classes equal their target_classes")
    failed = judged != target
    if not failed.any():
        return float("nan")
    return float(np.mean(judged[failed] == source[failed]))
