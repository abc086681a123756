"""Chapter 5's table (see :mod:`latentbio.ood_table`): every Kang cell type held out in turn, both
protocols, written to ``_build/ch05_ood_table.csv`` with its settings, plan and timings beside it
(``.json``). ``make ch05-table`` runs it before the notebooks.
Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/ch05_ood_table.py [--workers 2]
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from latentbio.ood_table import TABLE_PATH, compute_ood_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, default=TABLE_PATH)
    arguments = parser.parse_args()
    start = time.perf_counter()
    table = compute_ood_table(arguments.output, workers=arguments.workers)
    print(table.groupby(["protocol", "method"])[["r2_all", "r2_top_degs"]].agg(["mean", "std", "count"])
          .round(3).to_string())
    print(f"written {arguments.output} in {time.perf_counter() - start:.0f} s wall")


if __name__ == "__main__":
    main()
