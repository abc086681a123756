"""Bayes' rule, the generative classifier built on a conditional VAE, and the per-pixel Bernoulli baseline."""

import math

import numpy as np
import pytest

from latentbio import seed_everything
from latentbio.likelihoods import bernoulli_entropy
from latentbio.models import VAE, GenerativeClassifier, IndependentBernoulli
from latentbio.models.generative_classifier import bayes_rule


def test_bayes_rule_known_answers():
    posterior = bayes_rule([[0.0, math.log(3.0)], [-5.0, -5.0]], np.log([0.5, 0.5]))
    assert np.allclose(posterior, [[0.25, 0.75], [0.5, 0.5]])
    assert np.allclose(bayes_rule([[-7.0, -7.0, -7.0]], np.log([0.2, 0.3, 0.5])), [[0.2, 0.3, 0.5]])


def test_bayes_rule_is_stable_for_likelihoods_of_thousands_of_nats():
    posterior = bayes_rule([[-5000.0, -5000.0 - math.log(4.0)]], np.log([0.5, 0.5]))
    assert np.allclose(posterior, [[0.8, 0.2]])


@pytest.mark.parametrize("log_likelihoods, log_prior", [
    (np.zeros(3), np.zeros(3)),
    (np.zeros((2, 3)), np.zeros(2)),
])
def test_bayes_rule_rejects_mismatched_shapes(log_likelihoods, log_prior):
    with pytest.raises(ValueError, match="n_classes"):
        bayes_rule(log_likelihoods, log_prior)


def two_kinds_of_images(n=60):
    """Class 0 inks the left half of 16 pixels, class 1 the right half."""
    rng = np.random.default_rng(0)
    labels = np.arange(n) % 2
    x = np.where(np.arange(16)[None, :] < 8, 0.9, 0.1)
    x = np.where(labels[:, None] == 0, x, x[:, ::-1]) + rng.uniform(-0.05, 0.05, size=(n, 16))
    return x.astype(np.float32), labels


def test_generative_classifier_separates_two_easy_classes():
    seed_everything(0)
    x, y = two_kinds_of_images()
    classifier = GenerativeClassifier(VAE(16, 2, hidden=(32,), n_classes=2), n_samples=4)
    history = classifier.fit(x, y, epochs=60, batch_size=60, device="cpu")
    assert history.train["loss"][-1] < history.train["loss"][0]
    assert np.allclose(classifier.class_log_prior, np.log([0.5, 0.5]))
    log_likelihoods = classifier.class_log_likelihoods(x)
    assert log_likelihoods.shape == (60, 2) and np.all(log_likelihoods < 0)
    assert np.allclose(classifier.predict_proba(x).sum(axis=1), 1.0)
    assert classifier.score(x, y) == 1.0


def test_generative_classifier_rejects_bad_input():
    with pytest.raises(ValueError, match="conditional VAE"):
        GenerativeClassifier(VAE(16, 2))
    classifier = GenerativeClassifier(VAE(16, 2, hidden=(8,), n_classes=3))
    x, y = two_kinds_of_images(6)
    with pytest.raises(ValueError, match="classes \\[2\\] have none"):
        classifier.fit(x, y, epochs=1)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        classifier.fit(x, np.full(6, 3), epochs=1)
    with pytest.raises(ValueError, match="16 features"):
        classifier.predict(np.zeros((2, 15)))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        classifier.score(x, np.full(6, -1))


def test_independent_bernoulli_known_answer():
    x = np.array([[1.0, 0.0, 0.5], [0.0, 0.0, 0.5]])
    model = IndependentBernoulli(eps=1e-3)
    history = model.fit(x)
    assert history.n_epochs == 1 and np.isclose(history.train["loss"][0], model.negative_log_likelihood(x).mean())
    assert np.allclose(model.pixel_probabilities, [0.5, 1e-3, 0.5])
    expected = -(math.log(0.5) + math.log(1 - 1e-3) + math.log(0.5))
    assert np.allclose(model.negative_log_likelihood(x), [expected, expected], rtol=1e-5)


def test_independent_bernoulli_never_beats_the_entropy_floor():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(50, 10)).astype(np.float32)
    floor = bernoulli_entropy(x)
    model = IndependentBernoulli()
    model.fit(x)
    assert np.all(model.negative_log_likelihood(x) >= floor - 1e-4)
    assert np.allclose(bernoulli_entropy([[0.5, 0.0, 1.0]]), [math.log(2)])


def test_independent_bernoulli_rejects_bad_input():
    with pytest.raises(ValueError, match="fit"):
        IndependentBernoulli().negative_log_likelihood(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        IndependentBernoulli().fit(np.full((2, 3), 2.0))
    model = IndependentBernoulli()
    model.fit(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="3 features"):
        model.negative_log_likelihood(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="eps"):
        IndependentBernoulli(eps=0.0)
