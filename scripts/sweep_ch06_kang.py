"""Chapter 6 sweep: multiGroupVI on the Kang PBMCs (groups = control / stimulated).

Phase-A record (issue 13): written against the package of commit 821367d (package-ready); later API
changes (train.fit without DataLoaders, balanced_group_loader removed) may break it. The chapter's
own tables are made by scripts/ch04_seed_table.py and scripts/ch06_tables.py.

Trains on the raw counts of the ``--genes`` most variable genes and, every ``--every`` epochs,
ranks genes by the likelihood ratio for the stimulated CD14+ monocytes (the paper's Figure 7h
procedure) and counts how many of the top 20 are among the top-100 Wilcoxon DEGs of stimulated
against control CD14+ monocytes. Also records condition mixing and cell-type ARI of the shared space.

    LATENTBIO_DATA_MIRROR=/work/shared/data python scripts/sweep_ch06_kang.py --epochs 400 --warmup 400
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("LATENTBIO_PROGRESS", "0")

import numpy as np
import scanpy as sc
import torch

import latentbio
from latentbio import train
from latentbio.data import load_kang2018
from latentbio.data.group_sampler import balanced_group_loader
from latentbio.data.preprocess import select_highly_variable_genes
from latentbio.metrics.clustering import clustering_ari
from latentbio.metrics.mixing import knn_group_entropy
from latentbio.models.multigroupvi import MultiGroupVI


def interferon_degs(kang, n_top: int = 100) -> list[str]:
    """Top Wilcoxon DEGs of stimulated against control CD14+ monocytes (log-normalised data, all genes)."""
    monocytes = kang[kang.obs["cell_type"] == "CD14+Mono"].copy()
    sc.tl.rank_genes_groups(monocytes, "condition", groups=["stimulated"], reference="control", method="wilcoxon")
    return list(monocytes.uns["rank_genes_groups"]["names"]["stimulated"][:n_top])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--genes", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="_build/sweep_ch06_kang.jsonl")
    args = parser.parse_args()
    torch.set_num_threads(1)
    kang_all = load_kang2018()
    degs = set(interferon_degs(kang_all))
    kang = select_highly_variable_genes(kang_all, n_top_genes=args.genes)
    print("top-100 DEGs among the selected genes:", len(degs & set(kang.var_names)), flush=True)
    model_degs = set(interferon_degs(kang))  # the DEGs among the genes the model sees
    latentbio.seed_everything(args.seed)
    model = MultiGroupVI(kang, "condition")
    checkpoints = set(range(args.every, args.epochs + 1, args.every)) | {args.epochs}
    cpu = time.process_time()

    def evaluate(epoch: int) -> None:
        if epoch not in checkpoints:
            return
        state = model.module.training
        ranking = model.rank_genes(kang, group="stimulated", cell_type_key="cell_type", cell_type="CD14+Mono")
        top = ranking.head(20)
        cells = kang[(kang.obs["cell_type"] == "CD14+Mono").to_numpy() & (kang.obs["condition"] == "stimulated").to_numpy()]
        up = model.decoded_expression(cells, "all").mean(0) > model.decoded_expression(cells, "shared").mean(0)
        raised = set(ranking[ranking["gene"].isin(set(np.asarray(kang.var_names)[up]))]["gene"].head(20))
        shared = model.get_latent(kang)
        row = {"genes": args.genes, "seed": args.seed, "epoch": epoch, "epochs": args.epochs, "warmup": args.warmup,
               "cpu_s": round(time.process_time() - cpu, 1), "overlap_top20": int(top["gene"].isin(degs).sum()),
               "overlap_top20_model_genes": int(top["gene"].isin(model_degs).sum()),
               "overlap_top20_raised": len(raised & model_degs),
               "top20": top["gene"].tolist(),
               "mixing": knn_group_entropy(shared, kang.obs["condition"].to_numpy()),
               "ari": clustering_ari(shared, kang.obs["cell_type"].to_numpy())}
        model.module.train(state)
        print(json.dumps(row), flush=True)
        with open(args.out, "a") as handle:
            handle.write(json.dumps(row) + "\n")

    def on_epoch_start(epoch: int) -> None:
        evaluate(epoch)
        model.module.kl_weight = min(1.0, epoch / max(1, args.warmup))

    loader = balanced_group_loader(torch.as_tensor(model._train_counts), torch.as_tensor(model._train_groups),
                                   groups=model._train_groups, per_group=128, seed=args.seed)
    optimizer = torch.optim.Adam(model.module.parameters(), lr=1e-3, weight_decay=1e-6, eps=0.01)
    train.fit(model.module, loader, epochs=args.epochs, optimizer=optimizer, on_epoch_start=on_epoch_start,
              seed=args.seed)
    model.module.kl_weight = 1.0
    evaluate(args.epochs)


if __name__ == "__main__":
    main()
