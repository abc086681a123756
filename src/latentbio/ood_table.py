"""Chapter 5's table: every Kang cell type held out in turn, in both protocols.

- scGen's perturbation task (:func:`latentbio.ood_protocol.scgen_task_rows`): the stimulated cells
  of one type are held out and predicted from that type's control cells.
- The paper's protocol (:func:`latentbio.traversal_protocol.paper_protocol_rows`): a whole cell
  type is held out and predicted by traversing the cell-type dimension from every other type.

A claim of the chapter rests on all seven held-out types (the cases), one seed each, the seeds
spread over the types (:func:`table_plan`); the one type whose single case is a point of its own
(FCGR3A+Mono, where latent arithmetic fails in scGen's task) gets three seeds. The plan costs
about 11 CPU minutes (5-6 minutes on two cores with two workers); ``scripts/ch05_ood_table.py``
(``make tables``) writes it before the notebooks run, and the notebook computes it itself when
the file is absent.
"""

import json
import time
import warnings
from pathlib import Path

import pandas as pd

from .data import load_kang2018
from .device import configure
from .ood_protocol import CHAPTER_SETTINGS, scgen_task_rows
from .replicates import map_tasks
from .traversal_protocol import paper_protocol_rows



def default_table_path() -> Path:
    """``_build/ch05_ood_table.csv`` of the course repository when the package runs from its checkout
    (where ``make tables`` writes it), otherwise of the current folder (e.g. on Colab)."""
    root = Path(__file__).resolve().parents[2]
    return (root if (root / "pyproject.toml").exists() else Path.cwd()) / "_build" / "ch05_ood_table.csv"


TABLE_PATH = default_table_path()
PROTOCOLS = {"scgen_task": scgen_task_rows, "paper_protocol": paper_protocol_rows}
SEEDS = 3
ALL_SEEDS = {("scgen_task", "FCGR3A+Mono")}
"""(protocol, cell type) cases that get every one of the :data:`SEEDS` seeds."""


def table_plan(cell_types) -> list[tuple[str, str, list[int]]]:
    """The table's tasks, ``(protocol, cell type, seeds)``: the i-th cell type (in the given order)
    gets seed ``i % SEEDS`` in both protocols, so the seeds are spread over the types; the cases of
    :data:`ALL_SEEDS` get all seeds. Longest tasks first (for the worker pool)."""
    tasks = [(protocol, cell_type, list(range(SEEDS)) if (protocol, cell_type) in ALL_SEEDS else [i % SEEDS])
             for i, cell_type in enumerate(cell_types) for protocol in PROTOCOLS]
    return sorted(tasks, key=lambda task: -len(task[2]))


_WORKER = {}
"""What every task of a worker process reads: the data and the settings (set by :func:`start_worker`)."""


def start_worker(adata, settings) -> None:
    """Prepare this process for :func:`run_task`: one torch thread, the data and the settings."""
    configure(1)
    _WORKER.update(adata=adata, settings=settings)


def run_task(task) -> list[dict]:
    """One (protocol, cell type, seeds) task of the plan, in a process prepared by
    :func:`start_worker`; its rows carry the task's CPU seconds."""
    protocol, cell_type, seeds = task
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scanpy's tests on genes that are all zero in a group
        rows = PROTOCOLS[protocol](_WORKER["adata"], cell_type, seeds, settings=_WORKER["settings"])
    for row in rows:
        row["task_cpu_s"] = round(time.process_time() - start, 1)
    return rows


def compute_ood_table(path=TABLE_PATH, *, workers: int = 1, adata=None, settings=None) -> pd.DataFrame:
    """Run every task of :func:`table_plan` on ``adata`` (default: the Kang data; ``obs`` with a
    categorical ``cell_type`` and ``condition``) with :data:`CHAPTER_SETTINGS` updated by ``settings``,
    in this process with a progress bar when ``workers`` is 1, else in ``workers`` fresh processes of one
    thread each; write the table to ``path`` (CSV) and the settings, plan and timings beside it
    (``.json``). Returns the table."""
    path = Path(path)
    adata = load_kang2018() if adata is None else adata
    cell_types = list(adata.obs["cell_type"].cat.categories)
    tasks = table_plan(cell_types)
    start = time.perf_counter()
    rows = [row for result in map_tasks(run_task, tasks, workers=workers, desc="chapter 5 table",
                                        initializer=start_worker, initargs=(adata, settings))
            for row in result]
    table = pd.DataFrame(rows)
    first = ["protocol", "cell_type", "method", "seed"]
    table = table[first + [c for c in table.columns if c not in first]]
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    cpu = table.groupby(["protocol", "cell_type"])["task_cpu_s"].first().sum()
    path.with_suffix(".json").write_text(json.dumps(
        {"settings": {**CHAPTER_SETTINGS, **(settings or {})}, "cell_types": cell_types, "plan": tasks,
         "workers": workers, "wall_s": round(time.perf_counter() - start, 1), "task_cpu_s": round(float(cpu), 1)},
        indent=1))
    return table


def load_ood_table(path=TABLE_PATH) -> pd.DataFrame:
    """The table at ``path``, checked: made with :data:`CHAPTER_SETTINGS` and the plan of
    :func:`table_plan` (read from the JSON file beside it), every planned (protocol, cell type,
    seed) present. Adds the column ``one_case_per_type``: True for the anchors and for each type's
    seed in the spread plan (one case per held-out type, for claims over all types). Raises ``FileNotFoundError`` with the command that makes it, ``ValueError``
    for a stale or incomplete table."""
    path = Path(path)
    if not path.exists() or not path.with_suffix(".json").exists():
        raise FileNotFoundError(f"{path} is missing: run `make tables` (scripts/ch05_ood_table.py, about "
                                "11 CPU minutes) or latentbio.ood_table.compute_ood_table()")
    meta = json.loads(path.with_suffix(".json").read_text())
    written = {key: tuple(value) if isinstance(value, list) else value for key, value in meta["settings"].items()}
    if written != CHAPTER_SETTINGS:
        raise ValueError(f"{path} was made with other settings than CHAPTER_SETTINGS; make it again")
    plan = [list(task) for task in table_plan(meta.get("cell_types", []))]
    if not plan or meta.get("plan") != plan:
        raise ValueError(f"{path} was made with another plan than table_plan(); make it again")
    table = pd.read_csv(path)
    planned = {(protocol, cell_type, seed) for protocol, cell_type, seeds in plan for seed in seeds}
    found = set(map(tuple, table.loc[table["seed"] >= 0, ["protocol", "cell_type", "seed"]].to_numpy().tolist()))
    missing = planned - found
    if missing:
        raise ValueError(f"{path} lacks the planned cases {sorted(missing)}; make it again")
    spread_seed = {cell_type: i % SEEDS for i, cell_type in enumerate(meta["cell_types"])}
    table["one_case_per_type"] = (table["seed"] < 0) | (table["seed"] == table["cell_type"].map(spread_seed))
    return table
