"""Checks for the exercises of chapter 2 (generative models)."""

import math

import numpy as np
import torch

from ..distributions import kl_standard_normal
from ..likelihoods import bernoulli_log_prob, binomial_log_prob
from ..models import VAE, GenerativeClassifier
from ..models.generative_classifier import bayes_rule
from . import call_student, exercise, expect, expect_close, passed

LEVELS = 16  # the grey levels of scikit-learn's digits are counts 0 .. 16


def _as_array(value, name: str, what: str) -> np.ndarray:
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    expect(isinstance(value, np.ndarray), name, f"return {what} as a torch tensor or a NumPy array, got {type(value).__name__}")
    return value.astype(float)


@exercise("2.1", "the two terms of the ELBO",
          forbidden=("binomial_log_prob", "bernoulli_log_prob", "observation_log_prob", "kl_standard_normal",
                     "kl_normal"))
def check_elbo_terms(elbo_terms, *, name: str) -> None:
    """Exercise 2.1: ``elbo_terms(x, logits, mean, log_var)`` returns the per-image
    (reconstruction, kl) of the negative ELBO: -log p(x | z) of the counts 16 x under
    Binomial(16, sigmoid(logits)) summed over pixels, and KL(N(mean, exp(log_var)) || N(0, I))
    summed over latent dimensions."""
    generator = torch.Generator().manual_seed(2)
    x = torch.randint(0, LEVELS + 1, (5, 64), generator=generator) / LEVELS
    logits = 3 * torch.randn(5, 64, generator=generator)
    mean, log_var = torch.randn(5, 4, generator=generator), torch.randn(5, 4, generator=generator)
    result = call_student(elbo_terms, x, logits, mean, log_var, exercise=name)
    expect(isinstance(result, tuple) and len(result) == 2, name, "return a tuple (reconstruction, kl)")
    reconstruction = _as_array(result[0], name, "the reconstruction term")
    kl = _as_array(result[1], name, "the KL term")
    expected_reconstruction = -binomial_log_prob(x, logits, LEVELS).numpy()
    expected_kl = kl_standard_normal(mean, log_var).numpy()
    expect(reconstruction.shape == (5,) and kl.shape == (5,), name,
           f"return one value per image, shape (5,), for both terms; got {reconstruction.shape} and {kl.shape}. "
           "Sum over pixels (and latent dimensions), do not average over the batch.")
    if np.allclose(reconstruction, -expected_reconstruction, rtol=1e-4):
        expect(False, name, "the reconstruction term has the wrong sign: it is -log p(x | z), a positive number of nats")
    if np.allclose(reconstruction * 64, expected_reconstruction, rtol=1e-4):
        expect(False, name, "the reconstruction term is averaged over pixels: sum it over the 64 pixels instead")
    bernoulli = -bernoulli_log_prob(x, logits).numpy()
    if np.allclose(reconstruction, bernoulli, rtol=1e-4):
        expect(False, name, "this is the Bernoulli cross-entropy of the grey levels, not the binomial likelihood of the "
               "counts k = 16 x: use torch.distributions.Binomial(16, logits=logits).log_prob(16 * x)")
    expect_close(reconstruction, expected_reconstruction, name,
                 "the reconstruction term is not -sum_j log Binomial(16 x_j; 16, sigmoid(logits_j)). Did you include "
                 "the binomial coefficient log C(16, k)? Hint: torch.distributions.Binomial(16, logits=logits)"
                 ".log_prob(16 * x).sum(-1)", rtol=1e-4, atol=1e-3)
    expect_close(kl, expected_kl, name, "the KL term does not match 0.5 * sum(exp(log_var) + mean**2 - 1 - log_var)")
    passed(name)


