"""Chapter 5's table (``ch05_ood``): every Kang cell type held out in turn, in both protocols.

- scGen's perturbation task (:func:`latentbio.experiments.ch05_scgen_task.scgen_task_rows`): the
  stimulated cells of one type are held out and predicted from that type's control cells.
- The paper's protocol (:func:`latentbio.experiments.ch05_paper_protocol.paper_protocol_rows`): a
  whole cell type is held out and predicted by traversing the cell-type dimension from every other type.

A claim of the chapter rests on all seven held-out types (the cases). The paper's protocol, the
chapter's main experiment, gets every seed on every type, and a type's score is the mean of its seeds
(:func:`type_means`). scGen's task gets one seed per type, the seeds spread over the types
(:func:`table_plan`); the one type whose single case is a point of its own (FCGR3A+Mono, where latent
arithmetic fails in scGen's task) gets every seed.
"""

import dataclasses
import functools
import time
import warnings

import pandas as pd

from ..data import load_kang2018
from .ch05_paper_protocol import paper_protocol_rows
from .ch05_scgen_task import CHAPTER_SETTINGS, scgen_task_rows
from .tables import TableSpec, compute, load_or_compute, write

PROTOCOLS = {"scgen_task": scgen_task_rows, "paper_protocol": paper_protocol_rows}
CELL_TYPES = ["CD4T", "CD14+Mono", "B", "CD8T", "NK", "FCGR3A+Mono", "Dendritic"]
"""The Kang data's cell types, in the order of its categories."""
SETTINGS = {**CHAPTER_SETTINGS, "cell_types": CELL_TYPES, "seeds": 3,
            "all_seeds": [["scgen_task", "FCGR3A+Mono"]] + [["paper_protocol", cell_type] for cell_type in CELL_TYPES]}
"""The models' settings (:data:`CHAPTER_SETTINGS`) and the plan's: the held-out types, the number of
seeds spread over them, and the (protocol, cell type) cases that get every seed."""
SEEDS = SETTINGS["seeds"]


def table_plan(cell_types, settings: dict = SETTINGS) -> list[tuple[str, str, list[int]]]:
    """The table's tasks, ``(protocol, cell type, seeds)``: the i-th cell type (in the given order)
    gets seed ``i % seeds`` in both protocols, so the seeds are spread over the types; the cases of
    ``settings["all_seeds"]`` get every seed. Longest tasks first (for the worker pool)."""
    every = {tuple(case) for case in settings["all_seeds"]}
    n_seeds = settings["seeds"]
    tasks = [(protocol, cell_type, list(range(n_seeds)) if (protocol, cell_type) in every else [i % n_seeds])
             for i, cell_type in enumerate(cell_types) for protocol in PROTOCOLS]
    return sorted(tasks, key=lambda task: -len(task[2]))


def tasks(settings: dict = SETTINGS) -> list:
    """The plan of :func:`table_plan` for ``settings["cell_types"]``."""
    return table_plan(settings["cell_types"], settings)


def load_data(settings: dict):
    """What every task reads: the Kang data (through the dataset registry)."""
    return load_kang2018()


def run_task(task, settings: dict, adata) -> list[dict]:
    """One (protocol, cell type, seeds) task of the plan on ``adata``; its rows carry the task's CPU seconds."""
    protocol, cell_type, seeds = task
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scanpy's tests on genes that are all zero in a group
        rows = PROTOCOLS[protocol](adata, cell_type, seeds, settings=settings)
    first = ["protocol", "cell_type", "method", "seed"]
    for row in rows:
        row["task_cpu_s"] = round(time.process_time() - start, 1)
    return [{key: row[key] for key in first} | {k: v for k, v in row.items() if k not in first} for row in rows]


def sample(settings: dict) -> list:
    """What ``make test`` recomputes: the first cell type in the paper's protocol (every seed) and in
    scGen's task (its one seed)."""
    first = settings["cell_types"][0]
    return [task for task in tasks(settings) if task[1] == first]


TABLE = TableSpec("ch05_ood", SETTINGS, tasks, run_task, keys=("protocol", "cell_type", "method", "seed"),
                  tolerance={"*": 0.02, "epochs": 0}, prepare=load_data, sample=sample)
"""Chapter 5's table: one row per (protocol, held-out type, method, seed); anchors have seed -1."""


def _given(adata, settings):
    return adata


def compute_on(adata, settings: dict, *, workers: int = 1, folder=None) -> pd.DataFrame:
    """The table on other data (``obs`` with a categorical ``cell_type`` and ``condition``; for
    tests and readers' own data), written to ``folder`` when given."""
    spec = dataclasses.replace(TABLE, settings=settings, prepare=functools.partial(_given, adata))
    table, meta = compute(spec, settings, workers=workers)
    if folder is not None:
        write(table, meta, folder)
    return table


def with_case_column(table: pd.DataFrame, settings: dict = SETTINGS) -> pd.DataFrame:
    """``table`` with the column ``one_case_per_type``: True for the anchors and for each type's seed
    in the spread plan (one case per held-out type, for scGen's task's claims over all types; the
    paper's protocol averages every seed of a type instead, :func:`type_means`)."""
    spread_seed = {cell_type: i % settings["seeds"] for i, cell_type in enumerate(settings["cell_types"])}
    table = table.copy()
    table["one_case_per_type"] = (table["seed"] < 0) | (table["seed"] == table["cell_type"].map(spread_seed))
    return table


def type_means(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (protocol, held-out type, method): each numeric column's mean over the seeds, with
    ``n_seeds`` (0 for the anchors) and ``seed`` -1, so that :func:`~.ch05_scgen_task.paired_cases`
    pairs methods by held-out type (each type one case, its score the mean of its seeds)."""
    keys = ["protocol", "cell_type", "method"]
    numeric = [c for c in rows.columns if c not in keys + ["seed", "one_case_per_type"]
               and pd.api.types.is_numeric_dtype(rows[c])]
    means = rows.groupby(keys, sort=False)[numeric].mean().reset_index()
    seeds = rows.groupby(keys, sort=False)["seed"].apply(lambda s: int((s >= 0).sum())).reset_index(name="n_seeds")
    return means.merge(seeds, on=keys).assign(seed=-1)


def load_ood_table(settings: dict = SETTINGS) -> pd.DataFrame:
    """The chapter's table (shipped, or computed here when it does not fit ``settings``: about
    25 CPU minutes), with :func:`with_case_column`."""
    return with_case_column(load_or_compute(TABLE, settings), settings)
