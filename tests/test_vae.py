"""The VAE (plain, beta, conditional) and the plain autoencoder: shapes, learning, and clear errors."""

import numpy as np
import pytest
import torch

import latentbio
from latentbio.models import VAE, Autoencoder


@pytest.fixture(scope="module")
def toy():
    """Binary 12-pixel patterns from two classes: a bar on the left or on the right half, with noise."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=200)
    x = (rng.random((200, 12)) < 0.1).astype(np.float32)
    x[labels == 0, :6] = 1.0
    x[labels == 1, 6:] = 1.0
    return x, labels


def test_vae_shapes_and_terms(toy):
    x, _ = toy
    latentbio.seed_everything(0)
    model = VAE(12, n_latent=3, hidden=(16,))
    assert model.latent(x).shape == (200, 3)
    assert model.decode_mean(np.zeros((5, 3))).shape == (5, 12)
    assert model.reconstruct(x[:7]).shape == (7, 12)
    generated = model.generate(4, seed=1)
    assert generated.shape == (4, 12) and np.all((generated >= 0) & (generated <= 1))
    np.testing.assert_array_equal(generated, model.generate(4, seed=1))
    terms = model.module.loss(torch.as_tensor(x[:10]))
    assert set(terms) == {"loss", "reconstruction", "kl"}
    assert terms["kl"] >= 0
    torch.testing.assert_close(terms["loss"], terms["reconstruction"] + terms["kl"])
    elbo = model.negative_elbo(x[:10], n_samples=3)
    assert elbo.shape == (10,) and np.all(elbo > 0)


def test_beta_weights_the_kl_term(toy):
    x, _ = toy
    latentbio.seed_everything(0)
    model = VAE(12, n_latent=3, hidden=(16,), beta=4.0)
    torch.manual_seed(1)
    terms = model.module.loss(torch.as_tensor(x[:10]))
    torch.testing.assert_close(terms["loss"], terms["reconstruction"] + 4.0 * terms["kl"])


def test_vae_learns_the_toy_set(toy):
    x, labels = toy
    latentbio.seed_everything(0)
    model = VAE(12, n_latent=2, hidden=(32,))
    before = model.negative_elbo(x).mean()
    history = model.fit(x, epochs=40, batch_size=32, lr=3e-3, device="cpu")
    after = model.negative_elbo(x).mean()
    assert history.n_epochs == 40
    assert history.train["loss"][-1] < history.train["loss"][0]
    assert after < before - 2.0
    # the learnt code separates the two kinds of pattern
    codes = model.latent(x)
    gap = np.abs(codes[labels == 0].mean(0) - codes[labels == 1].mean(0)).max()
    assert gap > 1.0


def test_autoencoder_learns_the_toy_set(toy):
    x, _ = toy
    latentbio.seed_everything(0)
    model = Autoencoder(12, n_latent=2, hidden=(32,))
    assert model.latent(x).shape == (200, 2)
    before = model.module.loss(torch.as_tensor(x))["loss"].item()
    history = model.fit(x, epochs=40, batch_size=32, lr=3e-3, device="cpu")
    assert set(history.train) == {"loss", "reconstruction"}
    assert history.train["loss"][-1] < 0.7 * before
    reconstruction = model.reconstruct(x)
    assert reconstruction.shape == x.shape and np.all((reconstruction >= 0) & (reconstruction <= 1))
    assert np.abs(reconstruction - x).mean() < 0.2


def test_gaussian_likelihood_accepts_any_real_values():
    latentbio.seed_everything(0)
    x = np.random.default_rng(0).normal(size=(50, 6)).astype(np.float32) * 3
    for model in (VAE(6, n_latent=2, hidden=(8,), likelihood="gaussian"),
                  Autoencoder(6, n_latent=2, hidden=(8,), likelihood="gaussian")):
        model.fit(x, epochs=2, device="cpu")
        assert model.reconstruct(x).shape == (50, 6)


def test_conditional_vae_uses_the_labels(toy):
    x, labels = toy
    latentbio.seed_everything(0)
    model = VAE(12, n_latent=2, hidden=(32,), n_classes=2)
    model.fit(x, labels, epochs=40, batch_size=32, lr=3e-3, device="cpu")
    assert model.latent(x, labels).shape == (200, 2)
    # the class alone decides which half lights up, whatever the code
    left = model.generate(100, y=0, seed=0)
    right = model.generate(100, y=1, seed=0)
    assert left[:, :6].mean() > 0.8 and left[:, 6:].mean() < 0.3
    assert right[:, 6:].mean() > 0.8 and right[:, :6].mean() < 0.3
    assert model.decode_mean(np.zeros((3, 2)), y=[0, 1, 1]).shape == (3, 12)


@pytest.mark.parametrize("call, message", [
    (lambda m, x: m.fit(x.reshape(200, 3, 4), epochs=1), "2-D"),
    (lambda m, x: m.fit(x[:, :10], epochs=1), "12 features"),
    (lambda m, x: m.fit(np.where(np.eye(200, 12) > 0, np.nan, x), epochs=1), "NaN"),
    (lambda m, x: m.fit(x * 2, epochs=1), r"\[0, 1\]"),
    (lambda m, x: m.fit(x[:0], epochs=1), "empty"),
    (lambda m, x: m.fit(x, np.zeros(200, int), epochs=1), "not conditional"),
    (lambda m, x: m.decode_mean(np.zeros((2, 5))), "3 features"),
])
def test_vae_rejects_bad_input(toy, call, message):
    x, _ = toy
    with pytest.raises(ValueError, match=message):
        call(VAE(12, n_latent=3, hidden=(8,)), x)


@pytest.mark.parametrize("labels, message", [
    (None, "needs class labels"),
    (np.full(200, 2), r"lie in \[0, 2\)"),
    (np.full(200, -1), r"lie in \[0, 2\)"),
    (np.full(200, 0.5), "integer"),
    (np.zeros(199, int), "199 labels for 200"),
    (np.zeros((200, 1), int), "1-D"),
])
def test_conditional_vae_rejects_bad_labels(toy, labels, message):
    x, _ = toy
    with pytest.raises(ValueError, match=message):
        VAE(12, n_latent=3, hidden=(8,), n_classes=2).fit(x, labels, epochs=1)


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="beta"):
        VAE(12, beta=-1.0)
    with pytest.raises(ValueError, match="likelihood"):
        VAE(12, likelihood="poisson")
    with pytest.raises(ValueError, match="likelihood"):
        Autoencoder(12, likelihood="poisson")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Autoencoder(12, n_latent=2, hidden=(8,)).latent(np.full((3, 12), 2.0))


def test_string_and_categorical_labels_are_numbered_and_kept(toy):
    import pandas as pd
    x, labels = toy
    names = np.array(["left", "right"])[labels]
    model = VAE(12, n_latent=2, hidden=(8,), n_classes=2)
    model.fit(x, names, epochs=1)
    assert list(model.classes) == ["left", "right"]
    assert model.latent(x, pd.Categorical(names)).shape == (200, 2)
    assert model.generate(3, y="right").shape == (3, 12)
    with pytest.raises(ValueError, match="not among the 2 known categories"):
        model.latent(x, np.array(["up"] * 200))
    with pytest.raises(ValueError, match="build it with n_classes=3"):
        VAE(12, n_latent=2, hidden=(8,), n_classes=2).fit(x, np.array(["a", "b", "c"] * 66 + ["a", "b"]), epochs=1)


def test_sparse_x_is_accepted_and_gives_the_dense_answer(toy):
    import scipy.sparse as sp
    x, _ = toy
    latentbio.seed_everything(0)
    model = VAE(12, n_latent=2, hidden=(8,))
    model.fit(sp.csr_matrix(x), epochs=1)
    np.testing.assert_allclose(model.latent(sp.csr_matrix(x)), model.latent(x), rtol=1e-6)
