"""Chapter 5's table: every Kang cell type held out in turn, several seeds, both protocols.

- scGen's perturbation task (:func:`latentbio.ood_protocol.scgen_task_rows`): the stimulated cells
  of one type are held out and predicted from that type's control cells (latent arithmetic for
  the VAEs, a swap of the condition code for LORD for cells, the same arithmetic on expression
  values for the gene-space baseline).
- The paper's protocol (:func:`latentbio.traversal_protocol.paper_protocol_rows`): a whole cell
  type is held out and predicted by traversing the cell-type dimension (chosen on the training
  cells) from every other type; the oracle column (best source and dimension chosen by the
  answer) is shown, never used.

Models and settings: :data:`latentbio.ood_protocol.CHAPTER_SETTINGS`. Writes
``_build/ch05_ood_table.csv`` (one row per protocol, cell type, method and seed), the settings and
timings beside it (``.json``), and a ``.partial.csv`` after each finished task.
Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/ch05_ood_table.py [--workers 2]
"""

import argparse
import json
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd

import latentbio
from latentbio.data import load_kang2018
from latentbio.ood_protocol import CHAPTER_SETTINGS, scgen_task_rows
from latentbio.traversal_protocol import paper_protocol_rows

PROTOCOLS = {"scgen_task": scgen_task_rows, "paper_protocol": paper_protocol_rows}


def run(task) -> list[dict]:
    """One (protocol, cell type) with all seeds, in a worker with one torch thread."""
    latentbio.configure(1)
    protocol, cell_type, seeds = task
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scanpy's tests on genes that are all zero in a group
        rows = PROTOCOLS[protocol](load_kang2018(), cell_type, seeds)
    print(f"{protocol} {cell_type}: {time.perf_counter() - start:.0f} s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cell-types", nargs="*", default=None)
    parser.add_argument("--protocols", nargs="*", default=list(PROTOCOLS), choices=list(PROTOCOLS))
    parser.add_argument("--output", type=Path, default=Path("_build/ch05_ood_table.csv"))
    arguments = parser.parse_args()
    cell_types = arguments.cell_types or list(load_kang2018().obs["cell_type"].cat.categories)
    tasks = [(protocol, cell_type, list(range(arguments.seeds)))
             for cell_type in cell_types for protocol in arguments.protocols]
    start = time.perf_counter()
    rows = []
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(arguments.workers) as pool:
        for result in pool.map(run, tasks):
            rows.extend(result)
            pd.DataFrame(rows).to_csv(arguments.output.with_suffix(".partial.csv"), index=False)
    table = pd.DataFrame(rows)
    first = ["protocol", "cell_type", "method", "seed"]
    table = table[first + [c for c in table.columns if c not in first]]
    table.to_csv(arguments.output, index=False)
    arguments.output.with_suffix(".json").write_text(json.dumps(
        {"settings": CHAPTER_SETTINGS, "seeds": arguments.seeds, "cell_types": cell_types,
         "protocols": arguments.protocols, "workers": arguments.workers,
         "wall_s": round(time.perf_counter() - start, 1)}, indent=1))
    print(table.groupby(["protocol", "method"])[["r2_all", "r2_top_degs"]].agg(["mean", "std"]).round(3).to_string())
    print(f"written {arguments.output} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