@exercise("2.2", "sampling from the prior")
def check_sample_from_prior(sample_from_prior, *, name: str) -> None:
    """Exercise 2.2: ``sample_from_prior(decode, n_latent, n_samples, seed)`` draws ``n_samples``
    codes z ~ N(0, I) of ``n_latent`` dimensions (reproducibly from ``seed``), decodes them with
    ``decode`` (codes -> logits) and returns the pixel probabilities sigmoid(logits)."""
    seen_shapes = []

    def identity_decoder(z):
        seen_shapes.append(tuple(z.shape))
        return z

    images = _as_array(call_student(sample_from_prior, identity_decoder, 16, 20_000, 0, exercise=name), name, "the images")
    expect(seen_shapes == [(20_000, 16)], name, f"decode once a batch of codes of shape (n_samples, n_latent) = (20000, 16); "
           f"decode was called with shapes {seen_shapes}")
    expect(images.shape == (20_000, 16), name, f"return one decoded image per code, shape (20000, 16); got {images.shape}")
    expect(images.min() >= 0 and images.max() <= 1, name,
           "the decoder returns logits: turn them into pixel probabilities with torch.sigmoid")
    codes = np.log(images) - np.log1p(-images)  # the identity decoder's logits are the codes themselves
    expect(abs(codes.mean()) < 0.05 and abs(codes.std() - 1) < 0.05, name,
           f"the codes should come from N(0, I) (mean 0, standard deviation 1); yours have mean {codes.mean():.3f} "
           f"and standard deviation {codes.std():.3f}. Hint: torch.randn, not torch.rand.")
    again = _as_array(call_student(sample_from_prior, identity_decoder, 16, 100, 0, exercise=name), name, "the images")
    repeat = _as_array(call_student(sample_from_prior, identity_decoder, 16, 100, 0, exercise=name), name, "the images")
    other = _as_array(call_student(sample_from_prior, identity_decoder, 16, 100, 1, exercise=name), name, "the images")
    expect(np.array_equal(again, repeat), name, "the same seed must give the same samples: draw with "
           "torch.Generator().manual_seed(seed)")
    expect(not np.allclose(again, other), name, "different seeds must give different samples")
    passed(name)


@exercise("2.3", "a classifier from Bayes' rule", forbidden=("bayes_rule",))
def check_bayes_classifier(class_posterior, *, name: str) -> None:
    """Exercise 2.3: ``class_posterior(class_log_likelihoods, class_prior)`` returns p(y | x)
    ``(n, n_classes)`` from log p(x | y) ``(n, n_classes)`` and the class probabilities p(y)."""
    log_likelihoods = np.array([[-20.0, -22.0, -25.0], [-30.0, -30.0, -30.0]])
    prior = np.array([0.2, 0.5, 0.3])
    posterior = _as_array(call_student(class_posterior, log_likelihoods, prior, exercise=name), name, "the posterior")
    expect(posterior.shape == (2, 3), name, f"return one probability per image and class, shape (2, 3); got {posterior.shape}")
    expect(np.allclose(posterior.sum(axis=1), 1.0), name,
           f"each row must sum to 1 (divide by the evidence p(x) = sum_y p(x | y) p(y)); rows sum to {posterior.sum(axis=1)}")
    expect_close(posterior[1], prior, name, "when every class explains an image equally well the posterior is the prior "
                 "(did you multiply the likelihood by p(y)?)")
    expect_close(posterior, bayes_rule(log_likelihoods, np.log(prior)), name,
                 "the posterior is not p(x | y) p(y) / sum_c p(x | c) p(c)")
    image_scale = np.array([[-1000.0, -1000.0 - math.log(3), -1010.0]])  # log-likelihoods of real images are this large
    posterior = _as_array(call_student(class_posterior, image_scale, np.full(3, 1 / 3), exercise=name), name, "the posterior")
    expect(np.isfinite(posterior).all(), name, "with log-likelihoods of -1000 nats exp() underflows to 0 and you divide 0 by 0. "
           "Hint: subtract the row maximum before exp (log-sum-exp), or use torch.softmax / scipy.special.softmax.")
    expect_close(posterior, bayes_rule(image_scale, np.log(np.full(3, 1 / 3))), name,
                 "the posterior is wrong for log-likelihoods of about -1000 nats")
    passed(name)


