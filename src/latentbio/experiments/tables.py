"""The course's tables: computed by one command, shipped with the package, read by the chapters.

A table is many trained models (seeds x settings, or every held-out cell type): more than a
chapter's three minutes. :class:`TableSpec` describes one; :func:`compute` runs its tasks in the
worker pool (:func:`latentbio.experiments.pool.map_tasks`) and :func:`write` stores it as a CSV
with a JSON beside it (settings, plan, package version, seconds, and a fingerprint of the code it
ran). The tables the chapters read ship inside the package (``latentbio/experiments/tables/``), so
the book, Jupyter and Colab read them at once: :func:`load_or_compute` reads the shipped table
when it was made with the same settings, plan and package version, and otherwise computes it.

``python -m latentbio.experiments`` remakes any table; ``--check`` recomputes it from scratch and
compares it with the shipped one within the table's tolerances (:func:`differences`); ``--check
--sample`` recomputes only the table's sample (one task of each kind, :attr:`TableSpec.sample`) and
compares those rows.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .pool import map_tasks

SHIPPED = Path(__file__).with_name("tables")
"""Where the tables that ship with the course live."""
TIMING_COLUMNS = ("cpu_s", "wall_s", "task_cpu_s")
"""Columns that record seconds: kept, never compared."""


@dataclass(frozen=True)
class TableSpec:
    """One table of the course.

    ``tasks(settings)`` lists the tasks (the plan); ``run_task(task, settings, context)`` returns
    the table's rows for one task (a list of dicts); ``prepare(settings)``, if given, makes the
    ``context`` every task reads (data, a judge), once per worker. ``keys`` are the columns that
    name a row; ``tolerance`` is the largest absolute difference allowed per numeric column when
    a recomputed table is compared with the shipped one (``"*"``: every other numeric column).
    ``sample(settings)``, if given, lists the tasks that ``--check --sample`` recomputes: one task
    of each kind the table holds (default: the first task of the plan).
    """

    name: str
    settings: dict
    tasks: Callable[[dict], list]
    run_task: Callable[[object, dict, object], list]
    keys: tuple[str, ...]
    tolerance: dict = field(default_factory=lambda: {"*": 0.02})
    prepare: Callable[[dict], object] | None = None
    sample: Callable[[dict], list] | None = None

    def sample_tasks(self, settings: dict | None = None) -> list:
        """The tasks of the table's sample (:attr:`sample`), each one of the plan's."""
        settings = self.settings if settings is None else settings
        plan = self.tasks(settings)
        chosen = self.sample(settings) if self.sample is not None else plan[:1]
        foreign = [task for task in chosen if task not in plan]
        if foreign:
            raise ValueError(f"{self.name}: the sample names tasks outside the plan: {foreign}")
        return chosen


def jsonable(value):
    """``value`` as it reads back from JSON (tuples become lists), so that settings compare equal."""
    return json.loads(json.dumps(value))


_FINGERPRINT = """
import hashlib, sys
from pathlib import Path
import {module}
root = Path(sys.modules["latentbio"].__file__).resolve().parent
digest = hashlib.sha256()
for source in sorted(Path(m.__file__).resolve() for name, m in list(sys.modules.items())
                     if name.startswith("latentbio") and getattr(m, "__file__", None)):
    digest.update(str(source.relative_to(root)).encode() + source.read_bytes())
print(digest.hexdigest()[:16])
"""


def code_fingerprint(spec: TableSpec) -> str:
    """A hash of the source of every ``latentbio`` module that importing the table's module loads (in
    a fresh process, so the answer does not depend on what this one imported): the code the table
    depends on (``make tables`` remakes a table when it changes)."""
    script = _FINGERPRINT.format(module=spec.run_task.__module__)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    return subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True,
                          env=environment).stdout.strip()


_CONTEXT = {}


def _set_context(prepare, settings) -> None:
    _CONTEXT["value"] = prepare(settings) if prepare is not None else None


def _run(run_task, settings, task):
    return run_task(task, settings, _CONTEXT["value"])


def compute(spec: TableSpec, settings: dict | None = None, *, workers: int = 1, tasks: list | None = None
            ) -> tuple[pd.DataFrame, dict]:
    """Run every task of ``spec`` (with ``settings``, default ``spec.settings``), or only ``tasks``,
    in ``workers`` processes; returns the table and what :func:`write` stores beside it."""
    from .. import __version__

    settings = spec.settings if settings is None else settings
    tasks = spec.tasks(settings) if tasks is None else tasks
    start, cpu_start = time.perf_counter(), time.process_time()
    parts = map_tasks(functools.partial(_run, spec.run_task, settings), tasks, workers=workers,
                      desc=spec.name, initializer=_set_context, initargs=(spec.prepare, settings))
    table = pd.DataFrame([row for part in parts for row in part])
    meta = {"name": spec.name, "settings": jsonable(settings), "plan": jsonable(tasks), "version": __version__,
            "code": code_fingerprint(spec), "workers": workers, "wall_s": round(time.perf_counter() - start, 1),
            "cpu_s_main": round(time.process_time() - cpu_start, 1)}
    return table, meta


def paths(name: str, folder=SHIPPED) -> tuple[Path, Path]:
    """The CSV and the JSON of table ``name`` in ``folder``."""
    folder = Path(folder)
    return folder / f"{name}.csv", folder / f"{name}.json"


def write(table: pd.DataFrame, meta: dict, folder=SHIPPED) -> Path:
    """Store ``table`` (CSV) and ``meta`` (JSON) in ``folder``; returns the CSV's path."""
    csv, info = paths(meta["name"], folder)
    csv.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv, index=False)
    info.write_text(json.dumps(meta, indent=1) + "\n")
    return csv


