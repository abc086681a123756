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

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

import torch
from tqdm.auto import tqdm
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

from .checks import check_integer
from .device import configure, get_device
from .progress import progress_enabled
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


def _prepare_worker(initializer: Callable | None, initargs: tuple) -> None:
    """Set up one worker process of :func:`map_tasks`: one torch thread, then ``initializer``."""
    configure(1)
    if initializer is not None:
        initializer(*initargs)


def map_tasks(function: Callable, tasks: list, *, workers: int = 1, desc: str = "tasks",
              initializer: Callable | None = None, initargs: tuple = ()) -> list:
    """``[function(task) for task in tasks]`` with a progress bar, for the tables of the ``scripts/``.

    ``workers`` > 1 runs the tasks in that many fresh ("spawn") processes of one torch thread each,
    each prepared once by ``initializer(*initargs)`` (a fork of a process that has already run
    torch can crash). ``function`` and ``initializer`` must be module-level functions. With
    ``workers`` = 1 everything runs here, after ``initializer``, with this process's threads.
    """
    workers = check_integer(workers, "workers", minimum=1)
    bar = tqdm(total=len(tasks), desc=desc, disable=not progress_enabled())
    results = []
    if workers == 1:
        if initializer is not None:
            initializer(*initargs)
        for task in tasks:
            results.append(function(task))
            bar.update()
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_prepare_worker, initargs=(initializer, initargs)) as pool:
            for result in pool.map(function, tasks):
                results.append(result)
                bar.update()
    bar.close()
    return results


__all__ = ["map_tasks", "run_replicates"]
