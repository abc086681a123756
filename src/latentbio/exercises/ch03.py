"""Checks for the exercises of chapter 3 (LORD)."""

import numpy as np
import torch

from ..models.adain import AdaIN
from . import call_student, exercise, expect, expect_close, passed


@exercise("3.1", "asymmetric noise", forbidden=("NoisyEmbedding",))
def check_noisy_content_codes(noisy_content_codes, *, name: str) -> None:
    """Exercise 3.1: ``noisy_content_codes(codes, noise_std, training)`` adds N(0, noise_std^2)
    noise to every entry in training and returns the codes unchanged otherwise."""
    codes = torch.linspace(-2, 2, 400_000).reshape(100_000, 4).requires_grad_(True)
    unchanged = call_student(noisy_content_codes, codes, 1.0, False, exercise=name)
    expect(torch.is_tensor(unchanged), name, "return a torch tensor")
    expect_close(unchanged, codes, name, "outside training (training=False) the codes must come back unchanged: "
                 "LORD evaluates and transfers with the clean codes")
    torch.manual_seed(0)
    noisy = call_student(noisy_content_codes, codes, 0.5, True, exercise=name)
    expect(tuple(noisy.shape) == (100_000, 4), name, f"keep the shape of the codes, (100000, 4); got {tuple(noisy.shape)}")
    noise = (noisy - codes).detach()
    expect(abs(float(noise.mean())) < 0.01, name, f"the noise must have mean 0; got {float(noise.mean()):.3f}")
    expect(abs(float(noise.std()) - 0.5) < 0.01, name,
           f"with noise_std=0.5 the noise must have standard deviation 0.5; got {float(noise.std()):.3f}. "
           "Hint: multiply standard normal noise (torch.randn_like) by noise_std.")
    correlation = torch.corrcoef(torch.stack([noise[:, 0], noise[:, 1]]))[0, 1]
    expect(abs(float(correlation)) < 0.02, name, "draw independent noise for every entry, not one value per row")
    expect(noisy.requires_grad, name, "the gradient must flow back to the codes: add the noise, do not detach")
    noisy.sum().backward()
    expect_close(codes.grad, torch.ones_like(codes), name, "d(noisy codes)/d(codes) must be 1")
    torch.manual_seed(1)
    silent = call_student(noisy_content_codes, codes.detach(), 0.0, True, exercise=name)
    expect_close(silent, codes.detach(), name, "noise_std=0 (the no-noise ablation) must add nothing")
    passed(name)


@exercise("3.2", "adaptive instance normalisation", forbidden=("AdaIN",))
def check_adain(adain, *, name: str) -> None:
    """Exercise 3.2: ``adain(features, scale, bias, eps=1e-5)`` normalises each channel of each
    image over its spatial positions, then multiplies by ``scale`` and adds ``bias``."""
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(4, 3, 6, 5, generator=generator) * 3 + 1
    scale, bias = torch.rand(4, 3, generator=generator) + 0.5, torch.randn(4, 3, generator=generator)
    output = call_student(adain, features, scale, bias, exercise=name)
    expect(torch.is_tensor(output), name, "return a torch tensor")
    expect(tuple(output.shape) == (4, 3, 6, 5), name,
           f"keep the shape of the features, (4, 3, 6, 5); got {tuple(output.shape)}. Hint: reshape scale and "
           "bias to (n, channels, 1, 1) so that they broadcast over the spatial positions.")
    expect_close(output.mean(dim=(2, 3)), bias, name, "each output channel must have mean equal to its bias; "
                 "subtract the mean over the spatial dimensions (2, 3), per image and channel", atol=1e-4)
    expect_close(output.std(dim=(2, 3), unbiased=False), scale, name,
                 "each output channel must have standard deviation equal to its scale; divide by the standard "
                 "deviation over dimensions (2, 3) of each image and channel (not over the batch)", atol=1e-3)
    expect_close(output, AdaIN()(features, scale, bias), name, "the output differs from AdaIN "
                 "(use the biased variance, unbiased=False, and sqrt(var + eps))", atol=1e-4)
    passed(name)


class _LabelJudge:
    """A judge for the known-answer cases: it reads each image's label from its first pixel (label / 10)."""

    def predict(self, images):
        return np.rint(np.asarray(images)[:, 0, 0] * 10).astype(int)


class _RedrawAs:
    """A model for the known-answer cases whose transfers show ``class_of(source, target)``."""

    def __init__(self, class_of):
        self.class_of = class_of

    def transfer(self, images, target_classes):
        source = _LabelJudge().predict(images)
        labels = self.class_of(source, np.asarray(target_classes))
        return np.broadcast_to((labels / 10)[:, None, None], np.shape(images)).astype(np.float32)


@exercise("3.3", "leakage or drawing skill", forbidden=("source_class_fraction",))
def check_kept_source_fraction(kept_source_fraction, judge, models, world, *, name: str) -> None:
    """Exercise 3.3: ``kept_source_fraction(judge, model, images, source_classes, target_classes)`` is,
    among the transfers the judge does not assign to their target, the fraction it assigns to their source.

    Known answers first (a model that ignores the target keeps the source in every failure, one that
    draws a third class never does, a perfect one has no failure), then LORD's stage 2 and the baseline
    of the chapter, compared with :func:`latentbio.metrics.transfer.source_class_fraction`.
    """
    source = np.repeat([0, 1, 2], 4)
    target = (source + 1) % 3
    images = np.broadcast_to((source / 10)[:, None, None], (12, 4, 4)).astype(np.float32)
    cases = [("ignores the target class (every transfer shows its source)", lambda s, t: s, 1.0),
             ("draws a third class (never the source, never the target)", lambda s, t: 3 - s - t, 0.0)]
    for description, class_of, expected in cases:
        answer = call_student(kept_source_fraction, _LabelJudge(), _RedrawAs(class_of), images, source, target,
                              exercise=name)
        expect(np.ndim(answer) == 0, name, f"return one number (a float); got {type(answer).__name__}")
        expect_close(float(answer), expected, name, f"a model that {description} should give {expected}: among the "
                     "transfers not judged their target class, count those judged their source class")
    perfect = call_student(kept_source_fraction, _LabelJudge(), _RedrawAs(lambda s, t: t), images, source, target,
                           exercise=name)
    expect(np.isnan(float(perfect)), name, "when no transfer fails there is no fraction to give: return NaN "
           "(float('nan')), not 0 or 1")
    from ..experiments.ch03_lord import other_classes
    from ..metrics.transfer import source_class_fraction

    test = world.test
    targets = other_classes(test.classes, world.n_seen, seed=1)
    fractions = {}
    for model_name in ("LORD stage 2", "baseline"):
        model = models[model_name]
        expected = source_class_fraction(judge.predict(model.transfer(test.images, targets)), test.classes, targets)
        answer = call_student(kept_source_fraction, judge, model, test.images, test.classes, targets, exercise=name)
        same = np.isnan(expected) and np.isnan(float(answer)) or np.isclose(float(answer), expected, atol=1e-9)
        expect(same, name, f"for {model_name} the fraction is {expected:.3f}; you gave {float(answer):.3f}. Judge "
               "model.transfer(images, target_classes) with judge.predict and keep only the failed transfers")
        fractions[model_name] = expected
    passed(name)
    for model_name, fraction in fractions.items():
        print(f"  {model_name}: {fraction:.2f} of the failed transfers were judged their source shape")
