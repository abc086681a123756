import math

import pytest

from latentbio.experiments.pool import map_tasks


def test_map_tasks_keeps_the_order_in_workers_and_here():
    assert map_tasks(math.sqrt, [1, 4, 9, 16], workers=2) == [1.0, 2.0, 3.0, 4.0]
    prepared = []
    assert map_tasks(math.sqrt, [4], initializer=prepared.append, initargs=("here",)) == [2.0]
    assert prepared == ["here"]
    with pytest.raises(ValueError, match="workers"):
        map_tasks(math.sqrt, [4], workers=0)
