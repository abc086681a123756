"""The one training loop of the course, its minibatches and every schedule.

Every torch module that a model trains has ``loss(*batch)``, returning a scalar tensor
or a dict of scalar tensors whose ``"loss"`` entry is minimised (the other entries, such
as the reconstruction and KL terms of a VAE, are only recorded). :func:`fit` does the
rest: minibatches, the optimiser, the device, a progress bar, a per-epoch history and
optional early stopping on a validation split.

Minibatches are cut the plain-torch way: one seeded permutation per epoch, sliced into
consecutive index blocks, each block gathered from the data in one indexing call (no
DataLoader, no per-sample indexing). A scipy-sparse matrix is made dense once when its dense
form fits in ``DENSE_LIMIT_BYTES`` (the course's data sets: gathering rows of a dense tensor is
far cheaper than densifying every minibatch); a larger one stays sparse on the host and only each
minibatch is made dense. A last minibatch smaller than half a batch is merged
into the one before it, so every minibatch holds at least ``batch_size // 2`` samples
(and at least 2): batch statistics (dHSIC, BatchNorm) never see a single sample.

Schedules (one definition each): :func:`linear_ramp` (KL warm-up, capacity ramp),
:func:`ramp_attribute` (the callback that applies it) and :func:`cosine_schedule`
(learning rate).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from tqdm.auto import tqdm

from .checks import check_fraction, check_integer, check_number
from .device import get_device, reapply_thread_policy
from .progress import progress_enabled


@dataclass
class History:
    """What happened during :func:`fit`.

    ``train`` and ``val`` map each loss term to its per-epoch mean (weighted by batch
    size); ``best_epoch`` is the epoch whose weights were kept when early stopping
    was used (else the last epoch); ``seconds`` is the wall time of training.
    """

    train: dict[str, list[float]] = field(default_factory=dict)
    val: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = -1
    seconds: float = 0.0

    @property
    def n_epochs(self) -> int:
        """Number of epochs actually run."""
        return len(self.train.get("loss", []))


# ---- schedules ------------------------------------------------------------------------------

def linear_ramp(epoch: int, ramp_epochs: int) -> float:
    """The weight of a linear warm-up in ``epoch`` (counted from 0): ``min(1, (epoch + 1) / ramp_epochs)``.

    The first epoch already trains with weight ``1 / ramp_epochs``; epoch ``ramp_epochs - 1`` is
    the first at full weight. ``ramp_epochs = 0`` means no ramp (weight 1 throughout).
    """
    check_number(ramp_epochs, "ramp_epochs", minimum=0)
    return 1.0 if ramp_epochs == 0 else min(1.0, (epoch + 1) / ramp_epochs)


def ramp_attribute(module: nn.Module, name: str, final_value: float, ramp_epochs: int) -> Callable[[int], None]:
    """An ``on_epoch_start`` callback for :func:`fit` that sets ``module.<name>`` to
    ``final_value * linear_ramp(epoch, ramp_epochs)`` (a KL warm-up, a capacity ramp)."""
    linear_ramp(0, ramp_epochs)  # check the length once, before training starts

    def set_value(epoch: int) -> None:
        setattr(module, name, final_value * linear_ramp(epoch, ramp_epochs))
    return set_value


def cosine_schedule(epochs: int, final_fraction: float = 0.01):
    """A scheduler factory for :func:`fit`: in epoch e every learning rate is its start value times
    ``f + (1 - f) * (1 + cos(pi * e / epochs)) / 2`` with ``f = final_fraction`` (LORD's cosine
    annealing; the official code anneals to 1e-5)."""
    check_integer(epochs, "epochs", minimum=1)
    check_number(final_fraction, "final_fraction", minimum=0.0, maximum=1.0)

    def build(optimizer):
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda epoch: final_fraction + (1 - final_fraction) * 0.5 * (1 + np.cos(np.pi * epoch / epochs)))
    return build


# ---- the optimiser ------------------------------------------------------------------------------

def adam(parameters, lr: float = 1e-3, **options) -> torch.optim.Adam:
    """Adam (Kingma and Ba 2015) over ``parameters`` (tensors, or param groups with a learning rate
    each) with learning rate ``lr``; ``options`` (betas, eps, weight_decay) as for ``torch.optim.Adam``.

    The "foreach" implementation updates all parameters with one call per step of Adam's
    update instead of one call per parameter tensor (torch's default on a CPU); its results
    are bit for bit those of the default, in less time.
    """
    return torch.optim.Adam(parameters, lr=lr, foreach=True, **options)


# ---- minibatches --------------------------------------------------------------------------------

DENSE_LIMIT_BYTES = 256 * 2**20
"""A scipy-sparse matrix whose dense float32 form is at most this size is made dense once."""


def _as_rows(data):
    """One column of training data as a tensor, or a float32 CSR matrix if it is scipy-sparse and
    too large to make dense (``DENSE_LIMIT_BYTES``)."""
    if sp.issparse(data):
        matrix = sp.csr_matrix(data, dtype=np.float32)
        if 4 * matrix.shape[0] * matrix.shape[1] <= DENSE_LIMIT_BYTES:
            return torch.from_numpy(matrix.toarray())
        return matrix
    if torch.is_tensor(data):
        return data
    array = np.asarray(data)
    return torch.from_numpy(array.astype(np.float32) if array.dtype == np.float64 else array)


class Rows:
    """Aligned columns of training data (one row per sample): dense tensors, or scipy-sparse
    matrices that stay sparse and are densified one minibatch at a time."""

    def __init__(self, data):
        columns = data if isinstance(data, (tuple, list)) else (data,)
        if not columns:
            raise ValueError("no data given to train on")
        self.columns = [_as_rows(column) for column in columns]
        lengths = [column.shape[0] for column in self.columns]
        if len(set(lengths)) != 1:
            raise ValueError(f"every part of the training data needs one row per sample; got lengths {lengths}")
        if lengths[0] == 0:
            raise ValueError("the training data are empty")

    def __len__(self) -> int:
        return self.columns[0].shape[0]

    def take(self, index: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The rows ``index`` (a 1-D int64 tensor) of every column, as dense tensors."""
        return tuple(torch.from_numpy(column[index.numpy()].toarray()) if sp.issparse(column) else column[index]
                     for column in self.columns)

    def subset(self, index: torch.Tensor) -> "Rows":
        """The rows ``index`` as a new :class:`Rows` (used for a validation split)."""
        return Rows(tuple(column[index.numpy()] if sp.issparse(column) else column[index] for column in self.columns))


def batch_slices(n: int, batch_size: int) -> list[slice]:
    """Consecutive slices of ``range(n)`` of ``batch_size`` each; a last slice shorter than half a
    batch is merged into the one before it (the module docstring says why)."""
    batch_size = check_integer(batch_size, "batch_size", minimum=1)
    starts = list(range(0, n, batch_size))
    if len(starts) > 1 and n - starts[-1] < max(2, batch_size // 2):
        starts.pop()
    return [slice(start, end) for start, end in zip(starts, starts[1:] + [n])]


def shuffled_batches(n: int, batch_size: int, generator: torch.Generator) -> Iterable[torch.Tensor]:
    """One epoch of minibatch indices: a random permutation of ``range(n)`` cut by :func:`batch_slices`.

    ``generator`` is advanced exactly as by an epoch of torch's ``DataLoader(shuffle=True)`` (a
    worker seed, the permutation, and a second permutation its sampler draws and discards), so a
    seed gives the same shuffles as with a ``DataLoader``, and the same results as the course's
    earlier DataLoader-based loop.
    """
    torch.empty((), dtype=torch.int64).random_(generator=generator)
    order = torch.randperm(n, generator=generator)
    torch.randperm(n, generator=generator)
    return [order[part] for part in batch_slices(n, batch_size)]


def split_rows(n: int, val_fraction: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random (train, validation) index tensors for ``n`` samples, reproducible with ``seed``."""
    check_fraction(val_fraction, "val_fraction")
    n_val = max(1, int(round(val_fraction * n)))
    if n_val >= n:
        raise ValueError(f"{n} samples are too few for a validation split of {val_fraction}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return order[n_val:], order[:n_val]


# ---- the loop -------------------------------------------------------------------------------------

def _loss_terms(output) -> dict[str, torch.Tensor]:
    terms = output if isinstance(output, dict) else {"loss": output}
    if "loss" not in terms:
        raise ValueError("module.loss(...) must return a tensor or a dict with a 'loss' entry")
    return terms


def _run_epoch(module, rows: Rows, batches, device, optimizer=None, grad_clip=None) -> dict[str, float]:
    """One pass over ``batches`` (index tensors into ``rows``); trains when an optimiser is given.
    Returns the mean of every loss term, weighted by batch size. Terms are summed as tensors and
    read once at the end of the epoch (no device synchronisation per minibatch)."""
    sums: dict[str, torch.Tensor] = {}
    seen = 0
    module.train(optimizer is not None)
    with torch.set_grad_enabled(optimizer is not None):
        for index in batches:
            index = torch.as_tensor(index)
            batch = [part.to(device, non_blocking=True) for part in rows.take(index)]
            terms = _loss_terms(module.loss(*batch))
            if optimizer is not None:
                optimizer.zero_grad(set_to_none=True)
                terms["loss"].backward()
                if grad_clip is not None:
                    nn.utils.clip_grad_norm_(module.parameters(), grad_clip)
                optimizer.step()
            size = len(index)
            seen += size
            for name, value in terms.items():
                weighted = value.detach().double() * size
                sums[name] = sums[name] + weighted if name in sums else weighted
    return {name: float(total) / seen for name, total in sums.items()}


def fit(
    module: nn.Module,
    data,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Callable[[torch.optim.Optimizer], object] | None = None,
    batches: Iterable | None = None,
    val_data=None,
    val_fraction: float | None = None,
    patience: int | None = None,
    on_epoch_start: Callable[[int], None] | None = None,
    grad_clip: float | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    desc: str = "training",
) -> History:
    """Train ``module`` by minimising ``module.loss(*batch)`` and return its :class:`History`.

    ``data`` is an array, a tensor or a scipy-sparse matrix, or a tuple of them with one row per
    sample; each minibatch passes the rows of every part to ``module.loss``. ``batches``, if
    given, is an iterable of index arrays, iterated again every epoch (for example a
    :class:`~latentbio.data.group_sampler.BalancedGroupSampler`); otherwise every epoch is a
    seeded shuffle cut into ``batch_size`` slices (module docstring). Validation data come from
    ``val_data`` or from a random ``val_fraction`` of ``data``; with ``patience``, training stops
    after that many epochs without a better validation loss and the best weights are restored.
    ``optimizer`` defaults to :func:`adam` with ``lr`` over all parameters; ``scheduler(optimizer)``
    builds a learning-rate schedule stepped once per epoch; ``on_epoch_start(epoch)`` lets a
    module change with time (see :func:`ramp_attribute`). Shuffling is seeded with ``seed``.
    """
    epochs = check_integer(epochs, "epochs", minimum=1)
    batch_size = check_integer(batch_size, "batch_size", minimum=1)
    if patience is not None and val_data is None and val_fraction is None:
        raise ValueError("early stopping (patience) needs val_data or val_fraction")
    if val_data is not None and val_fraction is not None:
        raise ValueError("give val_data or val_fraction, not both")
    if batches is not None and val_fraction is not None:
        raise ValueError("val_fraction cannot split custom batches; give val_data instead")

    reapply_thread_policy()
    device = torch.device(device) if device is not None else get_device()
    module.to(device)
    generator = torch.Generator().manual_seed(seed)
    rows = Rows(data)
    val_rows = Rows(val_data) if val_data is not None else None
    if val_fraction is not None:
        train_index, val_index = split_rows(len(rows), val_fraction, seed)
        rows, val_rows = rows.subset(train_index), rows.subset(val_index)
    val_batches = None
    if val_rows is not None:
        val_batches = [torch.arange(len(val_rows))[part] for part in batch_slices(len(val_rows), max(batch_size, 1024))]

    optimizer = optimizer or adam(module.parameters(), lr)
    schedule = scheduler(optimizer) if scheduler is not None else None
    history = History()
    best_loss, best_state, waited = float("inf"), None, 0
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=desc, disable=not progress_enabled(), leave=False)
    for epoch in bar:
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        epoch_batches = batches if batches is not None else shuffled_batches(len(rows), batch_size, generator)
        for name, value in _run_epoch(module, rows, epoch_batches, device, optimizer, grad_clip).items():
            history.train.setdefault(name, []).append(value)
        if schedule is not None:
            schedule.step()
        postfix = {"loss": history.train["loss"][-1]}
        if val_rows is not None:
            for name, value in _run_epoch(module, val_rows, val_batches, device).items():
                history.val.setdefault(name, []).append(value)
            val_loss = history.val["loss"][-1]
            postfix["val_loss"] = val_loss
            if val_loss < best_loss:
                best_loss, waited, history.best_epoch = val_loss, 0, epoch
                if patience is not None:
                    best_state = {key: value.detach().clone() for key, value in module.state_dict().items()}
            else:
                waited += 1
        bar.set_postfix(postfix)
        if patience is not None and waited >= patience:
            break
    if best_state is not None:
        module.load_state_dict(best_state)
    if history.best_epoch < 0:
        history.best_epoch = history.n_epochs - 1
    history.seconds = time.perf_counter() - start
    module.eval()
    return history


def predict_in_batches(function: Callable[..., torch.Tensor], data, batch_size: int = 1024,
                       device: torch.device | None = None) -> torch.Tensor:
    """Apply ``function`` to the rows of ``data`` (an array, tensor or scipy-sparse matrix, or a
    tuple of them whose rows go to ``function`` together) in minibatches, without gradients;
    return the results concatenated on the CPU."""
    device = device or get_device()
    rows = Rows(data)
    index = torch.arange(len(rows))
    with torch.inference_mode():
        parts = [function(*[part.to(device) for part in rows.take(index[start:start + batch_size])]).cpu()
                 for start in range(0, len(rows), batch_size)]
    return torch.cat(parts)


__all__ = ["History", "fit", "adam", "predict_in_batches", "linear_ramp", "ramp_attribute", "cosine_schedule",
           "batch_slices", "Rows"]
