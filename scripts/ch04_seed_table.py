"""Chapter 4's seed table: PCA and the count VAE on three simulated data sets, and the no-program control.

Three count VAEs at scVI's budget (400 epochs) plus the scoring take longer than the chapter's
3 minutes beside the chapter's own models, so ``make`` runs this script first (target
``tables``) and the notebook reads and checks the file; without the file the notebook
computes the table itself. See :mod:`latentbio.cluster_protocol`.

Writes ``_build/ch04_seed_table.csv`` (one row per seed, programs and space) and, beside it, a
``.json`` with the seeds, workers and wall time.
Usage: python scripts/ch04_seed_table.py [--workers 2] [--output _build/ch04_seed_table.csv]
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import latentbio  # noqa: E402
from latentbio.cluster_protocol import SEEDS, compute_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, default=Path("_build/ch04_seed_table.csv"))
    arguments = parser.parse_args()
    latentbio.configure(1)
    start = time.perf_counter()
    table = compute_table(SEEDS, workers=arguments.workers)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(arguments.output, index=False)
    arguments.output.with_suffix(".json").write_text(json.dumps(
        {"seeds": list(SEEDS), "workers": arguments.workers, "wall_s": round(time.perf_counter() - start, 1),
         "cpu_s": round(float(table.drop_duplicates(["seed", "programs"])["cpu_s"].sum()), 1)}, indent=1))
    print(table.round(3).to_string(index=False))
    print(f"written {arguments.output} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
