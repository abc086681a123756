"""Chapter 6 sweep: how long must multiGroupVI train before its scores stop moving?

Phase-A record (issue 13): written against the package of commit 821367d (package-ready); later API
changes (train.fit without DataLoaders, balanced_group_loader removed) may break it. The chapter's
own tables are made by scripts/ch04_seed_table.py and scripts/ch06_tables.py.

Trains multiGroupVI (and lambda = 0, and a single count VAE) on simulated groups with
known programs and records the chapter's scores every ``--every`` epochs: shared-space
cell-type ARI, group mixing (with random group labels beside it), program AUC from the
group's own private space and from the shared space, and leakage. One JSON line per
(configuration, seed, epoch) is appended to ``--out``.

    python scripts/sweep_ch06_budget.py --epochs 400 --warmup 400 --seeds 0 1 2 --out _build/sweep_ch06.jsonl

Run with one thread (the machine is shared); every run is seeded.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("LATENTBIO_PROGRESS", "0")

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

import latentbio
from latentbio import train
from latentbio.data import simulate_counts
from latentbio.data.group_sampler import balanced_group_loader
from latentbio.metrics.clustering import clustering_ari
from latentbio.metrics.mixing import knn_group_entropy
from latentbio.models import CountVAE
from latentbio.models.multigroupvi import MultiGroupVI


def simulate(kind: str, seed: int):
    """The simulated data sets the chapter considers."""
    if kind == "g2":  # the chapter's current data
        return simulate_counts(1500, 400, 5, n_groups=2, programs_per_group=2, program_fraction=0.5,
                               program_genes=20, de_fac_loc=0.5, de_prob=0.2, lib_loc=8.5, seed=seed)
    if kind == "g3":
        return simulate_counts(1200, 300, 5, n_groups=3, programs_per_group=2, program_fraction=0.5,
                               program_genes=20, de_fac_loc=0.5, de_prob=0.2, lib_loc=8.5, seed=seed)
    if kind == "g2small":
        return simulate_counts(800, 300, 5, n_groups=2, programs_per_group=2, program_fraction=0.5,
                               program_genes=20, de_fac_loc=0.5, de_prob=0.2, lib_loc=8.5, seed=seed)
    if kind == "g2lite":
        return simulate_counts(800, 250, 5, n_groups=2, programs_per_group=2, program_fraction=0.5,
                               program_genes=20, de_fac_loc=0.5, de_prob=0.2, lib_loc=8.5, seed=seed)
    if kind == "g3lite":
        return simulate_counts(1050, 250, 5, n_groups=3, programs_per_group=2, program_fraction=0.5,
                               program_genes=20, de_fac_loc=0.5, de_prob=0.2, lib_loc=8.5, seed=seed)
    if kind.startswith("hvg"):  # e.g. hvg-1200-200-30: 1200 cells, 1,000 genes simulated, 200 highly variable kept,
        _, n_cells, n_top, *rest = kind.split("-")  # 30 genes per program (default 20)
        from latentbio.data.preprocess import select_highly_variable_genes
        adata = simulate_counts(int(n_cells), 1000, 5, n_groups=2, programs_per_group=2, program_fraction=0.5,
                                program_genes=int(rest[0]) if rest else 20, de_fac_loc=0.5, de_prob=0.2,
                                lib_loc=8.5, seed=seed)
        hvg = select_highly_variable_genes(adata, n_top_genes=int(n_top))
        keep = set(hvg.var_names)
        hvg.uns["simulation"] = {"program_gene_indices": {
            name: [hvg.var_names.get_loc(gene) for gene in adata.var_names[genes] if gene in keep]
            for name, genes in adata.uns["simulation"]["program_gene_indices"].items()}}
        return hvg
    raise ValueError(kind)


def program_auc(codes, adata, group_index: int, program: str) -> float:
    """Cross-validated AUC of predicting a program's activity from codes, within one group's cells."""
    inside = adata.obs["group"].cat.codes.to_numpy() == group_index
    active = adata.obs[program].to_numpy()[inside]
    scores = cross_val_predict(LogisticRegression(max_iter=2000), codes[inside], active, cv=5,
                               method="predict_proba")[:, 1]
    return float(roc_auc_score(active, scores))


def scores(model: MultiGroupVI, adata, seed: int) -> dict:
    shared = model.get_latent(adata)
    groups = adata.obs["group"].to_numpy()
    cell_type = adata.obs["cell_type"].to_numpy()
    rng = np.random.default_rng(seed)
    result = {"ari": clustering_ari(shared, cell_type),
              "mixing": knn_group_entropy(shared, groups),
              "mixing_random": knn_group_entropy(shared, rng.permutation(groups))}
    private_auc, shared_auc, leakage = [], [], []
    for g, name in enumerate(model.groups):
        private = model.get_latent(adata, name)
        own = groups == name
        leakage.append(float(np.square(private[~own]).sum(1).mean() / np.square(private[own]).sum(1).mean()))
        for program in [c for c in adata.obs.columns if c.startswith(f"program_{g}_")]:
            private_auc.append(program_auc(private, adata, g, program))
            shared_auc.append(program_auc(shared, adata, g, program))
    result.update(auc_private=float(np.mean(private_auc)), auc_shared=float(np.mean(shared_auc)),
                  leakage=float(np.mean(leakage)), lr_precision_at_20=lr_precision(model, adata))
    return result


def lr_precision(model: MultiGroupVI, adata, n_top: int = 20) -> float:
    """Mean over (group, cell type) of the share of the top ``n_top`` likelihood-ratio genes that are
    genes of that group's programs."""
    programs = adata.uns["simulation"]["program_gene_indices"]
    precisions = []
    for g, name in enumerate(model.groups):
        truth = set(np.asarray(adata.var_names)[np.concatenate(
            [genes for program, genes in programs.items() if program.startswith(f"program_{g}_")])])
        for cell_type in adata.obs["cell_type"].cat.categories:
            top = model.rank_genes(adata, group=name, cell_type_key="cell_type", cell_type=cell_type, n_top=n_top)
            precisions.append(np.mean([gene in truth for gene in top["gene"]]))
    return float(np.mean(precisions))


