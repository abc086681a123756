"""The two families of models (arrays, AnnData) and what every model shares.

Families say what a model reads; roles (:mod:`latentbio.models.roles`) say what it answers to:

- :class:`ArrayModel`: models of arrays (images, flat vectors). ``Model(n_input or image_shape, ...)``;
  each array model takes one or more array roles (representation, transfer, classifier, density),
  whose contracts live in :mod:`latentbio.models.roles`.
- :class:`AnnDataModel`: single-cell models, and the AnnData role in one. ``Model(adata, layer=..., ...)``,
  ``train(max_epochs=..., batch_size=...) -> History``, ``get_latent_representation(adata=None)``
  (returns, never writes into ``adata``), ``decode_latent(latent, ...)`` and, for count models
  (``reads_counts``), ``get_normalized_expression(...)``.

In both, the torch network is ``model.module``: an ``nn.Module`` whose ``loss(*batch)`` is what
:func:`latentbio.train.fit` minimises. The last training's :class:`~latentbio.train.History`
is kept as ``model.history``. ``model.roles`` names the roles a model declares.
"""

from __future__ import annotations

import abc

import anndata as ad
import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import check_feature_matrix, class_indices, encode_labels, get_matrix


class Model(abc.ABC):
    """What both families share: ``module``, ``history``, ``device``, ``roles`` and batched prediction.

    A role is a base class that sets ``role`` (its name) and states its verbs as abstract
    methods, so a model that declares a role and lacks one of its verbs cannot be built.
    """

    module: nn.Module
    history: train.History | None = None
    description = "training"  # the progress bar's label (``fit_options`` may give another ``desc``)

    @classmethod
    def declared_roles(cls) -> tuple[str, ...]:
        """The names of the roles this model class declares (its role base classes), most general first."""
        declared = (klass.__dict__["role"] for klass in reversed(cls.__mro__) if "role" in klass.__dict__)
        return tuple(dict.fromkeys(declared))

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles this model declares, e.g. ``("representation", "transfer")``."""
        return self.declared_roles()

    @property
    def device(self) -> torch.device:
        """Where the module's parameters are (a GPU after training when one is present)."""
        return next(self.module.parameters()).device

    def _fit(self, data, *, epochs: int, **fit_options) -> train.History:
        """Train ``self.module`` on ``data`` with :func:`latentbio.train.fit`; keep and return the History."""
        fit_options.setdefault("desc", self.description)
        self.history = train.fit(self.module, data, epochs=epochs, **fit_options)
        return self.history

    def _predict(self, function, data, batch_size: int = 1024) -> np.ndarray:
        """``function`` (a method of the module) applied to the rows of ``data`` (one matrix, or a
        tuple whose rows go to ``function`` together) in minibatches, in evaluation mode."""
        self.module.eval()
        return train.predict_in_batches(function, data, batch_size, device=self.device).numpy()

    def __repr__(self) -> str:
        state = f"trained for {self.history.n_epochs} epochs" if self.history else "not trained"
        return f"{type(self).__name__}({state})"


class ArrayModel(Model):
    """Base of the array models. Subclasses build ``self.module`` and implement ``fit``, and
    ``latent`` / ``decode_mean`` / ``transfer`` where the model has them.

    Class labels may be integers ``0 .. n_classes - 1``, strings or a pandas Categorical: labels
    that are not numbers are numbered on first use (sorted, or in category order) and the names
    are kept in ``self.classes``, so later calls take the same names.
    """

    n_classes: int = 0
    classes: np.ndarray | None = None

    def _class_index(self, y, n_samples: int | None, *, name: str = "y") -> torch.Tensor:
        """Labels ``y`` as int64 class indices in ``[0, n_classes)`` (see the class docstring)."""
        if self.classes is None:
            _, names = encode_labels(y, n_samples=n_samples, name=name)
            if names.dtype.kind in "biuf":
                self.classes = np.arange(self.n_classes)
            elif len(names) > self.n_classes:
                raise ValueError(f"{name} holds {len(names)} distinct classes but the model was built with "
                                 f"n_classes={self.n_classes}; build it with n_classes={len(names)}")
            else:
                self.classes = names
        if self.classes.dtype.kind in "iu":
            return torch.from_numpy(class_indices(y, self.n_classes, n_samples, name=name))
        return torch.from_numpy(encode_labels(y, self.classes, n_samples=n_samples, name=name)[0])


def library_factor(library_size, n_cells: int):
    """``library_size`` (one positive number, or one per cell) as a factor for a cells x genes
    matrix: a float, or a float32 column ``(n_cells, 1)``."""
    size = np.asarray(library_size, dtype=np.float64)
    if size.ndim > 1 or (size.ndim == 1 and size.shape != (n_cells,)):
        raise ValueError(f"library_size must be one number or one per cell ({n_cells}); got shape {size.shape}")
    if not np.all(np.isfinite(size)) or np.any(size <= 0):
        raise ValueError(f"library_size must be positive and finite; got {library_size!r}"[:200])
    return float(size) if size.ndim == 0 else size.astype(np.float32)[:, None]


