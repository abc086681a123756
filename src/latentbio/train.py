"""The one training loop of the course.

Every model exposes ``loss(*batch)``, returning either a scalar tensor or a dict of
scalar tensors whose ``"loss"`` entry is minimised (the other entries, such as the
reconstruction and KL terms of a VAE, are only recorded). :func:`fit` does the rest:
minibatches, the optimiser, the device, a progress bar, a per-epoch history and
optional early stopping on a validation split.
"""

from __future__ import annotations

import copy
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset
from tqdm.auto import tqdm

from .device import get_device
from .progress import progress_enabled


@dataclass
class History:
    """What happened during :func:`fit`.

    ``train`` and ``val`` map each loss term to its per-epoch mean (weighted by batch
    size); ``best_epoch`` is the epoch whose weights were kept when early stopping
    was used (else the last epoch); ``seconds`` is the wall time of training.
    """

    train: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    val: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    best_epoch: int = -1
    seconds: float = 0.0

    @property
    def n_epochs(self) -> int:
        """Number of epochs actually run."""
        return len(self.train.get("loss", []))


def as_dataset(data) -> Dataset:
    """Turn a tensor, an array or a tuple of them into a ``TensorDataset``.

    A ``Dataset`` is returned unchanged. All tensors must share their first dimension.
    """
    if isinstance(data, Dataset):
        return data
    tensors = data if isinstance(data, (tuple, list)) else (data,)
    tensors = [torch.as_tensor(np.asarray(t)) if not torch.is_tensor(t) else t for t in tensors]
    if not tensors:
        raise ValueError("no data given to train on")
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise ValueError(f"all tensors must have the same length; got {[len(t) for t in tensors]}")
    if n == 0:
        raise ValueError("the training data are empty")
    return TensorDataset(*tensors)


def split_dataset(dataset: Dataset, val_fraction: float, seed: int = 0) -> tuple[Subset, Subset]:
    """Split a dataset at random into (train, validation) parts, reproducibly."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    n = len(dataset)
    n_val = max(1, int(round(val_fraction * n)))
    if n_val >= n:
        raise ValueError(f"{n} samples are too few for a validation split of {val_fraction}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(dataset, order[n_val:]), Subset(dataset, order[:n_val])


def _to_device(batch, device):
    if torch.is_tensor(batch):
        return (batch.to(device),)
    return tuple(t.to(device) if torch.is_tensor(t) else t for t in batch)


def _loss_terms(output) -> dict[str, torch.Tensor]:
    terms = output if isinstance(output, dict) else {"loss": output}
    if "loss" not in terms:
        raise ValueError("model.loss(...) must return a tensor or a dict with a 'loss' entry")
    return terms


def _run_epoch(model, loader, device, optimizer=None, grad_clip=None) -> dict[str, float]:
    """One pass over ``loader``; trains when an optimiser is given. Returns mean terms."""
    sums: dict[str, float] = defaultdict(float)
    seen = 0
    model.train(optimizer is not None)
    with torch.set_grad_enabled(optimizer is not None):
        for batch in loader:
            batch = _to_device(batch, device)
            terms = _loss_terms(model.loss(*batch))
            if optimizer is not None:
                optimizer.zero_grad(set_to_none=True)
                terms["loss"].backward()
                if grad_clip is not None:
                    nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
                optimizer.step()
            size = len(batch[0])
            seen += size
            for name, value in terms.items():
                sums[name] += float(value.detach()) * size
    return {name: total / seen for name, total in sums.items()}


def fit(
    model: nn.Module,
    train_data,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Callable[[torch.optim.Optimizer], object] | None = None,
    val_data=None,
    val_fraction: float | None = None,
    patience: int | None = None,
    on_epoch_start: Callable[[int], None] | None = None,
    grad_clip: float | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    desc: str = "training",
) -> History:
    """Train ``model`` by minimising ``model.loss(*batch)`` and return its :class:`History`.

    ``train_data`` is a tensor, an array, a tuple of them, a ``Dataset`` or a ready
    ``DataLoader`` (for a custom sampler, e.g. balanced groups). Validation data come
    from ``val_data`` or from a random ``val_fraction`` of the training data; with
    ``patience``, training stops after that many epochs without a better validation
    loss and the best weights are restored. ``optimizer`` defaults to Adam with ``lr``
    over all parameters; ``scheduler(optimizer)`` builds a learning-rate schedule
    stepped once per epoch; ``on_epoch_start(epoch)`` lets a model change with time
    (a KL warm-up, a capacity ramp). Shuffling is seeded with ``seed``.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if patience is not None and val_data is None and val_fraction is None:
        raise ValueError("early stopping (patience) needs val_data or val_fraction")
    if val_data is not None and val_fraction is not None:
        raise ValueError("give val_data or val_fraction, not both")

    device = torch.device(device) if device is not None else get_device()
    model.to(device)
    generator = torch.Generator().manual_seed(seed)
    if isinstance(train_data, DataLoader):
        train_loader = train_data
    else:
        dataset = as_dataset(train_data)
        if val_fraction is not None:
            dataset, val_data = split_dataset(dataset, val_fraction, seed)
        train_loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)
    val_loader = None
    if val_data is not None:
        val_loader = val_data if isinstance(val_data, DataLoader) else DataLoader(
            as_dataset(val_data), batch_size=max(batch_size, 1024))

    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    schedule = scheduler(optimizer) if scheduler is not None else None
    history = History()
    best_loss, best_state, waited = float("inf"), None, 0
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=desc, disable=not progress_enabled(), leave=False)
    for epoch in bar:
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        for name, value in _run_epoch(model, train_loader, device, optimizer, grad_clip).items():
            history.train[name].append(value)
        if schedule is not None:
            schedule.step()
        postfix = {"loss": history.train["loss"][-1]}
        if val_loader is not None:
            for name, value in _run_epoch(model, val_loader, device).items():
                history.val[name].append(value)
            val_loss = history.val["loss"][-1]
            postfix["val_loss"] = val_loss
            if val_loss < best_loss:
                best_loss, waited, history.best_epoch = val_loss, 0, epoch
                if patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
        bar.set_postfix(postfix)
        if patience is not None and waited >= patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    if history.best_epoch < 0:
        history.best_epoch = history.n_epochs - 1
    history.train, history.val = dict(history.train), dict(history.val)
    history.seconds = time.perf_counter() - start
    model.eval()
    return history


def predict_in_batches(function: Callable[[torch.Tensor], torch.Tensor], data, batch_size: int = 1024,
                       device: torch.device | None = None) -> torch.Tensor:
    """Apply ``function`` to ``data`` in minibatches without gradients; return the
    results concatenated on the CPU. ``data`` is a tensor or an array."""
    device = device or get_device()
    data = torch.as_tensor(np.asarray(data)) if not torch.is_tensor(data) else data
    with torch.no_grad():
        parts = [function(data[i:i + batch_size].to(device)).cpu() for i in range(0, len(data), batch_size)]
    return torch.cat(parts)


__all__ = ["History", "fit", "as_dataset", "split_dataset", "predict_in_batches"]
