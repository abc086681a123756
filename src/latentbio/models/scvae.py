"""The network and loss of a count VAE in the spirit of scVI (Lopez et al. 2018, Nature Methods).

Generative model for the counts x_g of one cell (Lopez et al. 2018, Methods):

    z ~ N(0, I)                                   the cell's latent state
    rho = softmax(f(z))                           expected share of the cell's mRNA per gene
    x_g ~ NB(mean = l * rho_g, inverse dispersion theta_g)     (or ZINB with pi_g = sigmoid(h_g(z)))

l is the library size. scVI can infer it as a second latent variable; here, as in
scvi-tools' ``use_observed_lib_size=True`` (its default), it is the observed total count of
the cell, so that the latent code has no reason to encode sequencing depth and the decoder
only has to explain the composition rho. theta_g is one learned number per gene.

Inference: q(z | x) = N(mu(log1p x), diag sigma^2(log1p x)); log1p tames the huge range of
counts. Loss: the negative ELBO, -E_q[log p(x | z)] + beta * KL(q(z | x) || N(0, I)); during a
KL warm-up (as in scVI's training) the KL term is further multiplied by ``kl_weight`` < 1, which
lets the encoder put information into z before the prior pulls it back.

This file holds only the torch module; :class:`latentbio.models.CountVAE` is the AnnData face.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..blocks import GaussianEncoder, mlp
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import negative_binomial_log_prob, zero_inflated_negative_binomial_log_prob

COUNT_LIKELIHOODS = ("nb", "zinb")


class CountVAEModule(nn.Module):
    """Encoder, decoder and negative ELBO of the count VAE (module docstring for the model).

    ``n_genes`` inputs, ``n_latent`` latent dimensions, ``hidden`` encoder layer sizes (the
    decoder mirrors them), ``likelihood`` ``"nb"`` or ``"zinb"``, ``dropout`` rate in the
    hidden layers, ``beta`` weight of the KL term.
    """

    def __init__(self, n_genes: int, n_latent: int = 10, hidden: Sequence[int] = (128,),
                 likelihood: str = "nb", dropout: float = 0.0, beta: float = 1.0):
        super().__init__()
        if likelihood not in COUNT_LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {COUNT_LIKELIHOODS}, got {likelihood!r}")
        if beta < 0:
            raise ValueError(f"beta must be non-negative, got {beta}")
        self.n_genes, self.n_latent, self.likelihood, self.beta = n_genes, n_latent, likelihood, beta
        self.kl_weight = 1.0  # set below 1 during a KL warm-up
        self.encoder = GaussianEncoder(n_genes, n_latent, hidden, dropout=dropout)
        self.decoder_body = mlp([n_latent, *reversed(hidden)], last_activation=True, dropout=dropout)
        self.scale_logits = nn.Linear(hidden[0], n_genes)
        self.zero_logits = nn.Linear(hidden[0], n_genes) if likelihood == "zinb" else None
        self.log_inverse_dispersion = nn.Parameter(torch.zeros(n_genes))

    def encode(self, counts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x), computed from log1p(counts)."""
        return self.encoder(torch.log1p(counts))

    def decode(self, z: torch.Tensor) -> dict[str, torch.Tensor]:
        """The decoder's outputs for codes ``z``: ``scale`` (rho, each row sums to 1) and,
        for ZINB, ``zero_logits``."""
        hidden = self.decoder_body(z)
        outputs = {"scale": torch.softmax(self.scale_logits(hidden), dim=-1)}
        if self.zero_logits is not None:
            outputs["zero_logits"] = self.zero_logits(hidden)
        return outputs

    @property
    def inverse_dispersion(self) -> torch.Tensor:
        """theta_g, one per gene (Var = mean + mean^2 / theta)."""
        return self.log_inverse_dispersion.exp()

    def log_likelihood(self, counts: torch.Tensor, decoded: dict[str, torch.Tensor],
                       library: torch.Tensor) -> torch.Tensor:
        """log p(x | z, l) summed over genes, one value per cell."""
        mean = library[:, None] * decoded["scale"]
        if self.likelihood == "zinb":
            return zero_inflated_negative_binomial_log_prob(counts, mean, self.inverse_dispersion,
                                                            decoded["zero_logits"])
        return negative_binomial_log_prob(counts, mean, self.inverse_dispersion)

    def elbo_terms(self, counts: torch.Tensor) -> dict[str, torch.Tensor]:
        """Per-cell reconstruction log-likelihood (one sample of z) and KL divergence."""
        mean, log_var = self.encode(counts)
        z = reparameterize(mean, log_var)
        library = counts.sum(dim=-1)
        return {"log_likelihood": self.log_likelihood(counts, self.decode(z), library),
                "kl": kl_standard_normal(mean, log_var)}

    def loss(self, counts: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch mean of -log p(x | z, l) + kl_weight * beta * KL, with both terms reported."""
        terms = self.elbo_terms(counts)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        return {"loss": reconstruction + self.kl_weight * self.beta * kl, "reconstruction": reconstruction,
                "kl": kl}