class AnnDataModel(Model):
    """Base of the single-cell models, and the contract of the AnnData role:

    - ``train(max_epochs=..., batch_size=..., ...) -> History``;
    - ``get_latent_representation(adata=None, ...)``: one code per cell, returned, never written;
    - ``decode_latent(latent, ...)``: expression decoded from codes, cells x genes, in the units
      the model reads: log-normalised expression, or, for count models (``reads_counts``), the
      expected fraction of each gene times ``library_size`` (1 by default: rows sum to 1; give
      :meth:`observed_library_size` to decode at the cells' own sequencing depth).

    ``__init__`` of a subclass calls ``super().__init__(adata, layer)``, which checks the matrix
    once with :meth:`_check_matrix` (a sparse matrix stays sparse) and keeps it for training
    (count models override :meth:`_read_matrix` to check counts),
    then builds ``self.module``. ``train`` passes ``self._training_data()`` (the matrix, plus
    anything else each minibatch needs) to :func:`latentbio.train.fit`, which densifies one
    minibatch at a time.
    """

    role = "anndata"
    default_batch_size = 128
    reads_counts = False  # count models: the matrix holds raw counts; decode_latent gives fractions x library_size

    def __init__(self, adata: ad.AnnData, layer: str | None):
        if not isinstance(adata, ad.AnnData):
            raise TypeError(f"expected an AnnData object, got {type(adata).__name__}; build one with anndata.AnnData(X)")
        self.adata, self.layer = adata, layer
        self.var_names = adata.var_names.copy()
        self.matrix = self._check_matrix(adata)

    def _read_matrix(self, adata: ad.AnnData):
        """``adata.layers[layer]`` or ``adata.X``; count models also check here that it holds counts."""
        return get_matrix(adata, self.layer)

    def _check_matrix(self, adata: ad.AnnData):
        """The matrix the model reads, checked (finite numbers; a sparse matrix stays sparse CSR)."""
        where = f"adata.layers[{self.layer!r}]" if self.layer is not None else "adata.X"
        return check_feature_matrix(self._read_matrix(adata), name=where)

    def _matrix(self, adata: ad.AnnData | None):
        """The checked matrix of ``adata`` (the training matrix, checked once, for ``None``)."""
        if adata is None or adata is self.adata:
            return self.matrix
        if not isinstance(adata, ad.AnnData):
            raise TypeError(f"expected an AnnData object, got {type(adata).__name__}")
        if adata.n_vars != len(self.var_names) or not np.array_equal(adata.var_names, self.var_names):
            raise ValueError(f"adata must have the {len(self.var_names)} genes the model was trained on, in the "
                             f"same order; got {adata.n_vars} genes. Subset it with adata[:, model.var_names].")
        return self._check_matrix(adata)

    def _training_data(self):
        """What each training minibatch holds (rows of it go to ``module.loss``)."""
        return self.matrix

    def train(self, max_epochs: int = 100, *, batch_size: int | None = None, lr: float = 1e-3,
              **fit_options) -> train.History:
        """Fit the model to its AnnData with :func:`latentbio.train.fit` and return the History.

        Other options (``val_fraction``, ``patience``, ``seed`` ...) go to :func:`~latentbio.train.fit`.
        """
        return self._fit(self._training_data(), epochs=max_epochs,
                         batch_size=batch_size or self.default_batch_size, lr=lr,
                         **fit_options)

    def _encode_mean(self, batch: torch.Tensor) -> torch.Tensor:
        """Posterior means of the latent code for a dense minibatch of the model's matrix."""
        return self.module.encode(batch)[0]

    def get_latent_representation(self, adata: ad.AnnData | None = None, *, batch_size: int = 1024) -> np.ndarray:
        """Posterior means E[z | x] of the cells of ``adata`` (default: the training data), shape
        ``(n_cells, n_latent)``. Returns them and writes nothing: store them yourself, e.g.
        ``adata.obsm["X_model"] = model.get_latent_representation()``."""
        return self._predict(self._encode_mean, self._matrix(adata), batch_size)

    @abc.abstractmethod
    def decode_latent(self, latent, **options) -> np.ndarray:
        """Expression decoded from codes ``latent`` (one row per cell), cells x genes (class docstring)."""

    def observed_library_size(self, adata: ad.AnnData | None = None) -> np.ndarray:
        """Each cell's total of the matrix the model reads (its library size, for count models), ``(n_cells,)``."""
        return np.asarray(self._matrix(adata).sum(axis=1), dtype=np.float64).ravel()

    def __repr__(self) -> str:
        state = f"trained for {self.history.n_epochs} epochs" if self.history else "not trained"
        return f"{type(self).__name__}({self.adata.n_obs} cells x {len(self.var_names)} genes, {state})"
