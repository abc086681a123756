"""The sprites world: independent factors on a grid, images that are the rendering of their factors."""

import numpy as np
import pytest

from latentbio.data.shapes import render_shapes
from latentbio.data.sprites import FACTOR_NAMES, make_sprites, sprite_factor_values


def test_make_sprites_returns_images_and_factor_indices():
    sprites = make_sprites(n=300, size=16, n_values=8, seed=0)
    assert sprites.images.shape == (300, 16, 16) and sprites.images.dtype == np.float32
    assert sprites.images.min() >= 0 and sprites.images.max() <= 1
    assert sprites.factors.shape == (300, len(FACTOR_NAMES)) and sprites.factor_names == FACTOR_NAMES
    assert sprites.factors.min() == 0 and sprites.factors.max() == 7
    assert sprites.image_shape == (16, 16)
    assert all(len(sprites.factor_values[name]) == 8 for name in FACTOR_NAMES)


def test_factors_are_uniform_and_independent():
    factors = make_sprites(n=20_000, size=16, n_values=4, seed=1).factors
    counts = np.stack([np.bincount(column, minlength=4) for column in factors.T])
    assert np.all(np.abs(counts / len(factors) - 0.25) < 0.02)
    pairs = np.bincount(factors[:, 0] * 4 + factors[:, 3], minlength=16) / len(factors)
    np.testing.assert_allclose(pairs, 1 / 16, atol=0.01)  # the joint is the product of the marginals


def test_images_are_the_rendering_of_their_factor_values():
    sprites = make_sprites(n=20, size=16, seed=2)
    np.testing.assert_array_equal(sprites.images, render_shapes("ellipse", sprites.poses(), 16))
    for k, name in enumerate(FACTOR_NAMES):
        np.testing.assert_array_equal(sprites.poses()[:, k], sprites.factor_values[name][sprites.factors[:, k]])


def test_the_ellipse_stays_inside_the_image():
    sprites = make_sprites(n=2000, size=16, seed=3)
    border = np.concatenate([sprites.images[:, 0], sprites.images[:, -1], sprites.images[:, :, 0],
                             sprites.images[:, :, -1]])
    assert border.max() == 0


def test_each_factor_changes_the_image():
    values = sprite_factor_values(16, 8)
    base = np.array([[values[name][3] for name in FACTOR_NAMES]])
    for k, name in enumerate(FACTOR_NAMES):
        moved = base.copy()
        moved[0, k] = values[name][4]
        assert np.abs(render_shapes("ellipse", moved, 16) - render_shapes("ellipse", base, 16)).sum() > 0.5, name


def test_same_seed_same_sprites():
    a, b, c = make_sprites(50, seed=4), make_sprites(50, seed=4), make_sprites(50, seed=5)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.factors, c.factors)


@pytest.mark.parametrize("options, message", [
    ({"n": 0}, "n must be"), ({"size": 8}, "size must be"), ({"n_values": 1}, "at least 2 values")])
def test_bad_settings_raise(options, message):
    with pytest.raises(ValueError, match=message):
        make_sprites(**options)
