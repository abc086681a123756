"""Minibatches that draw equally from every group (multiGroupVI's training data, Weinberger et al. 2022).

The official code concatenates one minibatch per group at every step (scvi-tools'
``ConcatDataLoader``), so that a small group weighs as much as a large one in each
gradient step. :class:`BalancedGroupSampler` does the same as a PyTorch sampler: each
item it yields is the list of indices of one balanced minibatch.
"""

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset


class BalancedGroupSampler(Sampler[list[int]]):
    """Yields minibatches of ``per_group`` indices from every group (``n_groups * per_group`` in all).

    ``groups`` holds one integer group label per sample (0, ..., n_groups - 1). An epoch
    lasts until the largest group has been seen once; smaller groups are reshuffled and
    drawn again when they run out, as in the official code. Shuffling is seeded with ``seed``;
    every epoch continues the same random stream, so two samplers with one seed agree.
    """

    def __init__(self, groups, per_group: int = 128, seed: int = 0):
        groups = np.asarray(groups)
        if groups.ndim != 1 or len(groups) == 0:
            raise ValueError(f"groups must be a non-empty 1-D array of group labels; got shape {groups.shape}")
        if not np.issubdtype(groups.dtype, np.integer) or groups.min() < 0:
            raise ValueError("groups must hold non-negative integer labels (0, 1, ...)")
        if per_group < 1:
            raise ValueError(f"per_group must be at least 1, got {per_group}")
        n_groups = int(groups.max()) + 1
        self.members = [np.flatnonzero(groups == g) for g in range(n_groups)]
        empty = [g for g, members in enumerate(self.members) if len(members) == 0]
        if empty:
            raise ValueError(f"group(s) {empty} have no samples; labels must be 0, ..., n_groups - 1 without gaps")
        self.per_group = per_group
        self.generator = torch.Generator().manual_seed(seed)
        self.n_batches = int(np.ceil(max(len(m) for m in self.members) / per_group))

    def __len__(self) -> int:
        return self.n_batches

    def _stream(self, members: np.ndarray) -> Iterator[int]:
        """The members of one group in random order, reshuffled at every pass, without end."""
        while True:
            yield from members[torch.randperm(len(members), generator=self.generator).numpy()].tolist()

    def __iter__(self) -> Iterator[list[int]]:
        streams = [self._stream(members) for members in self.members]
        for _ in range(self.n_batches):
            yield [next(stream) for stream in streams for _ in range(self.per_group)]


def balanced_group_loader(*tensors: torch.Tensor, groups, per_group: int = 128, seed: int = 0) -> DataLoader:
    """A ``DataLoader`` over ``tensors`` whose minibatches hold ``per_group`` samples of every group.

    The sampler yields whole minibatches of indices, and ``TensorDataset`` indexes all of them
    at once (``batch_size=None`` turns off per-sample collation), which keeps loading fast.
    """
    return DataLoader(TensorDataset(*tensors), sampler=BalancedGroupSampler(groups, per_group, seed),
                      batch_size=None)
