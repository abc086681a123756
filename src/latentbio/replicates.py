"""One experiment, several seeds: the runs side by side in worker processes when the CPU has cores to spare.

A claim of the course rests on at least three seeds (mean and standard error). The runs of
different seeds are independent, so on a CPU they can go to separate worker processes, each
with the course's thread policy (:func:`latentbio.configure`); with one thread per process, as
on the course's 2-core machine, that is what keeps both cores busy. On a GPU the runs go one
after the other in this process (the GPU is the parallel part there).

Each run starts from :func:`latentbio.seed_everything` with its seed, so a run gives the same
result in a worker and in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import torch
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

from .checks import check_integer
from .device import configure, get_device
from .seed import seed_everything


def _run_seed(function: Callable, seed: int, threads: int):
    """``function(seed)`` after setting the thread count and every random generator (one worker's job)."""
    configure(threads)
    seed_everything(seed)
    return function(seed)


def run_replicates(function: Callable[[int], object], seeds: Iterable[int], *, n_jobs: int | None = None) -> list:
    """``[function(seed) for seed in seeds]``, each call seeded with :func:`latentbio.seed_everything`.

    ``n_jobs`` worker processes run the calls side by side (joblib's ``loky`` backend, which also
    ships functions defined in a notebook); each worker uses this process's number of torch
    threads. The default is one worker per seed on a CPU, at most one more than the CPU has cores
    (a third run shares the two cores of a 2-core machine rather than waiting for a free one), and
    no workers on a GPU. ``n_jobs=1`` runs everything here, one seed after the other. What
    ``function`` returns (numbers, tables, trained models) comes back in the order of ``seeds``.
    """
    seeds = [check_integer(seed, "seed", minimum=0) for seed in seeds]
    if not seeds:
        raise ValueError("give at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"each seed must be given once; got {seeds}")
    if n_jobs is None:
        on_gpu = get_device().type == "cuda"
        n_jobs = 1 if on_gpu else min(len(seeds), (os.cpu_count() or 1) + 1)
    n_jobs = check_integer(n_jobs, "n_jobs", minimum=1)
    threads = torch.get_num_threads()
    if n_jobs == 1:
        return [_run_seed(function, seed, threads) for seed in seeds]
    # max_nbytes=None: arrays travel to the workers as plain copies (joblib would otherwise hand
    # large ones over as read-only memory maps, which torch warns about)
    results = Parallel(n_jobs=n_jobs, backend="loky", max_nbytes=None)(
        delayed(_run_seed)(function, seed, threads) for seed in seeds)
    get_reusable_executor().shutdown(wait=True)  # give the workers' memory back now, not after joblib's idle timeout
    return results


__all__ = ["run_replicates"]
