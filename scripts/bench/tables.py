"""The cost of the course's tables before and after a change of the code, and whether their numbers moved.

Usage: python scripts/bench/tables.py [--before REV] [TABLE ...]   (``make bench-tables``)

A whole table takes minutes to hours, so each table is timed on a sample of its tasks
(``SAMPLE``: one task of each kind of model it trains). Every sample task runs twice, each
time in a fresh process of one torch thread, as in the table's worker pool: once with the
package of commit ``REV`` (checked out into ``_build/bench-tables/<REV>`` with ``git worktree``)
and once with the package of this working tree; the two runs of a task run side by side, one
per core. The table's ``prepare`` (data, a judge) is timed apart: it runs once per worker, not
once per model.

The report (Markdown, also printed) gives, per table, the CPU seconds of the sample before and
after, per model trained, the speed-up, and the largest difference between the two runs' rows in
the columns the table compares, against the table's tolerance. It is written to
``_build/bench-tables.md`` and, for the book's page "Running the notebooks", to
``book/table_costs.md`` (dated, with the machine). The tables the chapters read are checked in
full by ``make check-tables``.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
BOOK_TABLE = ROOT / "book" / "table_costs.md"

# Per table: (the task, or the first items of it, as in the table's plan; the models that task trains).
SAMPLE = {
    "ch03_lord": [(("chapter", 0), 5)],  # LORD, stage 2, LORD without noise, the two baselines
    "ch04_clusters": [((0, 2), 1)],  # one simulation: the count VAE
    "ch05_ood": [(("scgen_task", "CD4T"), 4), (("paper_protocol", "CD4T"), 3)],
    "ch06_multigroup": [(("composition", "multiGroupVI", 0), 1), (("composition", "multiGroupVI + OT", 0), 1),
                        (("seeds", "single VAE", 0), 1)],
}

CHILD = """
import json, sys, time
import latentbio
from latentbio.experiments import table_spec
latentbio.configure(1)
spec = table_spec(sys.argv[1])
settings = spec.settings
wanted = json.loads(sys.argv[2])
plan = spec.tasks(settings)
task = next((task for task in plan if json.loads(json.dumps(task))[:len(wanted)] == wanted), None)
if task is None:
    raise SystemExit(f"no task {wanted} in the plan of {sys.argv[1]}")
start = time.process_time()
context = spec.prepare(settings) if spec.prepare is not None else None
prepared = time.process_time()
rows = spec.run_task(task, settings, context)
done = time.process_time()
print(json.dumps({"task": task, "prepare_cpu_s": prepared - start, "cpu_s": done - prepared, "rows": rows}))
"""


def torch_version() -> str:
    """The version of torch this script's interpreter has (the children use the same one)."""
    import torch

    return torch.__version__


def checkout(rev: str) -> Path:
    """A worktree of commit ``rev`` under ``_build/bench-tables`` (made once)."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = ROOT / "_build" / "bench-tables" / commit
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                       capture_output=True)
    return tree


def run_sample(tree: Path, table: str, task: tuple) -> dict:
    """The first task of ``table`` that starts with ``task``, with the package in ``tree``, in a fresh
    process: its rows and CPU seconds."""
    environment = {**os.environ, "PYTHONPATH": str(tree / "src"), "LATENTBIO_PROGRESS": "0"}
    result = subprocess.run([sys.executable, "-c", CHILD, table, json.dumps(task)], env=environment, check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def largest_difference(table: str, before: list[dict], after: list[dict]) -> tuple[float, float, int]:
    """The largest absolute difference between the rows both runs have, over the columns the table
    compares; the smallest tolerance among those columns; how many rows only one run has (a change of
    the experiment itself, not of its speed)."""
    from latentbio.experiments import table_spec
    from latentbio.experiments.tables import TIMING_COLUMNS

    spec = table_spec(table)
    keys = list(spec.keys)
    merged = pd.DataFrame(before).merge(pd.DataFrame(after), on=keys, suffixes=(" before", " after"))
    unmatched = len(before) + len(after) - 2 * len(merged)
    gaps, limits = [0.0], []
    for column in set(pd.DataFrame(after).columns) & set(pd.DataFrame(before).columns):
        if column in keys or column in TIMING_COLUMNS:
            continue
        here, there = merged[f"{column} before"], merged[f"{column} after"]
        if pd.api.types.is_numeric_dtype(here) and pd.api.types.is_numeric_dtype(there):
            gaps.append(float((here - there).abs().max(skipna=True) or 0.0))
            limits.append(spec.tolerance.get(column, spec.tolerance.get("*", 0.0)))
    return max(gaps), min(limits), unmatched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="the commit to compare with (default HEAD)")
    parser.add_argument("tables", nargs="*", default=list(SAMPLE))
    options = parser.parse_args()
    before_tree = checkout(options.before)
    commits = {tree: subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True,
                                    text=True).stdout.strip() for tree in (before_tree, ROOT)}
    machine = f"{os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}, torch {torch_version()}"
    lines = [f"Measured on {datetime.date.today().isoformat()} with `make bench-tables` ({machine}): sample tasks "
             f"of each table, each in a process of one torch thread; before: commit {commits[before_tree]}, "
             f"after: commit {commits[ROOT]} (with its uncommitted changes, if any).", "",
             "| table | models in the sample | CPU s before | CPU s after | CPU s per model, before | "
             "after | speed-up | largest difference (tolerance) | rows in one run only |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for table in options.tables:
        cpu = {"before": 0.0, "after": 0.0}
        rows = {"before": [], "after": []}
        models = 0
        for task, n_models in SAMPLE[table]:
            with ThreadPoolExecutor(2) as pool:
                runs = dict(zip(("before", "after"), pool.map(lambda tree: run_sample(tree, table, task),
                                                              (before_tree, ROOT))))
            for when, run in runs.items():
                cpu[when] += run["cpu_s"]
                rows[when] += run["rows"]
            models += n_models
        gap, limit, unmatched = largest_difference(table, rows["before"], rows["after"])
        lines.append(f"| {table} | {models} | {cpu['before']:.0f} | {cpu['after']:.0f} | "
                     f"{cpu['before'] / models:.1f} | {cpu['after'] / models:.1f} | "
                     f"{cpu['before'] / cpu['after']:.2f}x | {gap:.3f} ({limit}) | {unmatched} |")
        print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "bench-tables.md").write_text(report)
    BOOK_TABLE.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
