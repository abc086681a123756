"""multiGroupVI on AnnData (Weinberger, Lopez, Hütter and Regev 2022): shared and group-specific latent spaces.

The network and the loss are in :mod:`latentbio.models.multigroupvi_module`. This file is
the face a biologist uses, in the spirit of scvi-tools: build the model from an AnnData
with raw counts and a group column, ``fit`` it with minibatches that draw equally from
every group, read the shared and private latent spaces, and rank the genes that a
group's private space explains by a likelihood ratio.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from .. import train
from ..checks import check_counts, check_obs_column
from ..data.group_sampler import balanced_group_loader
from .multigroupvi_module import MultiGroupVAE


def _count_matrix(adata, layer: str | None) -> np.ndarray:
    """The counts of ``adata`` (``layers[layer]``, or ``X`` if ``layer`` is None) as a dense float32
    array, after :func:`latentbio.data.checks.check_counts` (finite non-negative integers)."""
    matrix = check_counts(adata, layer)
    return np.asarray(matrix.toarray() if sp.issparse(matrix) else matrix, dtype=np.float32)


class MultiGroupVI:
    """multiGroupVI for the cells of ``adata`` whose groups are in ``adata.obs[group_key]``.

    ``layer`` names the layer of raw counts (None: ``adata.X``). ``module_options`` go to
    :class:`~latentbio.models.multigroupvi_module.MultiGroupVAE` (``n_shared_latent``,
    ``n_private_latent``, ``n_hidden``, ``dropout``, ``likelihood`` "zinb" or "nb",
    ``wasserstein_penalty``, ``shared_ot_penalty``). The torch module is ``self.module``.
    """

    def __init__(self, adata, group_key: str = "group", *, layer: str | None = "counts", **module_options):
        self.group_key, self.layer = group_key, layer
        self.groups = list(check_obs_column(adata, group_key).cat.categories)
        declared = adata.obs[group_key]
        if isinstance(declared.dtype, pd.CategoricalDtype) and len(declared.cat.categories) > len(self.groups):
            empty = sorted(set(map(str, declared.cat.categories)) - set(map(str, self.groups)))
            raise ValueError(f"group(s) {empty} of adata.obs[{group_key!r}] have no cells; "
                             "drop them with .cat.remove_unused_categories() or add their cells")
        counts = _count_matrix(adata, layer)
        group_index = self._group_index(adata)
        if np.any(counts.sum(axis=1) == 0):
            raise ValueError("some cells have no counts at all; filter them out first")
        log_library = np.log(counts.sum(axis=1))
        self.var_names = adata.var_names.copy()
        self.module = MultiGroupVAE(counts.shape[1], len(self.groups), library_log_mean=log_library.mean(),
                                    library_log_var=max(log_library.var(), 1e-4), **module_options)
        self._train_counts, self._train_groups = counts, group_index

    def _group_index(self, adata) -> np.ndarray:
        labels = check_obs_column(adata, self.group_key).astype(object).to_numpy()
        unknown = set(labels) - set(self.groups)
        if unknown:
            raise ValueError(f"unknown group(s) {sorted(map(str, unknown))}; the model knows {self.groups}")
        return np.array([self.groups.index(label) for label in labels], dtype=np.int64)

    def _inputs(self, adata) -> tuple[torch.Tensor, torch.Tensor]:
        if list(adata.var_names) != list(self.var_names):
            raise ValueError("adata must have the genes the model was built with, in the same order")
        return torch.as_tensor(_count_matrix(adata, self.layer)), torch.as_tensor(self._group_index(adata))

    def fit(self, *, epochs: int = 100, per_group: int = 128, lr: float = 1e-3, kl_warmup_epochs: int | None = None,
            seed: int = 0, **fit_options) -> train.History:
        """Train with :func:`latentbio.train.fit` on minibatches of ``per_group`` cells from every group.

        Adam with weight decay 1e-6 and eps 0.01 (scvi-tools' defaults, used by the official
        code). The KL weight (which also multiplies the Wasserstein penalty) rises linearly
        from 0 to 1 over ``kl_warmup_epochs`` (default: half of ``epochs``; scvi-tools uses 400
        epochs, longer than a course-sized run).
        """
        warmup = max(1, epochs // 2 if kl_warmup_epochs is None else kl_warmup_epochs)
        loader = balanced_group_loader(torch.as_tensor(self._train_counts), torch.as_tensor(self._train_groups),
                                       groups=self._train_groups, per_group=per_group, seed=seed)
        optimizer = torch.optim.Adam(self.module.parameters(), lr=lr, weight_decay=1e-6, eps=0.01)

        def warm_up(epoch: int) -> None:
            self.module.kl_weight = min(1.0, epoch / warmup)

        history = train.fit(self.module, loader, epochs=epochs, optimizer=optimizer, on_epoch_start=warm_up,
                            seed=seed, desc="multiGroupVI", **fit_options)
        self.module.kl_weight = 1.0
        return history

    @torch.no_grad()
    def _posterior(self, adata, batch_size: int = 1024) -> dict:
        """Posterior means of every latent variable for the cells of ``adata``, as CPU tensors."""
        self.module.eval()
        counts, groups = self._inputs(adata)
        device = next(self.module.parameters()).device
        parts = []
        for start in range(0, len(counts), batch_size):
            posterior = self.module.encode(counts[start:start + batch_size].to(device))
            parts.append({"shared": posterior["shared"][0].cpu(), "private": posterior["private"][0].cpu(),
                          "log_library": posterior["library"][0].cpu()})
        means = {key: torch.cat([part[key] for part in parts]) for key in parts[0]}
        return {**means, "counts": counts, "group": groups}

    def get_latent(self, adata, space: str = "shared") -> np.ndarray:
        """Posterior means of one latent space for every cell of ``adata``: ``space="shared"``, or a
        group's name for that group's private space (its encoder applied to all cells; for cells of
        other groups a well-trained model gives codes near 0)."""
        posterior = self._posterior(adata)
        if space == "shared":
            return posterior["shared"].numpy()
        if space not in self.groups:
            raise ValueError(f"space must be 'shared' or one of the groups {self.groups}; got {space!r}")
        return posterior["private"][:, self.groups.index(space)].numpy()

    def write_latents(self, adata) -> None:
        """Store the shared space in ``adata.obsm["X_multigroupvi_shared"]`` and each group's
        private space in ``adata.obsm["X_multigroupvi_<group>"]``."""
        posterior = self._posterior(adata)
        adata.obsm["X_multigroupvi_shared"] = posterior["shared"].numpy()
        for g, name in enumerate(self.groups):
            adata.obsm[f"X_multigroupvi_{name}"] = posterior["private"][:, g].numpy()

    @torch.no_grad()
    def _decode_means(self, adata, with_private: bool) -> tuple[dict, torch.Tensor]:
        """Decoder output at the posterior means, with the cell's own private code or with every
        private code set to 0 (``with_private=False``: the shared code only), and the counts."""
        posterior = self._posterior(adata)
        device = next(self.module.parameters()).device
        own = self.module.group_mask(posterior["group"]).bool()
        private = torch.where(own & with_private, posterior["private"], 0.0)
        decoded = self.module.decode(posterior["shared"].to(device), private.to(device),
                                     posterior["log_library"].to(device))
        return {key: value.cpu() for key, value in decoded.items()}, posterior["counts"]

    def decoded_expression(self, adata, codes: str = "all") -> np.ndarray:
        """Decoded expression fractions (each row sums to 1) of the cells of ``adata``, at the
        posterior means: ``codes="all"`` uses the shared and the cell's own private code,
        ``codes="shared"`` the shared code with all private codes at 0."""
        if codes not in ("all", "shared"):
            raise ValueError(f"codes must be 'all' or 'shared', got {codes!r}")
        return self._decode_means(adata, codes == "all")[0]["expression"].numpy()

    @torch.no_grad()
    def likelihood_ratio(self, adata) -> np.ndarray:
        """Per gene, 2 * sum over the cells of ``adata`` of [log p(x | shared and private codes)
        - log p(x | shared code only)], at the posterior means (the gene ranking of the paper's
        analysis notebook). Large values: genes whose counts the group's private space explains.
        Unlike the official notebook, which feeds every group's private code unmasked, each cell
        here gets only its own group's private code, as in training."""
        with_private, counts = self._decode_means(adata, True)
        shared_only, _ = self._decode_means(adata, False)
        log_ratio = (self.module.log_likelihood_per_gene(counts, with_private)
                     - self.module.log_likelihood_per_gene(counts, shared_only))
        return 2.0 * log_ratio.sum(dim=0).numpy()

    def rank_genes(self, adata, *, group: str, cell_type_key: str, cell_type: str,
                   n_top: int | None = None) -> pd.DataFrame:
        """Genes ranked by :meth:`likelihood_ratio` over the cells of one ``cell_type`` in one
        ``group``, highest first: a table with columns ``gene`` and ``likelihood_ratio``."""
        if group not in self.groups:
            raise ValueError(f"group must be one of {self.groups}, got {group!r}")
        check_obs_column(adata, cell_type_key)
        selected = (adata.obs[self.group_key].astype(object) == group).to_numpy() \
            & (adata.obs[cell_type_key].astype(object) == cell_type).to_numpy()
        if not selected.any():
            raise ValueError(f"no cells of type {cell_type!r} in group {group!r}")
        ratio = self.likelihood_ratio(adata[selected])
        order = np.argsort(-ratio, kind="stable")[:n_top]
        return pd.DataFrame({"gene": np.asarray(self.var_names)[order], "likelihood_ratio": ratio[order]})
