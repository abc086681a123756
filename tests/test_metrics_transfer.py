import numpy as np
import pytest

from latentbio.data.shapes import make_shapes, render_classes
from latentbio.metrics.transfer import intersection_over_union, source_class_fraction


def test_iou_of_known_silhouettes():
    image = np.zeros((1, 8, 8), dtype=np.float32)
    image[0, 2:6, 2:6] = 1  # 16 pixels
    shifted = np.zeros_like(image)
    shifted[0, 2:6, 4:8] = 1  # overlaps the first in 8 pixels; union 24
    np.testing.assert_allclose(intersection_over_union(image, image), [1.0])
    np.testing.assert_allclose(intersection_over_union(image, shifted), [8 / 24])
    np.testing.assert_allclose(intersection_over_union(image, 1 - image), [0.0])
    empty = np.zeros_like(image)
    np.testing.assert_allclose(intersection_over_union(empty, empty), [1.0])
    # grey values count by the threshold
    np.testing.assert_allclose(intersection_over_union(0.4 * image, image), [0.0])
    np.testing.assert_allclose(intersection_over_union(0.4 * image, image, threshold=0.3), [1.0])


def test_iou_ranks_right_pose_above_right_shape_in_a_wrong_pose():
    data = make_shapes(20, seed=0)
    target = (data.classes + 1) % len(data.class_names)
    truth = render_classes(target, data.factors)
    wrong_pose = render_classes(target, np.roll(data.factors, 1, axis=0))
    assert intersection_over_union(truth, truth).min() == 1.0
    assert intersection_over_union(wrong_pose, truth).mean() < 0.5
    # the source image: right pose, wrong shape, lies in between
    source = intersection_over_union(data.images, truth).mean()
    assert intersection_over_union(wrong_pose, truth).mean() < source < 1.0


def test_iou_checks_its_input():
    images = np.zeros((3, 8, 8), dtype=np.float32)
    with pytest.raises(ValueError, match="same shape"):
        intersection_over_union(images, images[:2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        intersection_over_union(images + 2, images)
    with pytest.raises(ValueError, match="threshold"):
        intersection_over_union(images, images, threshold=1.5)


def test_source_class_fraction_counts_failures_that_kept_their_source():
    source = np.array([0, 0, 1, 1, 2, 2])
    target = np.array([1, 2, 0, 2, 0, 1])
    # two successes, two failures judged as the source, two judged as a third class
    judged = np.array([1, 0, 1, 2, 1, 0])
    assert source_class_fraction(judged, source, target) == pytest.approx(0.5)
    assert source_class_fraction(source, source, target) == 1.0
    assert np.isnan(source_class_fraction(target, source, target))
    # strings work as well as integers
    names = np.array(["a", "b", "c"])
    assert source_class_fraction(names[judged], names[source], names[target]) == pytest.approx(0.5)


def test_source_class_fraction_checks_its_input():
    with pytest.raises(ValueError, match="one label per sample"):
        source_class_fraction([0, 1, 2], [0, 1], [1, 2])
    with pytest.raises(ValueError, match="must change the class"):
        source_class_fraction([0, 1], [0, 1], [1, 1])
