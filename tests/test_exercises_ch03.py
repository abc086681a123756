"""Exercise 3.3's check with stand-ins for the chapter's judge, models and shapes."""

import numpy as np
import pytest

from latentbio.exercises import ExerciseFailed
from latentbio.exercises.ch03 import _LabelJudge, _RedrawAs, check_kept_source_fraction
from latentbio.experiments.ch03_lord import make_shape_world


@pytest.fixture(scope="module")
def chapter_objects():
    """A world of shapes whose label is written into their first pixel, read by a label judge;
    'LORD stage 2' draws every target, the 'baseline' keeps every source."""
    world = make_shape_world(n_train=2, n_test=6)
    world.test.images = np.broadcast_to((world.test.classes / 10)[:, None, None], world.test.images.shape).copy()
    models = {"LORD stage 2": _RedrawAs(lambda s, t: t), "baseline": _RedrawAs(lambda s, t: s)}
    return _LabelJudge(), models, world


def reference(judge, model, images, source_classes, target_classes):
    judged = judge.predict(model.transfer(images, target_classes))
    failed = judged != np.asarray(target_classes)
    if not failed.any():
        return float("nan")
    return float(np.mean(judged[failed] == np.asarray(source_classes)[failed]))


def test_the_reference_passes_and_prints_both_models(chapter_objects, capsys):
    check_kept_source_fraction(reference, *chapter_objects)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 3.3 (")
    assert "LORD stage 2: nan" in out and "baseline: 1.00" in out


@pytest.mark.parametrize("wrong, message", [
    (lambda judge, model, images, source, target: float(np.mean(
        judge.predict(model.transfer(images, target)) == np.asarray(source))), "1.0"),  # over all transfers
    (lambda judge, model, images, source, target: 0.0, "should give 1.0"),
    (lambda judge, model, images, source, target: [1.0, 0.0], "one number"),
])
def test_wrong_answers_fail_with_a_hint(chapter_objects, wrong, message):
    with pytest.raises(ExerciseFailed, match=r"Exercise 3\.3"):
        check_kept_source_fraction(wrong, *chapter_objects)


def test_a_stub_fails_before_the_chapter_objects_are_touched():
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(ExerciseFailed, match="not implemented yet"):
        check_kept_source_fraction(stub, None, None, None)
