"""LORD for cells: known attributes get shared codes, each cell a noisy content code.

The class-supervised idea of chapter 3 (LORD; Gabbay and Hoshen, ICLR 2020, section 3.1),
carried to single cells as biolord does (Piran et al., Nat Biotechnol 2024): every value of
a known attribute (a cell type, a condition) has one learned code shared by all cells that
have it; every cell has its own free *content code*, with Gaussian noise added during
training and an L2 penalty, so that carrying information in it is expensive; a decoder
maps the concatenated codes to log-expression. What the attributes explain costs nothing
in their shared codes, so the content codes learn only what varies among cells with the
same attributes.

Out-of-distribution prediction is then a swap of codes: decode a cell's content code with
another attribute value, for example the held-out cell type's control cells with the
"stimulated" condition code (biolord's prediction of an unseen combination).

The decoder is Gaussian with unit variance on log-normalised expression, the same
reconstruction term as chapter 5's VAEs, so the models differ only in their codes.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from .. import train
from ..blocks import mlp
from ..checks import check_feature_matrix, check_number, check_obs_column
from ..likelihoods import gaussian_log_prob
from .base import AnnDataModel
from .lord import INIT_RANGE, NoisyEmbedding


class LORDCellsModule(nn.Module):
    """The network: one :class:`NoisyEmbedding` of content codes (one row per training cell),
    one embedding per known attribute (one row per value, no noise) and an MLP decoder.

    ``attribute_sizes``: the number of values of each attribute, in order; ``content_noise``
    the standard deviation of the training noise on content codes; ``content_penalty`` the
    weight of the mean squared norm of the (noisy) content codes in the loss.
    """

    def __init__(self, n_genes: int, n_cells: int, attribute_sizes: Sequence[int], *, n_content: int = 8,
                 n_attribute: int = 8, hidden: Sequence[int] = (128, 256), content_noise: float = 1.0,
                 content_penalty: float = 1e-2):
        super().__init__()
        check_number(content_penalty, "content_penalty", minimum=0)
        if not attribute_sizes or min(attribute_sizes) < 1:
            raise ValueError(f"give at least one attribute with at least one value; got {list(attribute_sizes)}")
        self.content = NoisyEmbedding(n_cells, n_content, content_noise)
        self.attributes = nn.ModuleList(nn.Embedding(size, n_attribute) for size in attribute_sizes)
        for embedding in self.attributes:
            nn.init.uniform_(embedding.weight, -INIT_RANGE, INIT_RANGE)
        self.decoder = mlp([n_content + n_attribute * len(attribute_sizes), *hidden, n_genes])
        self.content_penalty = content_penalty

    def decode(self, content_codes: torch.Tensor, attribute_values: torch.Tensor) -> torch.Tensor:
        """Expected log-expression for content codes ``(n, n_content)`` and attribute value
        indices ``(n, n_attributes)``."""
        codes = [embedding(attribute_values[:, k]) for k, embedding in enumerate(self.attributes)]
        return self.decoder(torch.cat([content_codes, *codes], dim=1))

    def loss(self, x: torch.Tensor, cells: torch.Tensor, attribute_values: torch.Tensor) -> dict[str, torch.Tensor]:
        """LORD's objective for a batch (paper eq. 4, with a Gaussian reconstruction term):
        mean of -log N(x; decoded, I) + content_penalty * mean ||content code + noise||^2."""
        content = self.content(cells)
        reconstruction = -gaussian_log_prob(x, self.decode(content, attribute_values)).mean()
        penalty = content.pow(2).sum(dim=1).mean()
        return {"loss": reconstruction + self.content_penalty * penalty, "reconstruction": reconstruction,
                "content_norm": penalty}


class LORDCells(AnnDataModel):
    """LORD for the cells of ``adata`` (log-normalised expression in ``X`` or ``layers[layer]``)
    with the known attributes in ``adata.obs[key]`` for each of ``attribute_keys``.

    The content codes are free parameters of the training cells (no encoder), so every method
    that takes cells takes cells of the training ``adata`` (matched by ``obs_names``).
    ``module_options`` go to :class:`LORDCellsModule`; the network is ``self.module``.
    """

    description = "LORD for cells"

    def __init__(self, adata, attribute_keys: Sequence[str] = ("cell_type", "condition"), *,
                 layer: str | None = None, **module_options):
        if isinstance(attribute_keys, str) or len(attribute_keys) == 0:
            raise ValueError(f"attribute_keys must be a non-empty list of obs columns, got {attribute_keys!r}")
        super().__init__(adata, layer)
        self.attribute_keys = list(attribute_keys)
        self.values = {key: list(check_obs_column(adata, key).cat.categories) for key in self.attribute_keys}
        self.obs_names = adata.obs_names.copy()
        if not self.obs_names.is_unique:
            raise ValueError("adata.obs_names must be unique: each name identifies a cell's content code")
        self._attribute_values = self._encode_attributes(adata.obs)
        self.module = LORDCellsModule(adata.n_vars, adata.n_obs, [len(v) for v in self.values.values()],
                                      **module_options)

    def _encode_attributes(self, obs: pd.DataFrame, **replacements) -> np.ndarray:
        """Index of each cell's value of every attribute, ``(n_cells, n_attributes)``; an
        attribute named in ``replacements`` gets that one value for every cell."""
        unknown = set(replacements) - set(self.attribute_keys)
        if unknown:
            raise ValueError(f"unknown attribute(s) {sorted(unknown)}; the model knows {self.attribute_keys}")
        columns = []
        for key, values in self.values.items():
            labels = [replacements[key]] * len(obs) if key in replacements else obs[key].astype(object).tolist()
            missing = sorted(set(map(str, labels)) - set(map(str, values)))
            if missing:
                raise ValueError(f"{key} value(s) {missing} were not seen in training; known: {values}")
            index = {str(v): i for i, v in enumerate(values)}
            columns.append([index[str(label)] for label in labels])
        return np.array(columns, dtype=np.int64).T

    def _cells(self, adata) -> np.ndarray:
        """Rows of the training cells that ``adata`` holds (all training cells for None)."""
        if adata is None:
            return np.arange(len(self.obs_names))
        rows = self.obs_names.get_indexer(adata.obs_names)
        if np.any(rows < 0):
            raise ValueError("LORD has content codes only for its training cells; "
                             f"{int(np.sum(rows < 0))} cells of adata were not among them")
        return rows

    def _training_data(self):
        return self.matrix, np.arange(len(self.obs_names)), self._attribute_values

    def train(self, max_epochs: int = 100, *, batch_size: int | None = None, lr: float = 1e-3,
              code_lr: float = 1e-2, **fit_options) -> train.History:
        """Fit codes and decoder jointly with :func:`latentbio.train.fit` (Adam; the codes with a
        larger learning rate ``code_lr``, as LORD's code uses ten times the network's)."""
        codes = [*self.module.content.parameters(), *self.module.attributes.parameters()]
        optimizer = train.adam([{"params": self.module.decoder.parameters(), "lr": lr},
                               {"params": codes, "lr": code_lr}])
        return super().train(max_epochs, batch_size=batch_size, lr=lr, optimizer=optimizer, **fit_options)

    @torch.no_grad()
    def get_latent_representation(self, adata=None, *, batch_size: int = 1024) -> np.ndarray:
        """The content codes (without noise) of the cells of ``adata`` (default: all training
        cells), shape ``(n_cells, n_content)``."""
        rows = torch.as_tensor(self._cells(adata), device=self.device)
        return self.module.content.codes.weight[rows].cpu().numpy()

    @torch.no_grad()
    def get_attribute_codes(self, key: str) -> pd.DataFrame:
        """The learned code of every value of attribute ``key``, one row per value."""
        if key not in self.values:
            raise ValueError(f"unknown attribute {key!r}; the model knows {self.attribute_keys}")
        weight = self.module.attributes[self.attribute_keys.index(key)].weight.cpu().numpy()
        return pd.DataFrame(weight, index=pd.Index(self.values[key], name=key))

    @torch.no_grad()
    def decode_latent(self, latent, adata=None, **attributes) -> np.ndarray:
        """Decoded log-expression of content codes ``latent`` ``(n, n_content)``, cells x genes, with
        the attribute values of the cells of ``adata`` (default: the training cells; one cell per
        code, in order) except those given as keywords, one value for all codes or one per code,
        e.g. ``decode_latent(codes, cell_type="B", condition="stimulated")`` (then ``adata`` is not
        needed when every attribute is given)."""
        latent = check_feature_matrix(latent, self.module.content.codes.embedding_dim, name="latent")
        n = latent.shape[0]
        unknown = set(attributes) - set(self.attribute_keys)
        if unknown:
            raise ValueError(f"unknown attribute(s) {sorted(unknown)}; the model knows {self.attribute_keys}")
        cells = self.adata if adata is None else adata
        columns = {}
        for key in self.attribute_keys:
            if key in attributes:
                value = attributes[key]
                values = [value] * n if np.ndim(value) == 0 else list(value)
            else:
                if cells.n_obs != n:
                    raise ValueError(f"{key} is not given, so it is read from the cells of adata, which must be one "
                                     f"per code; got {cells.n_obs} cells for {n} codes (give {key}=... instead)")
                values = check_obs_column(cells, key).astype(object).tolist()
            if len(values) != n:
                raise ValueError(f"give one {key} value for all codes or one per code; got {len(values)} for {n}")
            columns[key] = values
        index = self._encode_attributes(pd.DataFrame(columns))
        return self._predict(self.module.decode, (latent, torch.as_tensor(index)))

    @torch.no_grad()
    def predict(self, adata=None, **attributes) -> np.ndarray:
        """Decoded log-expression of the cells of ``adata`` (training cells), each with its own
        content code and its own attribute values except those given, e.g.
        ``predict(control_cells, condition="stimulated")``. Shape ``(n_cells, n_genes)``."""
        rows = self._cells(adata)
        obs = pd.DataFrame({key: np.asarray(values, dtype=object)[self._attribute_values[rows, k]]
                            for k, (key, values) in enumerate(self.values.items())})
        content = self.module.content.codes.weight.detach()[torch.as_tensor(rows, device=self.device)].cpu()
        return self._predict(self.module.decode, (content, torch.as_tensor(self._encode_attributes(obs, **attributes))))
