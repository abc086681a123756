"""The convolutional beta-VAE and autoencoder: shapes, loss terms, learning and clear errors."""

import numpy as np
import pytest
import torch

import latentbio
from latentbio.data.sprites import make_sprites
from latentbio.models.conv_vae import ConvAutoencoder, ConvVAE


@pytest.fixture(scope="module")
def sprites():
    return make_sprites(n=256, size=16, n_values=4, seed=0)


def test_shapes_of_codes_and_images(sprites):
    latentbio.seed_everything(0)
    for model in (ConvVAE((16, 16), n_latent=5, beta=4.0), ConvAutoencoder((16, 16), n_latent=5)):
        assert model.latent(sprites.images).shape == (256, 5)
        decoded = model.decode_mean(np.zeros((3, 5)))
        assert decoded.shape == (3, 16, 16) and decoded.min() >= 0 and decoded.max() <= 1


def test_vae_loss_is_reconstruction_plus_beta_kl(sprites):
    latentbio.seed_everything(0)
    model = ConvVAE((16, 16), n_latent=4, beta=3.0)
    images = torch.as_tensor(sprites.images[:8, None])
    terms = model.module.loss(images)
    torch.testing.assert_close(terms["loss"], terms["reconstruction"] + 3.0 * terms["kl"])
    assert terms["kl"] >= 0
    kl = model.kl_per_dimension(sprites.images[:8])
    assert kl.shape == (4,) and np.all(kl >= 0)
    mean, log_var = model.module.encode(images)
    torch.testing.assert_close(torch.as_tensor(kl).sum(), terms["kl"].detach(), rtol=1e-4, atol=1e-5)
    assert set(ConvAutoencoder((16, 16), 4).module.loss(images)) == {"loss", "reconstruction"}


def test_training_lowers_the_loss_and_switches_off_dimensions(sprites):
    latentbio.seed_everything(0)
    model = ConvVAE((16, 16), n_latent=6, beta=4.0)
    history = model.fit(sprites.images[:128], epochs=12, batch_size=32, lr=2e-3)
    assert history.train["loss"][-1] < 0.7 * history.train["loss"][0]
    kl = model.kl_per_dimension(sprites.images[:128])
    assert (kl < 0.1).sum() >= 1  # with beta = 4 some of the 6 dimensions carry nothing


@pytest.mark.parametrize("build, message", [
    (lambda: ConvVAE((20, 20), channels=(16, 32, 32)), "divisible by"),
    (lambda: ConvVAE((16, 16), n_latent=0), "n_latent"),
    (lambda: ConvVAE((16, 16), beta=-1.0), "beta"),
    (lambda: ConvAutoencoder((16, 12)), "image_shape"),
])
def test_bad_settings_raise(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_bad_images_raise():
    model = ConvAutoencoder((16, 16), n_latent=2)
    with pytest.raises(ValueError, match="16x16"):
        model.latent(np.zeros((4, 8, 8)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        model.latent(np.full((4, 16, 16), 2.0))
