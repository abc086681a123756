"""Chapter 3's seed table: LORD (both stages), LORD without noise and the baseline, every seed of
``latentbio.lord_protocol.TABLE_SEEDS`` with the chapter's schedules and with every schedule doubled
(the plateau rule). Writes the JSON that the chapter reads (`make` runs this before the notebooks;
without the file the chapter computes the same table itself, which takes several minutes).

    python scripts/ch03_seed_table.py --workers 2 --output _build/ch03_seed_table.json
"""

import argparse
import json
import time
from pathlib import Path

import latentbio
from latentbio import lord_protocol as protocol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (one torch thread each)")
    parser.add_argument("--output", default="_build/ch03_seed_table.json")
    args = parser.parse_args()

    latentbio.configure()
    start, cpu_start = time.perf_counter(), time.process_time()
    world = protocol.make_shape_world()
    judge = protocol.train_judge(protocol.make_judge_set())
    table = protocol.run_seed_table(world, judge, n_jobs=args.workers)
    table["wall_seconds"] = round(time.perf_counter() - start, 1)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(table))
    print(f"wrote {output} in {table['wall_seconds']} s (this process: {time.process_time() - cpu_start:.0f} CPU s)")
    print(protocol.plateau_check(table).round(3).to_string())


if __name__ == "__main__":
    main()
