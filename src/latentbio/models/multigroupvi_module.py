"""The network and loss of multiGroupVI (Weinberger, Lopez, Hütter and Regev 2022), in PyTorch.

A cell x of group g is explained by a shared code z (what every group has, e.g. cell
type), a private code t_g of its own group (variation only group g has) and a
log-library size l. Encoders (all on log1p(x)):

- q(z | x): one shared encoder;
- q(t_h | x): one encoder per group h = 1 ... G;
- q(l | x): a library-size encoder, with a normal prior on l whose mean and variance are
  those of the observed log library sizes (as in scVI, Lopez et al. 2018).

One decoder reads [z, t_1, ..., t_G] with every block but t_g set to zero ("masking") and
gives the mean exp(l) * softmax(...) of a zero-inflated negative binomial (or a negative
binomial) with one inverse dispersion per gene. The loss per cell is

    -log p(x | z, t_g, l) + w * [KL(z) + KL(t_g) + KL(l) + lambda * W],
    W = sum over h != g of ( ||mu_h(x)||^2 + ||sigma_h(x)||^2 ),

where W is the squared 2-Wasserstein distance of each other group's posterior
N(mu_h, diag sigma_h^2) to a point mass at 0: it teaches encoder h to output "nothing" for
cells of other groups, so that only variation special to group h can enter t_h. The
KL warm-up weight w multiplies the KL terms and the penalty, as in the official code.

Defaults follow the official code (Genentech/multiGroupVI, module/multigroup_vi.py):
128 hidden units, 10 shared and 10 private dimensions, dropout 0.1, ZINB, lambda = 1.
One deliberate difference: the official group encoders read the raw counts while the
others read log1p(x); here every encoder reads log1p(x), because raw counts span four
orders of magnitude (a few highly expressed genes would dominate the first layer) and
the paper gives no reason for the asymmetry.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..blocks import GaussianEncoder, mlp
from ..distributions import kl_standard_normal, reparameterize
from ..likelihoods import (negative_binomial_log_prob_per_gene,
                           zero_inflated_negative_binomial_log_prob_per_gene)
from ..metrics.transport import sample_wasserstein

LIKELIHOODS = ("zinb", "nb")


def wasserstein_to_zero(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Squared 2-Wasserstein distance of N(mean, diag exp(log_var)) to a point mass at 0.

    The only coupling with a point mass moves every sample to 0, so W2^2 = E||t||^2 =
    ||mean||^2 + sum(exp(log_var)) (multiGroupVI's penalty). Returns one value per sample.
    """
    return mean.pow(2).sum(dim=-1) + log_var.exp().sum(dim=-1)


def kl_normal(mean: torch.Tensor, log_var: torch.Tensor, prior_mean: torch.Tensor,
              prior_var: torch.Tensor) -> torch.Tensor:
    """KL( N(mean, exp(log_var)) || N(prior_mean, prior_var) ), summed over dimensions, per sample."""
    var = log_var.exp()
    return 0.5 * (torch.log(prior_var) - log_var + (var + (mean - prior_mean).pow(2)) / prior_var - 1.0).sum(dim=-1)


