"""multiGroupVI (Weinberger, Lopez, Hütter and Regev 2022): shared and group-specific latent spaces.

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

:class:`MultiGroupVIModule` is the network and its loss; :class:`MultiGroupVI` is the face a
biologist uses, in the spirit of scvi-tools: build it from an AnnData with raw counts and a
group column, ``train`` it on minibatches that draw equally from every group, read the shared
and private latent spaces, and rank the genes that a group's private space explains by a
likelihood ratio.
"""

import anndata as ad
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from .. import train
from ..blocks import GaussianEncoder, mlp
from ..checks import (check_choice, check_count_batch, check_counts, check_feature_matrix, check_integer, check_number,
                      check_obs_column, dense_rows)
from ..data.group_sampler import BalancedGroupSampler
from ..distributions import kl_normal, kl_standard_normal, reparameterize
from ..likelihoods import (negative_binomial_log_prob_per_gene,
                           zero_inflated_negative_binomial_log_prob_per_gene)
from ..metrics.transport import sample_wasserstein
from .base import AnnDataModel, library_factor

LIKELIHOODS = ("zinb", "nb")
OFFICIAL_KL_WARMUP_EPOCHS = 400  # scvi-tools' TrainingPlan default, which the official code keeps


def official_max_epochs(n_cells: int) -> int:
    """The official code's training budget: min(round(20000 / n_cells * 400), 400) epochs
    (400 for any data set of up to 20,000 cells; fewer for larger ones, so that about 8 million
    cells are seen)."""
    n_cells = check_integer(n_cells, "n_cells", minimum=1)
    return min(round(20000 / n_cells * 400), 400)


