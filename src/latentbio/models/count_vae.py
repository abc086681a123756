"""A count VAE in the spirit of scVI (Lopez et al. 2018, Nature Methods), with an AnnData face
shaped like scvi-tools' models (Gayoso et al. 2022).

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

    model = CountVAE(adata, layer="counts", n_latent=10)   # checks the counts once
    model.train(max_epochs=60)                             # through latentbio.train.fit
    adata.obsm["X_countvae"] = model.get_latent_representation()
    expression = model.get_normalized_expression()        # denoised, library-size-free expression
"""

from __future__ import annotations

from collections.abc import Sequence

import anndata as ad
import numpy as np
import pandas as pd
import torch
from torch import nn

from .. import train
from ..blocks import GaussianEncoder, mlp
from ..checks import check_choice, check_count_batch, check_counts, check_feature_matrix, check_number
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import negative_binomial_log_prob, zero_inflated_negative_binomial_log_prob
from .base import AnnDataModel, library_factor

COUNT_LIKELIHOODS = ("nb", "zinb")


class CountVAEModule(nn.Module):
    """Encoder, decoder and negative ELBO of the count VAE (module docstring).

    ``n_genes`` inputs, ``n_latent`` latent dimensions, ``hidden`` encoder layer sizes (the
    decoder mirrors them), ``likelihood`` ``"nb"`` or ``"zinb"``, ``dropout`` rate in the
    hidden layers, ``beta`` weight of the KL term. ``loss`` refuses counts that are not
    non-negative integers, unless ``counts_checked`` is set (the :class:`CountVAE` sets it
    while it trains on counts it has checked once).
    """

    def __init__(self, n_genes: int, n_latent: int = 10, hidden: Sequence[int] = (128,),
                 likelihood: str = "nb", dropout: float = 0.0, beta: float = 1.0):
        super().__init__()
        check_choice(likelihood, "likelihood", COUNT_LIKELIHOODS)
        check_number(beta, "beta", minimum=0)
        self.n_genes, self.n_latent, self.likelihood, self.beta = n_genes, n_latent, likelihood, beta
        self.kl_weight = 1.0  # set below 1 during a KL warm-up
        self.counts_checked = False
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
        if not self.counts_checked:
            check_count_batch(counts)
        terms = self.elbo_terms(counts)
        reconstruction, kl = -terms["log_likelihood"].mean(), terms["kl"].mean()
        return {"loss": reconstruction + self.kl_weight * self.beta * kl, "reconstruction": reconstruction,
                "kl": kl}


class CountVAE(AnnDataModel):
    """A negative-binomial (or ZINB) VAE for the raw counts in ``adata.layers[layer]``.

    ``layer=None`` uses ``adata.X``. Other arguments go to :class:`CountVAEModule`.
    Raises ``ValueError`` unless the counts are finite non-negative integers (checked once;
    a sparse matrix stays sparse and is densified one minibatch at a time).
    """

    description = "count VAE"
    reads_counts = True

    def __init__(self, adata: ad.AnnData, *, layer: str | None = "counts", n_latent: int = 10,
                 hidden: Sequence[int] = (128,), likelihood: str = "nb", dropout: float = 0.0, beta: float = 1.0):
        super().__init__(adata, layer)
        self.module = CountVAEModule(adata.n_vars, n_latent, hidden, likelihood, dropout, beta)

    def _read_matrix(self, adata: ad.AnnData):
        return check_counts(adata, self.layer)

    def __repr__(self) -> str:
        state = f"trained for {self.history.n_epochs} epochs" if self.history else "not trained"
        return (f"CountVAE({self.module.likelihood.upper()} likelihood, {self.module.n_genes} genes, "
                f"{self.module.n_latent} latent dimensions, {state})")

    def train(self, max_epochs: int = 60, *, batch_size: int = 128, lr: float = 3e-3, kl_warmup_epochs: int = 20,
              **fit_options) -> train.History:
        """Fit the model to the counts of its AnnData with :func:`latentbio.train.fit`.

        The KL weight rises linearly to 1 over the first ``kl_warmup_epochs`` epochs (at most
        half of ``max_epochs``; 0 switches the warm-up off; :func:`latentbio.train.linear_ramp`).
        Other options (``val_fraction``, ``patience``, ``seed`` ...) go to :func:`~latentbio.train.fit`.
        """
        warmup = train.ramp_attribute(self.module, "kl_weight", 1.0, min(kl_warmup_epochs, max_epochs // 2))
        self.module.counts_checked = True
        try:
            return super().train(max_epochs, batch_size=batch_size, lr=lr, on_epoch_start=warmup, **fit_options)
        finally:
            self.module.kl_weight, self.module.counts_checked = 1.0, False

    def decode_latent(self, latent, *, library_size=1.0) -> np.ndarray:
        """The decoder's expression rho(z) * ``library_size`` for latent codes ``latent`` (each row
        of rho sums to 1), cells x genes. ``library_size`` is one number for all cells or one per
        cell (e.g. :meth:`observed_library_size`: expected counts at each cell's own depth)."""
        latent = check_feature_matrix(latent, self.module.n_latent, name="latent")
        return self._predict(lambda codes: self.module.decode(codes)["scale"], latent) * library_factor(
            library_size, latent.shape[0])

    def get_normalized_expression(self, adata: ad.AnnData | None = None, *,
                                  library_size: float = 1.0) -> pd.DataFrame:
        """Denoised expression rho(E[z | x]) * ``library_size`` per cell and gene, as a DataFrame
        (cells x genes): what the cell would express at a common sequencing depth
        (scVI's normalised expression, Lopez et al. 2018)."""
        scale = self.decode_latent(self.get_latent_representation(adata), library_size=library_size)
        return pd.DataFrame(scale, index=(self.adata if adata is None else adata).obs_names, columns=self.var_names)

    @property
    def inverse_dispersion(self) -> pd.Series:
        """The learned inverse dispersion theta per gene (large theta: nearly Poisson)."""
        return pd.Series(self.module.inverse_dispersion.detach().cpu().numpy(), index=self.var_names)
