"""Chapter 1's experiment: an autoencoder and a beta-VAE on the sprites, each trained from several seeds.

The settings (:data:`SETTINGS`) come from the sweep ``scripts/sweeps/ch01_beta_vae.py`` on the
tuning draw of the sprites. :func:`train_autoencoder` and :func:`train_beta_vae` train one model;
:func:`train_seeds` trains both for every seed, the runs side by side in the course's worker pool
(:func:`latentbio.experiments.pool.map_tasks`), one torch thread each: on 2 CPU cores two runs at
once take about half the time of one after the other, with the same numbers, because every run
seeds itself and uses one thread either way.
"""

from __future__ import annotations

import functools

import numpy as np

from ..device import get_device
from ..models import ConvAutoencoder, ConvVAE
from ..seed import seed_everything
from .pool import map_tasks

SETTINGS = {"n_latent": 10, "channels": (8, 16), "batch_size": 64, "lr": 2e-3,
            "epochs": {"autoencoder": 30, "beta-VAE": 60}, "beta": 2.0}
"""The chapter's settings: code dimensions, network widths, minibatch, learning rate, epochs per
model and the beta of the beta-VAE."""


def train_autoencoder(images: np.ndarray, seed: int, settings: dict = SETTINGS) -> ConvAutoencoder:
    """An autoencoder trained on ``images`` from ``seed``."""
    seed_everything(seed)
    model = ConvAutoencoder(images.shape[1:], n_latent=settings["n_latent"], channels=settings["channels"])
    model.fit(images, epochs=settings["epochs"]["autoencoder"], seed=seed, batch_size=settings["batch_size"],
              lr=settings["lr"])
    return model


def train_beta_vae(images: np.ndarray, seed: int, settings: dict = SETTINGS) -> ConvVAE:
    """A beta-VAE (``settings["beta"]``) trained on ``images`` from ``seed``."""
    seed_everything(seed)
    model = ConvVAE(images.shape[1:], n_latent=settings["n_latent"], beta=settings["beta"],
                    channels=settings["channels"])
    model.fit(images, epochs=settings["epochs"]["beta-VAE"], seed=seed, batch_size=settings["batch_size"],
              lr=settings["lr"])
    return model


TRAINERS = {"autoencoder": train_autoencoder, "beta-VAE": train_beta_vae}


def _train(task: tuple[str, int], images: np.ndarray, settings: dict):
    name, seed = task
    return TRAINERS[name](images, seed, settings)


def train_seeds(images: np.ndarray, seeds, settings: dict = SETTINGS, *, workers: int | None = None
                ) -> dict[str, dict[int, object]]:
    """Both models trained from every seed: ``{"autoencoder": {seed: model}, "beta-VAE": {seed: model}}``.

    ``workers``: processes that train side by side (default: 2 on the CPU, 1 on a GPU, where the
    runs share one device)."""
    if workers is None:
        workers = 1 if get_device().type == "cuda" else 2
    tasks = [(name, seed) for name in TRAINERS for seed in seeds]
    models = map_tasks(functools.partial(_train, images=images, settings=settings), tasks, workers=workers,
                       desc="models")
    trained: dict[str, dict[int, object]] = {name: {} for name in TRAINERS}
    for (name, seed), model in zip(tasks, models):
        trained[name][seed] = model
    return trained


__all__ = ["SETTINGS", "train_autoencoder", "train_beta_vae", "train_seeds"]
