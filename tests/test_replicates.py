import numpy as np
import pytest
import torch

from latentbio.replicates import map_tasks, run_replicates


def draw(seed):
    """What a seeded run returns: its seed, a torch and a NumPy random draw, and the thread count."""
    return seed, float(torch.rand(1)), float(np.random.rand()), torch.get_num_threads()


def test_each_run_is_seeded_and_results_keep_the_order_of_the_seeds():
    results = run_replicates(draw, [2, 0, 1], n_jobs=1)
    assert [result[0] for result in results] == [2, 0, 1]
    again = run_replicates(draw, [1, 2], n_jobs=1)
    assert again == [results[2], results[0]]
    assert len({result[1] for result in results}) == 3


def test_workers_give_the_same_results_as_this_process():
    torch.set_num_threads(1)
    here = run_replicates(draw, [0, 1, 2], n_jobs=1)
    # a notebook's functions travel too (loky pickles them by value)
    in_workers = run_replicates(lambda seed: draw(seed), [0, 1, 2], n_jobs=2)
    assert in_workers == here


@pytest.mark.parametrize("seeds, n_jobs, message", [
    ([], None, "at least one seed"),
    ([0, 0], None, "once"),
    ([-1], None, "seed"),
    ([0], 0, "n_jobs"),
])
def test_bad_arguments(seeds, n_jobs, message):
    with pytest.raises(ValueError, match=message):
        run_replicates(draw, seeds, n_jobs=n_jobs)


def test_map_tasks_keeps_the_order_in_workers_and_here():
    import math

    assert map_tasks(math.sqrt, [1, 4, 9, 16], workers=2) == [1.0, 2.0, 3.0, 4.0]
    prepared = []
    assert map_tasks(math.sqrt, [4], initializer=prepared.append, initargs=("here",)) == [2.0]
    assert prepared == ["here"]
    with pytest.raises(ValueError, match="workers"):
        map_tasks(math.sqrt, [4], workers=0)
