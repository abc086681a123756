import numpy as np
import pytest

from latentbio.data.shapes import (FACTOR_NAMES, ROTATION_RANGE, SHAPES, inside_shape, make_shapes, render_classes,
                                   render_shape, render_shapes)


def test_make_shapes_returns_images_classes_and_factors():
    data = make_shapes(n_per_class=20, size=32, seed=0)
    assert data.images.shape == (20 * len(SHAPES), 32, 32)
    assert data.images.dtype == np.float32
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert np.bincount(data.classes).tolist() == [20] * len(SHAPES)
    assert data.factors.shape == (len(data.images), len(FACTOR_NAMES))
    assert data.class_names == SHAPES and data.image_shape == (32, 32)


def test_factors_lie_in_their_ranges_and_keep_the_shape_inside_the_image():
    data = make_shapes(n_per_class=50, seed=1)
    x, y, scale, rotation = data.factors.T
    assert (scale >= 0.18 * 32).all() and (scale <= 0.3 * 32).all()
    assert (rotation >= ROTATION_RANGE[0]).all() and (rotation <= ROTATION_RANGE[1]).all()
    assert (x - scale >= 0).all() and (x + scale <= 32).all() and (y - scale >= 0).all() and (y + scale <= 32).all()
    border = np.concatenate([data.images[:, 0], data.images[:, -1], data.images[:, :, 0], data.images[:, :, -1]])
    assert border.max() == 0


def test_images_are_the_rendering_of_their_factors():
    data = make_shapes(n_per_class=5, seed=2)
    for i in range(0, len(data.images), 7):
        expected = render_shape(data.class_names[data.classes[i]], *data.factors[i])
        np.testing.assert_array_equal(data.images[i], expected)


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_shapes(10, seed=3), make_shapes(10, seed=3), make_shapes(10, seed=4)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)


def test_pose_factors_move_scale_and_turn_the_shape():
    base = render_shape("square", 16, 16, 6, 0)
    rows, cols = np.nonzero(base > 0.5)
    assert abs(cols.mean() - 15.5) < 0.5 and abs(rows.mean() - 15.5) < 0.5
    shifted = render_shape("square", 20, 12, 6, 0)
    rows, cols = np.nonzero(shifted > 0.5)
    assert abs(cols.mean() - 19.5) < 0.5 and abs(rows.mean() - 11.5) < 0.5
    assert render_shape("square", 16, 16, 9, 0).sum() > 2 * base.sum()
    assert not np.allclose(render_shape("square", 16, 16, 6, 20), base)
    # a square of half-side 0.7 * scale covers (1.4 * scale)^2 pixels
    assert abs(base.sum() - (1.4 * 6) ** 2) < 0.15 * (1.4 * 6) ** 2


def test_shapes_differ_and_fit_in_the_unit_disc():
    u, v = np.meshgrid(np.linspace(-1.5, 1.5, 301), np.linspace(-1.5, 1.5, 301))
    masks = {shape: inside_shape(shape, u, v) for shape in SHAPES}
    for shape, mask in masks.items():
        assert mask.any(), shape
        assert not mask[np.hypot(u, v) > 1.0].any(), f"{shape} leaves the unit disc"
    for a in SHAPES:
        for b in SHAPES:
            if a < b:
                assert (masks[a] != masks[b]).mean() > 0.02, (a, b)


def test_render_shapes_matches_one_at_a_time():
    poses = np.array([[10.0, 12.0, 6.0, 10.0], [20.0, 18.0, 8.0, -25.0]])
    batch = render_shapes("star", poses)
    for pose, image in zip(poses, batch):
        np.testing.assert_array_equal(image, render_shape("star", *pose))


def test_rotation_range_keeps_rotation_a_line_for_every_shape():
    # the range spans at most half of the star's 72-degree symmetry (see ROTATION_RANGE)
    low, high = ROTATION_RANGE
    assert high - low <= 72 / 2
    # so, starting from one end of the range, a star looks more and more different up to the other end
    angles = np.linspace(low, high, 13)
    stars = render_shapes("star", [[16, 16, 8, angle] for angle in angles])
    distances = np.abs(stars - stars[0]).sum(axis=(1, 2))
    assert (np.diff(distances) > 0).all()
    # with +-30 degrees it would not: the far end is only 12 degrees from the near one through the symmetry
    wide = render_shapes("star", [[16, 16, 8, angle] for angle in np.linspace(-30, 30, 13)])
    assert not (np.diff(np.abs(wide - wide[0]).sum(axis=(1, 2))) > 0).all()


def test_render_classes_draws_each_class_in_its_pose():
    data = make_shapes(6, seed=5)
    np.testing.assert_array_equal(render_classes(data.classes, data.factors), data.images)
    other = (data.classes + 1) % len(SHAPES)
    transferred = render_classes(other, data.factors)
    for i in range(0, len(other), 5):
        np.testing.assert_array_equal(transferred[i], render_shape(SHAPES[other[i]], *data.factors[i]))
    with pytest.raises(ValueError, match="one class per pose"):
        render_classes(data.classes[:3], data.factors)
    with pytest.raises(ValueError, match="indices into class_names"):
        render_classes(np.full(len(data.classes), 6), data.factors)


def test_subset_keeps_rows_together():
    data = make_shapes(10, seed=0)
    part = data.subset(data.classes == 2)
    assert len(part.images) == 10 and (part.classes == 2).all()
    np.testing.assert_array_equal(part.factors, data.factors[data.classes == 2])


@pytest.mark.parametrize("call, message", [
    (lambda: make_shapes(0), "n_per_class"),
    (lambda: make_shapes(5, shapes=("square",)), "two distinct"),
    (lambda: make_shapes(5, shapes=("square", "blob")), "unknown shape"),
    (lambda: render_shape("square", 16, 16, -1, 0), "positive scale"),
    (lambda: render_shape("square", 4, 4, 2, 0, size=4), "at least 8"),
    (lambda: render_shapes("square", np.zeros((3, 2))), "shape \\(n, 4\\)"),
    (lambda: render_shapes("square", [[np.nan, 1, 1, 0]]), "finite"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
