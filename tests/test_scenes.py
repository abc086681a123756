"""The procedural scenes of chapter 1: every combination once, and each factor changes what it should."""

import numpy as np
import pytest

from latentbio.data import make_scenes, render_scene
from latentbio.data.scenes import BACKGROUND_COLOURS, GROUND_COLOURS, OBJECT_COLOURS, SHAPES, shape_mask


@pytest.fixture(scope="module")
def scenes():
    return make_scenes()


def test_every_combination_appears_once(scenes):
    assert scenes.images.shape == (864, 32, 32, 3)
    assert scenes.images.dtype == np.float32
    assert scenes.flat.shape == (864, 32 * 32 * 3)
    assert scenes.image_shape == (32, 32, 3)
    assert 0.0 <= scenes.images.min() and scenes.images.max() <= 1.0
    assert scenes.factors.shape == (864, 5)
    assert len({tuple(row) for row in scenes.factors}) == 864
    cardinalities = [len(scenes.factor_values[name]) for name in scenes.factor_names]
    assert cardinalities == [3, 3, 3, 8, 4]
    for k, n_values in enumerate(cardinalities):
        assert np.array_equal(np.bincount(scenes.factors[:, k]), np.full(n_values, 864 // n_values))
    # different factors give different pictures
    assert len({image.tobytes() for image in scenes.images}) == 864


def test_the_factors_describe_the_image(scenes):
    i = 100
    values = {name: scenes.factor_values[name][index] for name, index in zip(scenes.factor_names, scenes.factors[i])}
    image = render_scene(values["background"], values["ground"], values["shape"], values["position"],
                         values["object colour"])
    np.testing.assert_array_equal(image, scenes.images[i])
    np.testing.assert_allclose(image[0, 0], BACKGROUND_COLOURS[values["background"]])
    np.testing.assert_allclose(image[-1, 0], GROUND_COLOURS[values["ground"]])


def test_each_factor_changes_only_its_part_of_the_image():
    base = dict(background="yellow", ground="green", shape="circle", position=0.5, object_colour="red")
    reference = render_scene(**base)
    object_pixels = np.all(reference == np.float32(OBJECT_COLOURS["red"]), axis=-1)
    assert 100 < object_pixels.sum() < 300
    changed = {factor: np.any(render_scene(**{**base, factor: value}) != reference, axis=-1)
               for factor, value in [("background", "pink"), ("ground", "grey"), ("object_colour", "blue")]}
    assert not np.any(changed["background"][-1])  # the bottom row is ground
    assert not np.any(changed["ground"][0])  # the top row is sky
    np.testing.assert_array_equal(changed["object_colour"], object_pixels)
    moved = render_scene(**{**base, "position": 0.0})
    left_object = np.all(moved == np.float32(OBJECT_COLOURS["red"]), axis=-1)
    assert np.nonzero(left_object)[1].mean() < np.nonzero(object_pixels)[1].mean() - 5


def test_shapes_differ_and_object_size_scales_them():
    masks = {shape: shape_mask(shape, 32, centre_x=16, base_y=25, half_width=4) for shape in SHAPES}
    assert masks["triangle"].sum() < masks["circle"].sum() < masks["square"].sum()
    small = make_scenes(n_positions=2, object_size=0.25)
    large = make_scenes(n_positions=2, object_size=0.4)
    assert len(small.images) == len(large.images) == 3 * 3 * 3 * 2 * 4
    background = np.float32(BACKGROUND_COLOURS["yellow"])
    object_area = [np.sum(~np.all(s.images[0] == background, axis=-1)[:20]) for s in (small, large)]
    assert object_area[1] > 1.5 * object_area[0]


@pytest.mark.parametrize("options, message", [
    (dict(position=1.5), "position"),
    (dict(shape="star"), "unknown shape"),
    (dict(background="black"), "unknown background"),
    (dict(ground="water"), "unknown ground"),
    (dict(object_colour="gold"), "unknown object colour"),
    (dict(size=8), "size"),
    (dict(object_size=0.9), "object_size"),
])
def test_render_scene_rejects_bad_input(options, message):
    base = dict(background="yellow", ground="green", shape="circle", position=0.5, object_colour="red")
    with pytest.raises(ValueError, match=message):
        render_scene(**{**base, **options})


def test_make_scenes_rejects_too_few_positions():
    with pytest.raises(ValueError, match="n_positions"):
        make_scenes(n_positions=1)
