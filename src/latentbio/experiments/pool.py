"""The one worker pool of the course's tables: tasks side by side in fresh processes.

The tasks of a table (one seed, one held-out cell type, ...) are independent. On the course's
2-core machine they run in worker processes of one torch thread each, which keeps both cores
busy; each worker is a fresh ("spawn") process, because a fork of a process that has already run
torch can crash. Every task seeds itself (:func:`latentbio.seed_everything` inside the training
functions), so a task gives the same result in a worker and in this process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from tqdm.auto import tqdm

from ..checks import check_integer
from ..device import configure
from ..progress import progress_enabled


def _prepare_worker(initializer: Callable | None, initargs: tuple) -> None:
    """Set up one worker process of :func:`map_tasks`: one torch thread, then ``initializer``."""
    configure(1)
    if initializer is not None:
        initializer(*initargs)


def map_tasks(function: Callable, tasks: list, *, workers: int = 1, desc: str = "tasks",
              initializer: Callable | None = None, initargs: tuple = ()) -> list:
    """``[function(task) for task in tasks]``, in order, with a progress bar.

    ``workers`` > 1 runs the tasks in that many fresh processes of one torch thread each, each
    prepared once by ``initializer(*initargs)``; ``function`` and ``initializer`` must then be
    module-level functions (or :func:`functools.partial` of them). With ``workers`` = 1 everything
    runs here, after ``initializer``, with this process's threads.
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


__all__ = ["map_tasks"]