@exercise("2.4", "how loose is the ELBO?", forbidden=("log_importance_weights",))
def check_importance_weighted_bounds(importance_weighted_bounds, vae, x, *, name: str) -> None:
    """Exercise 2.4: ``importance_weighted_bounds(vae, x, ks, seed)`` returns ``{k: mean over x of the
    k-sample importance-weighted bound on log p(x)}`` (Burda et al. 2016), as
    :meth:`latentbio.models.VAE.importance_weighted_bound` computes it."""
    # known answer: encoder = prior and a decoder that ignores z, so every weight is p(x) itself
    flat = VAE(64, 2, (4,), likelihood="binomial", total_count=LEVELS)
    with torch.no_grad():
        for parameter in flat.module.parameters():
            parameter.zero_()
    toy = np.random.default_rng(0).integers(0, LEVELS + 1, size=(6, 64)) / LEVELS
    exact = float(binomial_log_prob(torch.as_tensor(toy), torch.zeros(6, 64, dtype=torch.float64), LEVELS).mean())
    bounds = call_student(importance_weighted_bounds, flat, toy, (1, 5), 0, exercise=name)
    expect(isinstance(bounds, dict) and set(bounds) == {1, 5}, name, "return a dict with one bound per k in ks")
    for k in (1, 5):
        expect_close(float(bounds[k]), exact, name, f"when q(z | x) is the prior and the decoder ignores z, every "
                     f"importance weight is p(x), so the bound must equal log p(x) for every k (k = {k}). Check the "
                     "signs of log p(z) and log q(z | x), and divide by k inside the logarithm (subtract log k).",
                     rtol=1e-4, atol=1e-3)
    ks = (1, 10, 100)
    bounds = call_student(importance_weighted_bounds, vae, x, ks, 0, exercise=name)
    expect(isinstance(bounds, dict) and set(bounds) == set(ks), name, "return a dict with one bound per k in ks")
    for k, tolerance in zip(ks, (2.0, 1.0, 0.5)):
        expected = float(vae.importance_weighted_bound(x, n_samples=k, seed=1).mean())
        expect(abs(float(bounds[k]) - expected) < tolerance, name,
               f"for k = {k} your bound is {float(bounds[k]):.2f} nats, the package's {expected:.2f} "
               f"(they may differ by sampling noise, up to {tolerance} nats). Average the bound over the images.")
    expect(bounds[1] < bounds[10] < bounds[100], name, "the bound must rise with k: "
           f"{ {k: round(float(v), 2) for k, v in bounds.items()} }")
    passed(name)


def _bayes_choices(classifier, x, y, n_samples: int) -> dict[str, np.ndarray]:
    """Per-image ELBO and importance-weighted bound under every label, and Bayes' rule's choices."""
    labels = np.arange(classifier.n_classes)
    elbos = np.stack([-classifier.vae.negative_elbo(x, np.full(len(x), c), n_samples=n_samples) for c in labels], 1)
    bounds = np.stack([classifier.vae.importance_weighted_bound(x, np.full(len(x), c), n_samples=n_samples)
                       for c in labels], 1)
    return {"elbo": bayes_rule(elbos, classifier.class_log_prior).argmax(axis=1),
            "bound": bayes_rule(bounds, classifier.class_log_prior).argmax(axis=1), "gaps": bounds - elbos,
            "best_wrong": np.where(labels == np.asarray(y)[:, None], -np.inf, bounds).argmax(axis=1)}


