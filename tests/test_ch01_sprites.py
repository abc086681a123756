"""Chapter 1's experiment: the same models whether the seeds train one after the other or side by side."""

import numpy as np
import pytest

from latentbio.data.sprites import make_sprites
from latentbio.experiments import ch01_sprites

TINY = {**ch01_sprites.SETTINGS, "epochs": {"autoencoder": 2, "beta-VAE": 2}}


@pytest.fixture(scope="module")
def images():
    return make_sprites(n=200, size=16, n_values=5, seed=1).images


def test_train_seeds_trains_both_models_for_every_seed_with_the_chapters_settings(images):
    trained = ch01_sprites.train_seeds(images, [3, 4], TINY, workers=1)
    assert {name: sorted(models) for name, models in trained.items()} == {"autoencoder": [3, 4], "beta-VAE": [3, 4]}
    vae = trained["beta-VAE"][3]
    assert vae.module.beta == TINY["beta"] and vae.history.n_epochs == 2
    assert vae.latent(images).shape == (len(images), TINY["n_latent"])


def test_side_by_side_training_gives_the_same_models(images):
    alone = ch01_sprites.train_seeds(images, [0, 1], TINY, workers=1)
    side_by_side = ch01_sprites.train_seeds(images, [0, 1], TINY, workers=2)
    for name, models in alone.items():
        for seed, model in models.items():
            np.testing.assert_array_equal(model.latent(images), side_by_side[name][seed].latent(images))
    assert not np.array_equal(alone["beta-VAE"][0].latent(images), alone["beta-VAE"][1].latent(images))