def single_vae(adata, seed: int, args) -> None:
    """The single-space comparison: a ZINB count VAE, as many epochs, minibatches of 256 cells."""
    latentbio.seed_everything(seed)
    model = CountVAE(adata, n_latent=10, likelihood="zinb")
    cpu = time.process_time()
    model.train(max_epochs=args.epochs, batch_size=256, kl_warmup_epochs=args.warmup, seed=seed)
    codes = model.get_latent_representation(obsm_key=None)
    groups = adata.obs["group"].to_numpy()
    auc = [program_auc(codes, adata, g, f"program_{g}_{k}") for g in range(2) for k in range(2)]
    row = {"data": args.data, "seed": seed, "epoch": args.epochs, "epochs": args.epochs, "tag": "single_vae",
           "cpu_s": round(time.process_time() - cpu, 1), "ari": clustering_ari(codes, adata.obs["cell_type"].to_numpy()),
           "mixing": knn_group_entropy(codes, groups),
           "mixing_random": knn_group_entropy(codes, np.random.default_rng(seed).permutation(groups)),
           "auc_shared": float(np.mean(auc))}
    print(json.dumps(row), flush=True)
    with open(args.out, "a") as handle:
        handle.write(json.dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="g2")
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--penalty", type=float, default=1.0)
    parser.add_argument("--eps", type=float, default=0.01)
    parser.add_argument("--per-group", type=int, default=128)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--tag", default="")
    parser.add_argument("--single-vae", action="store_true", help="train the single count VAE (ZINB) instead")
    parser.add_argument("--save", default="", help="folder to save the trained module's weights in")
    parser.add_argument("--out", default="_build/sweep_ch06.jsonl")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    for seed in args.seeds:
        adata = simulate(args.data, seed)
        if args.single_vae:
            single_vae(adata, seed, args)
            continue
        latentbio.seed_everything(seed)
        model = MultiGroupVI(adata, "group", wasserstein_penalty=args.penalty)
        checkpoints = set(range(args.every, args.epochs + 1, args.every)) | {args.epochs}
        cpu, wall = time.process_time(), time.perf_counter()
        records = []

        def evaluate(epoch: int, final: bool = False) -> None:
            if epoch in checkpoints:
                train_cpu = time.process_time() - cpu
                module_state = model.module.training
                row = {"data": args.data, "seed": seed, "epoch": epoch, "epochs": args.epochs,
                       "warmup": args.warmup, "lr": args.lr, "eps": args.eps, "per_group": args.per_group, "penalty": args.penalty, "tag": args.tag,
                       "cpu_s": round(train_cpu, 1), **scores(model, adata, seed)}
                model.module.train(module_state)
                records.append(row)
                print(json.dumps(row), flush=True)

        warmup = max(1, args.warmup)

        def on_epoch_start(epoch: int) -> None:
            evaluate(epoch)
            model.module.kl_weight = min(1.0, epoch / warmup)

        loader = balanced_group_loader(torch.as_tensor(model._train_counts), torch.as_tensor(model._train_groups),
                                       groups=model._train_groups, per_group=args.per_group, seed=seed)
        optimizer = torch.optim.Adam(model.module.parameters(), lr=args.lr, weight_decay=1e-6, eps=args.eps)
        train.fit(model.module, loader, epochs=args.epochs, optimizer=optimizer, on_epoch_start=on_epoch_start,
                  seed=seed)
        model.module.kl_weight = 1.0
        if args.save:
            torch.save(model.module.state_dict(), f"{args.save}/{args.data}_s{seed}.pt")
        evaluate(args.epochs)
        with open(args.out, "a") as handle:
            for row in records:
                handle.write(json.dumps(row) + "\n")
        print(f"seed {seed}: {time.process_time() - cpu:.0f} s CPU, {time.perf_counter() - wall:.0f} s wall",
              flush=True)


if __name__ == "__main__":
    main()