def wasserstein_to_zero(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Squared 2-Wasserstein distance of N(mean, diag exp(log_var)) to a point mass at 0.

    The only coupling with a point mass moves every sample to 0, so W2^2 = E||t||^2 =
    ||mean||^2 + sum(exp(log_var)) (multiGroupVI's penalty). Returns one value per sample.
    """
    return mean.pow(2).sum(dim=-1) + log_var.exp().sum(dim=-1)


class MultiGroupVIModule(nn.Module):
    """multiGroupVI's encoders, shared decoder and loss.

    ``loss(counts, group)`` takes a minibatch of counts ``(batch, genes)`` and each cell's
    group index ``(batch,)``. ``library_log_mean`` and ``library_log_var`` are the mean and
    variance of log(total counts) over the training cells (the prior of l).
    ``shared_ot_penalty`` > 0 adds, as a course option not in the paper, that weight times the
    sample-based squared 2-Wasserstein distance between the groups' shared codes in each
    minibatch (see :func:`latentbio.metrics.transport.sample_wasserstein`). ``loss`` refuses
    counts that are not non-negative integers unless ``counts_checked`` is set.
    """

    def __init__(self, n_genes: int, n_groups: int, *, library_log_mean: float, library_log_var: float,
                 n_shared_latent: int = 10, n_private_latent: int = 10, n_hidden: int = 128,
                 dropout: float = 0.1, likelihood: str = "zinb", wasserstein_penalty: float = 1.0,
                 shared_ot_penalty: float = 0.0):
        super().__init__()
        check_choice(likelihood, "likelihood", LIKELIHOODS)
        n_genes = check_integer(n_genes, "n_genes", minimum=1)
        n_groups = check_integer(n_groups, "n_groups", minimum=1)
        check_number(wasserstein_penalty, "wasserstein_penalty", minimum=0)
        check_number(shared_ot_penalty, "shared_ot_penalty", minimum=0)
        check_number(library_log_var, "library_log_var", minimum=0, exclusive=True)
        self.n_genes, self.n_groups = n_genes, n_groups
        self.n_shared_latent, self.n_private_latent = n_shared_latent, n_private_latent
        self.likelihood = likelihood
        self.wasserstein_penalty, self.shared_ot_penalty = wasserstein_penalty, shared_ot_penalty
        self.kl_weight = 1.0  # the KL warm-up sets this between 0 and 1 at each epoch
        self.counts_checked = False  # MultiGroupVI sets it while training on counts it checked once
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
        if not self.counts_checked:
            check_count_batch(counts)
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


class MultiGroupVI(AnnDataModel):
    """multiGroupVI for the cells of ``adata`` whose groups are in ``adata.obs[group_key]``.

    ``layer`` names the layer of raw counts (None: ``adata.X``), checked once. The other
    arguments go to :class:`MultiGroupVIModule` (defaults of the official code). The torch
    module is ``self.module``.
    """

    description = "multiGroupVI"
    reads_counts = True

    def __init__(self, adata: ad.AnnData, *, group_key: str = "group", layer: str | None = "counts",
                 n_shared_latent: int = 10, n_private_latent: int = 10, n_hidden: int = 128, dropout: float = 0.1,
                 likelihood: str = "zinb", wasserstein_penalty: float = 1.0, shared_ot_penalty: float = 0.0):
        super().__init__(adata, layer)
        self.group_key = group_key
        self.groups = list(check_obs_column(adata, group_key).cat.categories)
        declared = adata.obs[group_key]
        if isinstance(declared.dtype, pd.CategoricalDtype) and len(declared.cat.categories) > len(self.groups):
            empty = sorted(set(map(str, declared.cat.categories)) - set(map(str, self.groups)))
            raise ValueError(f"group(s) {empty} of adata.obs[{group_key!r}] have no cells; "
                             "drop them with .cat.remove_unused_categories() or add their cells")
        self.group_index = self._group_index(adata)
        library = np.asarray(self.matrix.sum(axis=1)).ravel()
        if np.any(library == 0):
            raise ValueError(f"{int(np.sum(library == 0))} cells have no counts at all; filter them out first, "
                             "e.g. scanpy.pp.filter_cells(adata, min_counts=1)")
        log_library = np.log(library)
        self.module = MultiGroupVIModule(
            adata.n_vars, len(self.groups), library_log_mean=log_library.mean(),
            library_log_var=max(log_library.var(), 1e-4), n_shared_latent=n_shared_latent,
            n_private_latent=n_private_latent, n_hidden=n_hidden, dropout=dropout, likelihood=likelihood,
            wasserstein_penalty=wasserstein_penalty, shared_ot_penalty=shared_ot_penalty)

    def _read_matrix(self, adata: ad.AnnData):
        return check_counts(adata, self.layer)

    def _group_index(self, adata: ad.AnnData) -> np.ndarray:
        labels = check_obs_column(adata, self.group_key).astype(object).to_numpy()
        unknown = set(labels) - set(self.groups)
        if unknown:
            raise ValueError(f"adata.obs[{self.group_key!r}] holds group(s) {sorted(map(str, unknown))} that the model "
                             f"was not trained on; the model knows the groups {self.groups}")
        return pd.Index(self.groups).get_indexer(labels).astype(np.int64)

    def _training_data(self):
        return self.matrix, self.group_index

    def train(self, max_epochs: int | None = None, *, batch_size: int = 128, lr: float = 1e-3,
              kl_warmup_epochs: int = OFFICIAL_KL_WARMUP_EPOCHS, seed: int = 0, on_epoch_start=None,
              **fit_options) -> train.History:
        """Train with :func:`latentbio.train.fit` on minibatches of ``batch_size`` cells from EACH
        group, as the official code does (128 per group).

        Defaults are the official ones: ``max_epochs`` from :func:`official_max_epochs` (400 for
        up to 20,000 cells), Adam with learning rate 1e-3, weight decay 1e-6 and eps 0.01, and a
        KL weight (which also multiplies the Wasserstein penalty) that rises linearly over
        ``kl_warmup_epochs`` = 400 epochs (scvi-tools' warm-up; :func:`latentbio.train.linear_ramp`).
        ``on_epoch_start(epoch)``, if given, runs after the warm-up step at every epoch (e.g. to
        record a score during training).
        """
        if batch_size * len(self.groups) < 2:
            raise ValueError(f"a minibatch of {batch_size} cell(s) per group x {len(self.groups)} group(s) is too small "
                             "for BatchNorm, which needs at least 2 cells: raise batch_size")
        max_epochs = official_max_epochs(len(self.group_index)) if max_epochs is None else max_epochs
        warm_up = train.ramp_attribute(self.module, "kl_weight", 1.0, kl_warmup_epochs)

        def start_epoch(epoch: int) -> None:
            warm_up(epoch)
            if on_epoch_start is not None:
                on_epoch_start(epoch)

        batches = BalancedGroupSampler(self.group_index, per_group=batch_size, seed=seed)
        optimizer = train.adam(self.module.parameters(), lr, weight_decay=1e-6, eps=0.01)
        self.module.counts_checked = True
        try:
            return self._fit(self._training_data(), epochs=max_epochs, batches=batches, optimizer=optimizer,
                             on_epoch_start=start_epoch, seed=seed, **fit_options)
        finally:
            self.module.kl_weight, self.module.counts_checked = 1.0, False

    def _posterior_means(self, adata: ad.AnnData | None) -> dict[str, torch.Tensor]:
        """Posterior means of every latent variable for the cells of ``adata`` (CPU tensors):
        ``shared`` (cells, n_shared), ``private`` (cells, groups, n_private), ``log_library`` (cells, 1)."""
        module = self.module

        def means(counts: torch.Tensor) -> torch.Tensor:
            posterior = module.encode(counts)
            return torch.cat([posterior["shared"][0], posterior["private"][0].flatten(1), posterior["library"][0]], 1)

        joined = torch.as_tensor(self._predict(means, self._matrix(adata)))
        shared, private, log_library = joined.split(
            [module.n_shared_latent, module.n_groups * module.n_private_latent, 1], dim=1)
        return {"shared": shared, "private": private.reshape(len(joined), module.n_groups, -1),
                "log_library": log_library}

    def get_latent_representation(self, adata: ad.AnnData | None = None, *, space: str = "shared",
                                  batch_size: int = 1024) -> np.ndarray:
        """Posterior means of one latent space for every cell of ``adata`` (default: the training
        data): ``space="shared"``, or a group's name for that group's private space (its encoder
        applied to all cells; for cells of other groups a well-trained model gives codes near 0).
        Returns them and writes nothing into ``adata``."""
        if space != "shared" and space not in self.groups:
            raise ValueError(f"space must be 'shared' or one of the groups {self.groups}; got {space!r}")
        if adata is not None and adata is not self.adata:
            self._group_index(adata)  # cells of a group the model never saw are refused, as by the other methods
        posterior = self._posterior_means(adata)
        if space == "shared":
            return posterior["shared"].numpy()
        return posterior["private"][:, self.groups.index(space)].numpy()

    @torch.no_grad()
    def _decode_means(self, adata: ad.AnnData | None, with_private: bool) -> dict[str, torch.Tensor]:
        """Decoder output at the posterior means, with each cell's own private code or with every
        private code set to 0 (``with_private=False``: the shared code only)."""
        posterior = self._posterior_means(adata)
        groups = torch.as_tensor(self.group_index if adata is None else self._group_index(adata))
        own = self.module.group_mask(groups).bool()
        private = torch.where(own & with_private, posterior["private"], 0.0)
        self.module.eval()
        device = self.device
        decoded = self.module.decode(posterior["shared"].to(device), private.to(device),
                                     posterior["log_library"].to(device))
        return {key: value.cpu() for key, value in decoded.items()}

    @torch.no_grad()
    def decode_latent(self, latent, *, group: str | None = None, private_latent=None,
                      library_size=1.0) -> np.ndarray:
        """Expression fractions times ``library_size`` (one number, or one per cell) decoded from
        shared codes ``latent`` ``(n, n_shared_latent)``, cells x genes. Without ``group`` every
        private code is 0 (the shared code only, as ``get_normalized_expression(codes="shared")``);
        with ``group`` and ``private_latent`` ``(n, n_private_latent)``, those are that group's
        private codes (the others stay 0, as in training)."""
        module = self.module
        shared = check_feature_matrix(latent, module.n_shared_latent, name="latent")
        n = shared.shape[0]
        private = torch.zeros(n, module.n_groups, module.n_private_latent)
        if (group is None) != (private_latent is None):
            raise ValueError("give group and private_latent together (or neither, to decode the shared code only)")
        if group is not None:
            if group not in self.groups:
                raise ValueError(f"group must be one of the groups {self.groups}; got {group!r}")
            codes = check_feature_matrix(private_latent, module.n_private_latent, name="private_latent")
            if codes.shape[0] != n:
                raise ValueError(f"give one private code per shared code; got {codes.shape[0]} and {n}")
            private[:, self.groups.index(group)] = torch.as_tensor(dense_rows(codes))
        factor = library_factor(library_size, n)
        module.eval()
        device = self.device
        decoded = module.decode(torch.as_tensor(dense_rows(shared)).to(device), private.to(device),
                                torch.zeros(n, 1, device=device))
        return decoded["expression"].cpu().numpy() * factor

    def get_normalized_expression(self, adata: ad.AnnData | None = None, *, codes: str = "all",
                                  library_size: float = 1.0) -> pd.DataFrame:
        """Decoded expression fractions times ``library_size`` (cells x genes DataFrame) at the
        posterior means: ``codes="all"`` uses the shared and the cell's own private code,
        ``codes="shared"`` the shared code with all private codes at 0."""
        check_choice(codes, "codes", ("all", "shared"))
        expression = self._decode_means(adata, codes == "all")["expression"].numpy() * library_size
        return pd.DataFrame(expression, index=(self.adata if adata is None else adata).obs_names,
                            columns=self.var_names)

    @torch.no_grad()
    def likelihood_ratio(self, adata: ad.AnnData | None = None) -> np.ndarray:
        """Per gene, 2 * sum over the cells of ``adata`` of [log p(x | shared and private codes)
        - log p(x | shared code only)], at the posterior means (the gene ranking of the paper's
        analysis notebook). Large values: genes whose counts the group's private space explains.
        Unlike the official notebook, which feeds every group's private code unmasked, each cell
        here gets only its own group's private code, as in training."""
        counts = torch.from_numpy(dense_rows(self._matrix(adata)))
        log_ratio = (self.module.log_likelihood_per_gene(counts, self._decode_means(adata, True))
                     - self.module.log_likelihood_per_gene(counts, self._decode_means(adata, False)))
        return 2.0 * log_ratio.sum(dim=0).numpy()

    def rank_genes(self, adata, *, group: str, cell_type_key: str, cell_type: str, n_top: int | None = None,
                   raised_only: bool = False) -> pd.DataFrame:
        """Genes ranked by :meth:`likelihood_ratio` over the cells of one ``cell_type`` in one
        ``group``, highest first: a table with columns ``gene``, ``likelihood_ratio`` and
        ``log2_fold_change``, the log2 ratio of the mean decoded expression of those cells with
        their private code to that with the shared code only (positive: the private code raises
        the gene). The likelihood ratio has no sign; ``raised_only`` keeps only genes with a
        positive fold change (the genes the paper's violin plots show).
        """
        if group not in self.groups:
            raise ValueError(f"group must be one of {self.groups}, got {group!r}")
        check_obs_column(adata, cell_type_key)
        selected = (adata.obs[self.group_key].astype(object) == group).to_numpy() \
            & (adata.obs[cell_type_key].astype(object) == cell_type).to_numpy()
        if not selected.any():
            raise ValueError(f"no cells of type {cell_type!r} in group {group!r}")
        cells = adata[selected]
        ratio = self.likelihood_ratio(cells)
        with_private = self._decode_means(cells, True)["expression"].numpy().mean(axis=0)
        shared_only = self._decode_means(cells, False)["expression"].numpy().mean(axis=0)
        table = pd.DataFrame({"gene": np.asarray(self.var_names), "likelihood_ratio": ratio,
                              "log2_fold_change": np.log2(with_private / shared_only)})
        if raised_only:
            table = table[table["log2_fold_change"] > 0]
        order = np.argsort(-table["likelihood_ratio"].to_numpy(), kind="stable")[:n_top]
        return table.iloc[order].reset_index(drop=True)
