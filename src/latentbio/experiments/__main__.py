"""Make or check the course's tables: ``python -m latentbio.experiments [TABLE ...] [options]``.

    python -m latentbio.experiments ch04_clusters            # recompute and ship one table
    python -m latentbio.experiments --stale                  # recompute the tables whose code changed
    python -m latentbio.experiments --check --output _build/tables   # recompute all, compare with the shipped
    python -m latentbio.experiments --check --sample --output _build/tables   # one task of each kind

Without ``--check`` the tables are written to ``--output`` (default: the shipped tables inside the
package). With ``--check`` each table is recomputed into ``--output`` and compared with the shipped
one within its tolerances; the rows that differ are printed and the exit status is 1. With
``--sample`` only the table's sample (one task of each kind) is recomputed and its rows compared.
"""

import argparse
import sys
from pathlib import Path

from .. import configure
from . import TABLE_MODULES, table_spec
from .tables import SHIPPED, code_fingerprint, compute, differences, read, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m latentbio.experiments", description=__doc__.splitlines()[0])
    parser.add_argument("tables", nargs="*", help=f"tables to make (default: all): {', '.join(TABLE_MODULES)}")
    parser.add_argument("--workers", type=int, default=2, help="worker processes, one torch thread each")
    parser.add_argument("--output", type=Path, default=SHIPPED, help="folder to write the tables to")
    parser.add_argument("--check", action="store_true", help="compare each recomputed table with the shipped one")
    parser.add_argument("--stale", action="store_true", help="only the tables whose code or settings changed")
    parser.add_argument("--sample", action="store_true",
                        help="with --check: recompute one task of each kind of every table and compare its rows")
    args = parser.parse_args(argv)
    if args.sample and (not args.check or args.output.resolve() == SHIPPED.resolve()):
        parser.error("--sample goes with --check and an --output folder (a sample is never shipped)")
    configure(1)
    failed = []
    for name in args.tables or list(TABLE_MODULES):
        spec = table_spec(name)
        if args.stale:
            try:
                _, meta = read(name)
                if meta.get("code") == code_fingerprint(spec) and meta.get("settings") is not None:
                    print(f"{name}: up to date")
                    continue
            except FileNotFoundError:
                pass
        shipped = read(name)[0] if args.check else None  # before anything is written over it
        table, meta = compute(spec, workers=args.workers, tasks=spec.sample_tasks() if args.sample else None)
        path = write(table, meta, args.output)
        print(f"{name}: {len(table)} rows in {meta['wall_s']} s wall with {args.workers} workers -> {path}")
        if args.check:
            wrong = differences(spec, table, shipped, sample=args.sample)
            if len(wrong):
                failed.append(name)
                print(f"{name}: {len(wrong)} rows differ from the shipped table beyond {spec.tolerance}:")
                print(wrong.to_string(max_rows=40))
            else:
                what = f"its sample ({len(meta['plan'])} of {len(spec.tasks(spec.settings))} tasks)" if args.sample else name
                print(f"{name}: {what} agrees with the shipped table within {spec.tolerance}")
    if failed:
        print(f"tables that differ from the shipped ones: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