def read(name: str, folder=SHIPPED) -> tuple[pd.DataFrame, dict]:
    """Table ``name`` and its JSON from ``folder``; ``FileNotFoundError`` with the command that makes it."""
    csv, info = paths(name, folder)
    if not csv.exists() or not info.exists():
        raise FileNotFoundError(f"{csv} is missing: make it with `python -m latentbio.experiments {name}`")
    return pd.read_csv(csv), json.loads(info.read_text())


def stale_reason(spec: TableSpec, meta: dict, settings: dict) -> str | None:
    """Why a stored table does not answer ``settings`` (other settings, plan or version), or None."""
    from .. import __version__

    if meta.get("settings") != jsonable(settings):
        return "it was made with other settings"
    if meta.get("plan") != jsonable(spec.tasks(settings)):
        return "it was made with another plan"
    if meta.get("version") != __version__:
        return f"it was made by latentbio {meta.get('version')}, this is {__version__}"
    return None


def load_or_compute(spec: TableSpec, settings: dict | None = None, *, folder=SHIPPED, workers: int = 1) -> pd.DataFrame:
    """Table ``spec.name`` from ``folder`` (default: the shipped tables) when it was made with
    ``settings`` (default ``spec.settings``), the same plan and this package version; otherwise
    computed here (minutes; a progress bar) and written to ``folder`` when it can be."""
    settings = spec.settings if settings is None else settings
    try:
        table, meta = read(spec.name, folder)
        reason = stale_reason(spec, meta, settings)
        if reason is None:
            return table
        print(f"The stored table {spec.name} does not fit: {reason}. Computing it here.")
    except FileNotFoundError:
        print(f"No stored table {spec.name}: computing it here.")
    table, meta = compute(spec, settings, workers=workers)
    try:
        write(table, meta, folder)
    except OSError as error:
        print(f"could not store the table in {folder} ({error}); it stays in memory")
    return table


def differences(spec: TableSpec, computed: pd.DataFrame, shipped: pd.DataFrame, *, sample: bool = False
                ) -> pd.DataFrame:
    """The rows where ``computed`` and ``shipped`` disagree: rows only one of them has, and rows
    whose numeric columns differ by more than ``spec.tolerance`` (NaN equals NaN; text columns
    must be equal; timing columns are ignored). Empty when the tables agree. ``sample=True``:
    ``computed`` holds only some tasks' rows, and the shipped rows it lacks are not compared."""
    keys = list(spec.keys)
    merged = computed.merge(shipped, on=keys, how="left" if sample else "outer", suffixes=("", " (shipped)"),
                            indicator=True)
    wrong = merged["_merge"] != "both"
    compared = [c for c in computed.columns if c not in keys and c not in TIMING_COLUMNS and c in shipped.columns]
    for column in compared:
        here, there = merged[column], merged[f"{column} (shipped)"]
        if pd.api.types.is_numeric_dtype(here) and pd.api.types.is_numeric_dtype(there):
            limit = spec.tolerance.get(column, spec.tolerance.get("*", 0.0))
            gap = (here.astype(float) - there.astype(float)).abs()
            both_nan = here.isna() & there.isna()
            wrong |= ~both_nan & ~(gap <= limit + 1e-12)
        else:
            wrong |= here.astype(str) != there.astype(str)
    missing = set(shipped.columns) ^ set(computed.columns)
    if missing:
        raise ValueError(f"{spec.name}: the recomputed and the shipped table have different columns: {sorted(missing)}")
    return merged.loc[wrong].rename(columns={"_merge": "present in"})


__all__ = ["SHIPPED", "TableSpec", "compute", "differences", "load_or_compute", "read", "write"]