@exercise("2.5", "does Bayes' rule need the tighter bound?", forbidden=())
def check_elbo_versus_bound(elbo_versus_bound, classifier, x, y, *, name: str) -> None:
    """Exercise 2.5: ``elbo_versus_bound(classifier, x, y)`` returns the accuracy of Bayes' rule with
    class ELBOs (``"elbo"``) and with importance-weighted bounds (``"bound"``, k = 100), the fraction of
    images whose decision differs (``"changed"``), and the mean bound-minus-ELBO gap under the
    best-scoring wrong label and under the true label (``"wrong_label_gap"``, ``"true_label_gap"``)."""
    keys = {"elbo", "bound", "changed", "wrong_label_gap", "true_label_gap"}
    # known answer: a conditional VAE whose weights are all zero explains every image equally well under
    # every label (q(z | x, y) is the prior, the decoder ignores z and y), so both rules pick the most
    # frequent class, never disagree, and both gaps are exactly 0
    flat = GenerativeClassifier(VAE(64, 2, (4,), likelihood="binomial", total_count=LEVELS, n_classes=3))
    with torch.no_grad():
        for parameter in flat.module.parameters():
            parameter.zero_()
    flat.class_log_prior = np.log([0.2, 0.5, 0.3])
    toy = np.random.default_rng(0).integers(0, LEVELS + 1, size=(8, 64)) / LEVELS
    toy_labels = np.array([1, 1, 0, 2, 1, 0, 2, 2])
    result = call_student(elbo_versus_bound, flat, toy, toy_labels, exercise=name)
    expect(isinstance(result, dict) and set(result) == keys, name, f"return a dict with the keys {sorted(keys)}")
    expect_close([float(result[key]) for key in ("elbo", "bound", "changed", "wrong_label_gap", "true_label_gap")],
                 [3 / 8, 3 / 8, 0.0, 0.0, 0.0], name,
                 "when every label explains every image equally well, Bayes' rule must pick the most probable class "
                 "(class 1, prior 0.5) for every image under both bounds, the two never disagree, and the bound "
                 "equals the ELBO. Did you add classifier.class_log_prior to the class log-likelihoods?", atol=1e-4)
    result = call_student(elbo_versus_bound, classifier, x, y, exercise=name)
    expect(isinstance(result, dict) and set(result) == keys, name, f"return a dict with the keys {sorted(keys)}")
    choices = _bayes_choices(classifier, x, y, n_samples=100)
    rows = np.arange(len(y))
    expected = {"elbo": np.mean(choices["elbo"] == y), "bound": np.mean(choices["bound"] == y),
                "changed": np.mean(choices["elbo"] != choices["bound"]),
                "wrong_label_gap": choices["gaps"][rows, choices["best_wrong"]].mean(),
                "true_label_gap": choices["gaps"][rows, y].mean()}
    for key, tolerance, hint in (
            ("elbo", 0.02, "use -classifier.vae.negative_elbo(x, labels, n_samples=100) as log p(x | y) for each label"),
            ("bound", 0.02, "use classifier.vae.importance_weighted_bound(x, labels, n_samples=100) for each label"),
            ("changed", 0.02, "count the images whose argmax differs between the two rules, as a fraction"),
            ("wrong_label_gap", 0.5, "take bound minus ELBO under the wrong label with the highest bound, per image"),
            ("true_label_gap", 0.5, "take bound minus ELBO under each image's true label")):
        expect(abs(float(result[key]) - expected[key]) <= tolerance, name,
               f"{key!r} is {float(result[key]):.3f}; the package's computation gives {expected[key]:.3f} "
               f"(sampling noise allows {tolerance}). Hint: {hint}.")
    passed(name)


LEARNING_CURVE_COLUMNS = ["images per digit", "seed", "classifier", "accuracy"]


def _drawn_rows(y: np.ndarray, per_digit, seed: int) -> np.ndarray:
    """The chapter's draw: ``per_digit`` images of each digit without replacement, digit by digit, or every row."""
    if per_digit == "all":
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == digit), per_digit, replace=False)
                           for digit in np.unique(y)])


