"""The two faces every model of the course shows (in the spirit of scvi-tools' base classes and mixins).

- :class:`ArrayModel`: models of arrays (images, flat vectors, LORD).
  ``Model(n_input or image_shape, ...)``, ``fit(x, y=None, *, epochs) -> History``,
  ``latent(x)``, ``decode_mean(z)`` and, for models that re-render content as another
  class, ``transfer(content_images, target_classes)``.
- :class:`AnnDataModel`: single-cell models. ``Model(adata, layer=..., ...)``,
  ``train(max_epochs=..., batch_size=...) -> History``, ``get_latent_representation(adata=None)``
  (returns, never writes into ``adata``), ``decode_latent(latent)`` and, for count models,
  ``get_normalized_expression(...)``.

In both, the torch network is ``model.module``: an ``nn.Module`` whose ``loss(*batch)`` is what
:func:`latentbio.train.fit` minimises. The last training's :class:`~latentbio.train.History`
is kept as ``model.history``.
"""

from __future__ import annotations

import anndata as ad
import numpy as np
import torch
from torch import nn

from .. import train
from ..checks import check_feature_matrix, class_indices, encode_labels, get_matrix


class Model:
    """What both families share: ``module``, ``history``, ``device`` and batched prediction."""

    module: nn.Module
    history: train.History | None = None
    description = "training"  # the progress bar's label (``fit_options`` may give another ``desc``)

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


class AnnDataModel(Model):
    """Base of the single-cell models.

    ``__init__`` of a subclass calls ``super().__init__(adata, layer)``, which checks the matrix
    once with :meth:`_check_matrix` (a sparse matrix stays sparse) and keeps it for training
    (count models override :meth:`_read_matrix` to check counts),
    then builds ``self.module``. ``train`` passes ``self._training_data()`` (the matrix, plus
    anything else each minibatch needs) to :func:`latentbio.train.fit`, which densifies one
    minibatch at a time.
    """

    default_batch_size = 128

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

    def __repr__(self) -> str:
        state = f"trained for {self.history.n_epochs} epochs" if self.history else "not trained"
        return f"{type(self).__name__}({self.adata.n_obs} cells x {len(self.var_names)} genes, {state})"


class TransferModel(ArrayModel):
    """Array models that re-render the content of images as another class. They have
    ``latent(images)`` (content codes) and ``decode_mean(content_codes, classes)``; a class
    transfer is the two in a row."""

    def transfer(self, content_images, target_classes) -> np.ndarray:
        """Images with the content of ``content_images``, each rendered as its class in
        ``target_classes`` (one label per image, or one label for all), ``(n, h, w[, c])``."""
        return self.decode_mean(self.latent(content_images), target_classes)
