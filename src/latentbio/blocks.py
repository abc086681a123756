"""Small network blocks shared by the models of the course."""

from collections.abc import Sequence

import torch
from torch import nn


def mlp(sizes: Sequence[int], *, activation: type[nn.Module] = nn.ReLU, dropout: float = 0.0,
        batch_norm: bool = False, last_activation: bool = False) -> nn.Sequential:
    """A multilayer perceptron ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Every hidden layer is Linear, optional BatchNorm, the activation, optional dropout.
    The last layer is plain Linear unless ``last_activation`` is set.
    """
    if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
        raise ValueError(f"mlp needs at least two positive layer sizes, got {list(sizes)} "
                         "(a model's hidden must list at least one positive layer size)")
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2 or last_activation:
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(activation())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class GaussianEncoder(nn.Module):
    """Maps an input to the mean and log-variance of a diagonal Gaussian q(z | x).

    ``forward`` returns ``(mean, log_var)``, each of shape ``(batch, n_latent)``.
    """

    def __init__(self, n_input: int, n_latent: int, hidden: Sequence[int] = (256, 128), **mlp_options):
        super().__init__()
        self.body = mlp([n_input, *hidden], last_activation=True, **mlp_options)
        self.mean = nn.Linear(hidden[-1], n_latent)
        self.log_var = nn.Linear(hidden[-1], n_latent)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.mean(h), self.log_var(h)