@exercise("2.6", "a learning curve", forbidden=())
def check_learning_curve(learning_curve, *, name: str) -> None:
    """Exercise 2.6: ``learning_curve(x, y, train_and_score, per_digit, seeds)`` draws, for each size in
    ``per_digit`` (images per digit, or ``"all"``) and each seed, a training set of that many images of
    each digit (``np.random.default_rng(seed)``, ``rng.choice(..., replace=False)`` digit by digit), calls
    ``train_and_score(x[rows], y[rows], seed)`` (a dict: classifier name -> 0/1 verdict per test image) and
    returns a DataFrame with the columns "images per digit", "seed", "classifier" and "accuracy"."""
    import pandas as pd

    y = np.repeat(np.arange(10), 12)
    np.random.default_rng(5).shuffle(y)
    x = np.arange(len(y), dtype=float)[:, None] * np.ones((1, 3))  # a row's features name the row
    calls = []

    def train_and_score(x_train, y_train, seed):
        rows = np.asarray(x_train)[:, 0].astype(int)
        calls.append((rows, np.asarray(y_train), seed))
        # known accuracies: "first" is right on (seed + 1) of 4 test images, "second" on the share of even rows
        return {"first": np.arange(4) < seed + 1, "second": np.array([rows.mean() % 2 == 0] * 2 + [True, False])}

    sizes, seeds = (2, 5, "all"), (0, 1, 2)
    curve = call_student(learning_curve, x, y, train_and_score, sizes, seeds, exercise=name)
    expect(isinstance(curve, pd.DataFrame), name, f"return a pandas DataFrame, got {type(curve).__name__}")
    expect(list(curve.columns) == LEARNING_CURVE_COLUMNS, name,
           f"the DataFrame's columns must be {LEARNING_CURVE_COLUMNS}, in this order; got {list(curve.columns)}. "
           "Build it from one dict per (size, seed, classifier) with pd.DataFrame(rows).")
    expect(len(calls) == len(sizes) * len(seeds), name,
           f"call train_and_score once per size and seed ({len(sizes) * len(seeds)} calls for "
           f"{len(sizes)} sizes and {len(seeds)} seeds); it was called {len(calls)} times")
    expect(len(curve) == 2 * len(calls), name, f"return one row per size, seed and classifier "
           f"({2 * len(calls)} rows here, with two classifiers); got {len(curve)}")
    expected_order = [(size, seed) for size in sizes for seed in seeds]
    for (rows, labels, seed), (size, expected_seed) in zip(calls, expected_order):
        expect(seed == expected_seed, name, f"loop over the sizes first and the seeds inside, and pass the draw's seed to "
               f"train_and_score: call {expected_order.index((size, expected_seed)) + 1} should have seed "
               f"{expected_seed}, got {seed}")
        expect(np.array_equal(labels, y[rows]), name, "pass the labels of the drawn images, y[rows], with the images x[rows]")
        if size == "all":
            expect(np.array_equal(np.sort(rows), np.arange(len(y))), name, '"all" means every training image, once each')
            continue
        counts = np.bincount(labels, minlength=10)
        expect(np.all(counts == size), name, f"draw {size} images of each digit: your draw has {counts.tolist()} images "
               "per digit. Hint: draw from np.flatnonzero(y == digit) for each digit.")
        expect(len(set(rows.tolist())) == len(rows), name, "draw without replacement (replace=False): an image was drawn twice")
        expect(np.array_equal(rows, _drawn_rows(y, size, seed)), name,
               f"the draw of {size} images per digit with seed {seed} is not the chapter's: make one generator "
               "rng = np.random.default_rng(seed) per size and seed, and draw the digits in order 0, 1, ..., 9 with "
               "rng.choice(np.flatnonzero(y == digit), size, replace=False), concatenating the rows")
    expected = pd.DataFrame([{"images per digit": size, "seed": seed, "classifier": classifier, "accuracy": float(np.mean(v))}
                             for size in sizes for seed in seeds
                             for classifier, v in train_and_score(x[_drawn_rows(y, size, seed)],
                                                                  y[_drawn_rows(y, size, seed)], seed).items()])
    got = curve.sort_values(["classifier"], kind="stable").reset_index(drop=True)
    want = expected.sort_values(["classifier"], kind="stable").reset_index(drop=True)
    expect(got["images per digit"].tolist() == want["images per digit"].tolist()
           and got["seed"].tolist() == want["seed"].tolist() and got["classifier"].tolist() == want["classifier"].tolist(),
           name, "each row must name the size, the seed and the classifier whose accuracy it holds")
    expect_close(got["accuracy"].to_numpy(dtype=float), want["accuracy"].to_numpy(dtype=float), name,
                 "the accuracy of a classifier is the mean of its verdicts over the test images (the fraction right)")
    passed(name)
