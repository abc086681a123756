"""Leave-one-cell-type-out benchmark of chapter 5 (run by hand; it takes several minutes).

Runs :func:`latentbio.ood_protocol.run_ood_protocol` with each cell type of the Kang
et al. (2018) PBMCs held out in turn (its stimulated cells predicted from its control
cells), with the chapter's three models and the gene-space baseline, and writes one
markdown table to ``_build/ood_benchmark.md``.

Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/bench_ood.py [--epochs 50]
"""

import argparse
import time
from pathlib import Path

import pandas as pd

from latentbio.data import load_kang2018
from latentbio.ood_protocol import compared_models, run_ood_protocol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--genes", type=int, default=1000, help="highly variable genes kept")
    parser.add_argument("--output", type=Path, default=Path("_build/ood_benchmark.md"))
    arguments = parser.parse_args()

    adata = load_kang2018()
    tables = []
    start = time.perf_counter()
    for cell_type in adata.obs["cell_type"].cat.categories:
        result = run_ood_protocol(adata, cell_type, compared_models(), epochs=arguments.epochs,
                                  n_top_genes=arguments.genes, batch_size=128)
        table = result.table.reset_index()
        table.insert(0, "held-out type", cell_type)
        tables.append(table)
        print(f"{cell_type}: done after {time.perf_counter() - start:.0f} s", flush=True)
    table = pd.concat(tables, ignore_index=True)
    means = table.drop(columns="held-out type").groupby("method", sort=False).mean().reset_index()
    means.insert(0, "held-out type", "mean")
    table = pd.concat([table, means], ignore_index=True)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(
        "# Chapter 5: each Kang cell type held out in turn\n\n"
        f"{arguments.epochs} epochs, {arguments.genes} highly variable genes (chosen on the training cells), "
        "top-100 DEGs of the held-out type (Wilcoxon, stimulated vs control). R^2 = squared Pearson "
        "correlation of per-gene means, predicted vs real stimulated cells.\n\n"
        + table.to_markdown(index=False, floatfmt=".3f") + "\n")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"written to {arguments.output}")


if __name__ == "__main__":
    main()