class MultiGroupVAE(nn.Module):
    """multiGroupVI's encoders, shared decoder and loss.

    ``loss(counts, group)`` takes a minibatch of counts ``(batch, genes)`` and each cell's
    group index ``(batch,)``. ``library_log_mean`` and ``library_log_var`` are the mean and
    variance of log(total counts) over the training cells (the prior of l).
    ``shared_ot_penalty`` > 0 adds, as a course option not in the paper, that weight times the
    sample-based squared 2-Wasserstein distance between the groups' shared codes in each
    minibatch (see :func:`latentbio.metrics.transport.sample_wasserstein`).
    """

    def __init__(self, n_genes: int, n_groups: int, *, library_log_mean: float, library_log_var: float,
                 n_shared_latent: int = 10, n_private_latent: int = 10, n_hidden: int = 128,
                 dropout: float = 0.1, likelihood: str = "zinb", wasserstein_penalty: float = 1.0,
                 shared_ot_penalty: float = 0.0):
        super().__init__()
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
        if n_groups < 1 or n_genes < 1:
            raise ValueError(f"need at least one gene and one group; got {n_genes} genes, {n_groups} groups")
        if wasserstein_penalty < 0 or shared_ot_penalty < 0:
            raise ValueError("the penalty weights must be non-negative")
        if not library_log_var > 0:
            raise ValueError(f"library_log_var must be positive, got {library_log_var}")
        self.n_genes, self.n_groups = n_genes, n_groups
        self.n_shared_latent, self.n_private_latent = n_shared_latent, n_private_latent
        self.likelihood = likelihood
        self.wasserstein_penalty, self.shared_ot_penalty = wasserstein_penalty, shared_ot_penalty
        self.kl_weight = 1.0  # the KL warm-up sets this between 0 and 1 at each epoch
        encoder_options = dict(hidden=(n_hidden,), dropout=dropout, batch_norm=True)
        self.shared_encoder = GaussianEncoder(n_genes, n_shared_latent, **encoder_options)
        self.group_encoders = nn.ModuleList(
            GaussianEncoder(n_genes, n_private_latent, **encoder_options) for _ in range(n_groups))
        self.library_encoder = GaussianEncoder(n_genes, 1, **encoder_options)
        self.decoder_body = mlp([n_shared_latent + n_groups * n_private_latent, n_hidden],
                                batch_norm=True, last_activation=True)
        self.expression_head = nn.Linear(n_hidden, n_genes)   # softmax: expected fraction of each gene
        self.zero_logits_head = nn.Linear(n_hidden, n_genes) if likelihood == "zinb" else None
        self.log_inverse_dispersion = nn.Parameter(torch.randn(n_genes))
        self.register_buffer("library_log_mean", torch.tensor(float(library_log_mean)))
        self.register_buffer("library_log_var", torch.tensor(float(library_log_var)))

    def encode(self, counts: torch.Tensor) -> dict:
        """Posterior parameters: ``shared`` and ``library`` (mean, log_var) pairs and ``private``,
        a pair of tensors ``(batch, n_groups, n_private_latent)`` from every group's encoder."""
        log_counts = torch.log1p(counts)
        private = [encoder(log_counts) for encoder in self.group_encoders]
        return {"shared": self.shared_encoder(log_counts),
                "private": (torch.stack([m for m, _ in private], 1), torch.stack([v for _, v in private], 1)),
                "library": self.library_encoder(log_counts)}

    def group_mask(self, group: torch.Tensor) -> torch.Tensor:
        """0/1 mask ``(batch, n_groups, 1)`` that keeps only each cell's own group block."""
        return F.one_hot(group, self.n_groups).unsqueeze(-1).to(torch.float32)

    def decode(self, shared: torch.Tensor, private: torch.Tensor, log_library: torch.Tensor) -> dict:
        """Decoder output for shared codes ``(batch, n_shared)``, private codes ``(batch, n_groups,
        n_private)`` (already masked) and log-library sizes ``(batch, 1)``: ``expression`` (the
        fractions, rows sum to 1), ``mean`` (= exp(l) * expression), ``inverse_dispersion`` and,
        for ZINB, ``zero_logits``."""
        h = self.decoder_body(torch.cat([shared, private.flatten(1)], dim=-1))
        expression = torch.softmax(self.expression_head(h), dim=-1)
        decoded = {"expression": expression, "mean": log_library.exp() * expression,
                   "inverse_dispersion": self.log_inverse_dispersion.exp()}
        if self.zero_logits_head is not None:
            decoded["zero_logits"] = self.zero_logits_head(h)
        return decoded

    def log_likelihood_per_gene(self, counts: torch.Tensor, decoded: dict) -> torch.Tensor:
        """log p(counts | decoder output) per cell and gene, shape ``(batch, genes)``."""
        if self.likelihood == "zinb":
            return zero_inflated_negative_binomial_log_prob_per_gene(
                counts, decoded["mean"], decoded["inverse_dispersion"], decoded["zero_logits"])
        return negative_binomial_log_prob_per_gene(counts, decoded["mean"], decoded["inverse_dispersion"])

    def loss(self, counts: torch.Tensor, group: torch.Tensor) -> dict[str, torch.Tensor]:
        """Batch means of the multiGroupVI loss and its terms (module docstring)."""
        posterior = self.encode(counts)
        shared = reparameterize(*posterior["shared"])
        private_mean, private_log_var = posterior["private"]
        own = self.group_mask(group).bool()  # where, not a product: 0 * inf from another encoder is NaN
        private = torch.where(own, reparameterize(private_mean, private_log_var), 0.0)
        log_library = reparameterize(*posterior["library"])
        reconstruction = -self.log_likelihood_per_gene(counts, self.decode(shared, private, log_library)).sum(-1)

        kl_shared = kl_standard_normal(*posterior["shared"])
        own = own.squeeze(-1)
        kl_private = torch.where(own, kl_standard_normal(private_mean, private_log_var), 0.0).sum(-1)
        kl_library = kl_normal(*posterior["library"], self.library_log_mean, self.library_log_var)
        wasserstein = torch.where(own, 0.0, wasserstein_to_zero(private_mean, private_log_var)).sum(-1)
        kl = kl_shared + kl_private + kl_library
        total = reconstruction + self.kl_weight * (kl + self.wasserstein_penalty * wasserstein)
        terms = {"reconstruction": reconstruction.mean(), "kl": kl.mean(), "wasserstein": wasserstein.mean()}
        loss = total.mean()
        if self.shared_ot_penalty > 0:
            terms["shared_ot"] = self.shared_transport(shared, group)
            loss = loss + self.kl_weight * self.shared_ot_penalty * terms["shared_ot"]
        terms["loss"] = loss
        return terms

    def shared_transport(self, shared: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
        """Mean over pairs of groups of the sample squared 2-Wasserstein distance between their shared codes."""
        codes = [shared[group == g] for g in range(self.n_groups)]
        pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1:] if len(a) and len(b)]
        if not pairs:
            return shared.new_zeros(())
        return torch.stack([sample_wasserstein(a, b) for a, b in pairs]).mean()
