"""Minibatches that draw equally from every group (multiGroupVI's training data, Weinberger et al. 2022).

The official code concatenates one minibatch per group at every step (scvi-tools'
``ConcatDataLoader``), so that a small group weighs as much as a large one in each
gradient step. :class:`BalancedGroupSampler` does the same as a PyTorch sampler: each
item it yields is the list of indices of one balanced minibatch.
"""

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import Sampler

from ..checks import check_integer, check_labels, encode_labels


class BalancedGroupSampler(Sampler[list[int]]):
    """Yields minibatches of ``per_group`` indices from every group (``n_groups * per_group`` in all).

    ``groups`` holds one group label per sample: integers 0, ..., n_groups - 1 (the group index a
    model uses; every group must have samples), or strings or categories (see
    :func:`latentbio.checks.encode_labels`; every category of a Categorical must have samples).
    An epoch lasts until the largest group has been seen once; smaller groups are reshuffled and
    drawn again when they run out, as in the official code. Shuffling is seeded with ``seed``;
    every epoch continues the same random stream, so two samplers with one seed agree.
    """

    def __init__(self, groups, per_group: int = 128, seed: int = 0):
        values = check_labels(groups, name="groups")
        if values.dtype.kind in "iub":
            if values.min() < 0:
                raise ValueError(f"integer groups must be 0, 1, ..., n_groups - 1; got {values.min()}")
            codes, names = values.astype(np.int64), np.arange(values.max() + 1)
        else:
            codes, names = encode_labels(groups, name="groups")
        per_group = check_integer(per_group, "per_group", minimum=1)
        seed = check_integer(seed, "seed", minimum=0)
        self.members = [np.flatnonzero(codes == g) for g in range(len(names))]
        empty = [str(names[g]) for g, members in enumerate(self.members) if len(members) == 0]
        if empty:
            raise ValueError(f"group(s) {empty} have no samples; drop unused categories "
                             "(e.g. groups.remove_unused_categories())")
        self.n_samples = len(codes)
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
