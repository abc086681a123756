"""Chapter 5's table: every Kang cell type held out in turn, several seeds, both protocols.

- scGen's perturbation task: the stimulated cells of one type are held out; each model
  predicts them from that type's control cells (latent arithmetic for the VAEs, a swap of
  the condition code for LORD for cells, the same arithmetic on expression values for the
  gene-space baseline). Scores: R^2 of per-gene means and variances, on all genes and on
  the held-out type's top-100 DEGs (stimulated vs control, Wilcoxon), and the
  disentanglement of the training codes (MIG, Higgins) or, for LORD, the leakage of cell
  type and condition into its content codes.
- The paper's protocol (Lotfollahi et al. 2020/2021): a whole cell type is held out; its
  cells are predicted by traversing the cell-type dimension (chosen on the training cells)
  from the mean code of each other type's control cells; R^2 of per-gene means against the
  held-out cells, on all genes and on the top-100 genes of target vs source (t-test),
  averaged over the source types. The oracle column picks the best (source, dimension) by
  that R^2, as the paper's summary did; it is shown, never used.

Writes ``_build/ch05_ood_table.csv`` (one row per protocol, cell type, seed and method).
Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/ch05_ood_table.py [--workers 2]
"""

import argparse
import copy
import json
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import torch

from latentbio.data import load_kang2018
from latentbio.metrics.disentanglement import mutual_information_gap
from latentbio.metrics.expression import mean_expression_r2, mean_response_r2
from latentbio.metrics.higgins import higgins_score
from latentbio.metrics.leakage import class_leakage
from latentbio.models.beta_vae import BetaVAE
from latentbio.models.dhsic_vae import DHSICVAE
from latentbio.models.latent_arithmetic import predict_by_latent_arithmetic, predict_in_gene_space
from latentbio.models.lord_cells import LORDCells
from latentbio.models.vae import VAE
from latentbio.ood_protocol import hold_out
from latentbio.traversal_protocol import (cell_type_dimension, hold_out_cell_type, oracle_choice, score_prediction,
                                          source_degs, traversal_prediction)

SETTINGS = {"n_genes": 1000, "n_latent": 5, "hidden": (128, 64), "max_epochs": 300, "val_fraction": 0.1,
            "patience": 25, "batch_size": 128,
            "beta": 5.0, "capacity_max": 2.0, "capacity_ramp_epochs": 50, "gamma": 50.0,
            "lord_epochs": 100, "lord_content": 8, "lord_noise": 1.0, "lord_penalty": 1.0}


def fit(module, tensors, *, epochs, batch_size, seed, param_groups=None, on_epoch_start=None, after_epoch=None,
        val_fraction=None, patience=None):
    """Minibatch Adam on ``module.loss(*batch)``; returns the per-epoch mean training loss.

    With ``val_fraction`` and ``patience`` (scGen's rule): a seeded random part of the rows is
    kept for validation, training stops after ``patience`` epochs without a lower validation
    loss, and the weights of the best epoch are restored. ``after_epoch(epoch)`` is called after
    each epoch (for convergence curves)."""
    optimizer = torch.optim.Adam(param_groups or module.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    n = len(tensors[0])
    train_rows = torch.arange(n)
    if val_fraction:
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        val_rows, train_rows = order[:int(round(val_fraction * n))], order[int(round(val_fraction * n)):]
    losses, best, best_state, waited = [], float("inf"), None, 0
    module.train()
    for epoch in range(epochs):
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        total = 0.0
        for batch in train_rows[torch.randperm(len(train_rows), generator=generator)].split(batch_size):
            loss = module.loss(*(t[batch] for t in tensors))["loss"]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(batch)
        losses.append(total / len(train_rows))
        module.eval()
        if after_epoch is not None:
            after_epoch(epoch)
        if val_fraction:
            with torch.no_grad():
                val_loss = float(module.loss(*(t[val_rows] for t in tensors))["loss"])
            if val_loss < best:
                best, waited, best_state = val_loss, 0, copy.deepcopy(module.state_dict())
            else:
                waited += 1
        module.train()
        if patience is not None and waited >= patience:
            break
    if best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    return np.array(losses)


def plateau(losses) -> float:
    """Mean loss over the last fifth of training minus that over the fifth before (nats)."""
    fifth = max(1, len(losses) // 5)
    return float(losses[-fifth:].mean() - losses[-2 * fifth:-fifth].mean())


def train_vae(name, x, seed, after_epoch=None):
    s = SETTINGS
    torch.manual_seed(seed)
    if name == "vae":
        model = VAE(x.shape[1], s["n_latent"], s["hidden"], likelihood="gaussian")
        hook = None
    elif name == "beta_vae":
        model = BetaVAE(x.shape[1], s["n_latent"], s["hidden"], beta=s["beta"], capacity_max=s["capacity_max"])
        hook = lambda epoch: model.set_capacity(epoch, s["capacity_ramp_epochs"])  # noqa: E731
    else:
        model = DHSICVAE(x.shape[1], s["n_latent"], s["hidden"], gamma=s["gamma"])
        hook = None
    losses = fit(model, (torch.as_tensor(x),), epochs=s["max_epochs"], batch_size=s["batch_size"], seed=seed,
                 on_epoch_start=hook, val_fraction=s["val_fraction"], patience=s["patience"], after_epoch=after_epoch and (lambda epoch: after_epoch(model, epoch)))
    return model, losses


def train_lord(adata, seed, after_epoch=None):
    s = SETTINGS
    torch.manual_seed(seed)
    model = LORDCells(adata, n_content=s["lord_content"], content_noise=s["lord_noise"],
                      content_penalty=s["lord_penalty"])
    module = model.module
    groups = [{"params": module.decoder.parameters(), "lr": 1e-3},
              {"params": [*module.content.parameters(), *module.attributes.parameters()], "lr": 1e-2}]
    tensors = (model._expression, torch.arange(adata.n_obs), model._attribute_values)
    losses = fit(module, tensors, epochs=s["lord_epochs"], batch_size=s["batch_size"], seed=seed,
                 param_groups=groups, after_epoch=after_epoch and (lambda epoch: after_epoch(model, epoch)))
    return model, losses


def variance_r2(predicted, real, genes=None) -> float:
    """R^2 of per-gene variances (scGen's reg_var_plot): squared Pearson correlation across genes."""
    predicted_var, real_var = np.var(predicted, axis=0), np.var(real, axis=0)
    if genes is not None:
        predicted_var, real_var = predicted_var[genes], real_var[genes]
    return float(np.corrcoef(predicted_var, real_var)[0, 1] ** 2)


def scgen_task(kang, cell_type, seeds) -> list[dict]:
    split = hold_out(kang, cell_type, n_top_genes=SETTINGS["n_genes"])
    train_x = split.train.X.toarray()
    types = split.train.obs["cell_type"].astype(str).to_numpy()
    conditions = split.train.obs["condition"].astype(str).to_numpy()
    factors = np.c_[pd.factorize(types)[0], pd.factorize(conditions)[0]]
    control_x, real_x = split.target_control.X.toarray(), split.target_stimulated.X.toarray()

    def scores(predicted):
        return {"r2_all": mean_expression_r2(predicted, real_x),
                "r2_top_degs": mean_expression_r2(predicted, real_x, split.degs),
                "r2_var_all": variance_r2(predicted, real_x), "r2_var_top_degs": variance_r2(predicted, real_x, split.degs),
                "change_r2_top_degs": mean_response_r2(predicted, real_x, control_x, split.degs)}

    rows = [{"method": "control (unpredicted)", "seed": -1, **scores(control_x)},
            {"method": "gene_space", "seed": -1,
             **scores(predict_in_gene_space(train_x, types, conditions, control_x))}]
    for seed in seeds:
        for name in ("vae", "beta_vae", "dhsic_vae"):
            start = time.process_time()
            model, losses = train_vae(name, train_x, seed)
            codes = model.latent(train_x)
            predicted = predict_by_latent_arithmetic(model, train_x, types, conditions, control_x)
            if name == "vae":  # the decoded change added to the real control cells (diagnostic)
                change = predicted - model.reconstruct(control_x)
                rows.append({"method": "vae: control + decoded change", "seed": seed, **scores(control_x + change)})
            rows.append({"method": name, "seed": seed, **scores(predicted),
                         "reconstruction_r2_control": mean_expression_r2(model.reconstruct(control_x), control_x),
                         "mig": mutual_information_gap(codes, factors),
                         "higgins": higgins_score(codes, factors, random_state=seed),
                         "final_loss": losses[-1], "plateau": plateau(losses), "epochs": len(losses),
                         "cpu_s": time.process_time() - start})
        start = time.process_time()
        lord, losses = train_lord(split.train, seed)
        content = lord.get_latent_representation()
        predicted = lord.predict(split.target_control, condition="stimulated")
        cell_type_leak = class_leakage(content, factors[:, 0], random_state=seed)
        condition_leak = class_leakage(content, factors[:, 1], random_state=seed)
        rows.append({"method": "lord", "seed": seed, **scores(predicted),
                     "reconstruction_r2_control": mean_expression_r2(lord.predict(split.target_control), control_x),
                     "leak_cell_type": cell_type_leak["accuracy"], "leak_cell_type_chance": cell_type_leak["chance"],
                     "leak_condition": condition_leak["accuracy"], "leak_condition_chance": condition_leak["chance"],
                     "final_loss": losses[-1], "plateau": plateau(losses), "epochs": len(losses),
                         "cpu_s": time.process_time() - start})
    for row in rows:
        row.update(protocol="scgen_task", cell_type=cell_type)
    return rows


def paper_protocol(kang, cell_type, seeds) -> list[dict]:
    split = hold_out_cell_type(kang, cell_type, n_top_genes=SETTINGS["n_genes"])
    train_x = split.train.X.toarray()
    types = split.train.obs["cell_type"].astype(str).to_numpy()
    sources = sorted(set(types))
    degs = {source: source_degs(split, source) for source in sources}
    training_mean = train_x.mean(axis=0, keepdims=True)

    def averaged(predictions):
        per_source = [score_prediction(predictions[source], split, degs[source]) for source in sources]
        return {key: float(np.mean([s[key] for s in per_source])) for key in per_source[0]}

    rows = [{"method": "source cells (unpredicted)", "seed": -1,
             **averaged({s: train_x[types == s] for s in sources})},
            {"method": "mean of training cells", "seed": -1, **averaged({s: training_mean for s in sources})}]
    for seed in seeds:
        for name in ("vae", "beta_vae", "dhsic_vae"):
            start = time.process_time()
            model, losses = train_vae(name, train_x, seed)
            dimension = cell_type_dimension(model.latent(train_x), types)
            predictions = {s: traversal_prediction(model.latent, model.decode_mean, split, s, dimension=dimension)
                           for s in sources}
            oracle = {}
            for s in sources:
                for d in range(SETTINGS["n_latent"]):
                    predicted = traversal_prediction(model.latent, model.decode_mean, split, s, dimension=d)
                    oracle[(s, d)] = score_prediction(predicted, split, degs[s])["r2_top_degs"]
            (_, best_dimension), oracle_top = oracle_choice(oracle)
            rows.append({"method": name, "seed": seed, **averaged(predictions), "dimension": dimension,
                         "oracle_r2_top_degs": oracle_top, "oracle_dimension": best_dimension,
                         "final_loss": losses[-1], "plateau": plateau(losses), "epochs": len(losses),
                         "cpu_s": time.process_time() - start})
    for row in rows:
        row.update(protocol="paper_protocol", cell_type=cell_type)
    return rows


def run(task) -> list[dict]:
    torch.set_num_threads(1)
    protocol, cell_type, seeds = task
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scanpy's tests on genes that are all zero in a group
        rows = (scgen_task if protocol == "scgen_task" else paper_protocol)(load_kang2018(), cell_type, seeds)
    print(f"{protocol} {cell_type}: {time.perf_counter() - start:.0f} s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cell-types", nargs="*", default=None)
    parser.add_argument("--protocols", nargs="*", default=["scgen_task", "paper_protocol"])
    parser.add_argument("--output", type=Path, default=Path("_build/ch05_ood_table.csv"))
    arguments = parser.parse_args()
    cell_types = arguments.cell_types or list(load_kang2018().obs["cell_type"].cat.categories)
    tasks = [(protocol, cell_type, list(range(arguments.seeds)))
             for cell_type in cell_types for protocol in arguments.protocols]
    start, cpu = time.perf_counter(), time.process_time()
    rows = []
    with ProcessPoolExecutor(arguments.workers) as pool:
        for result in pool.map(run, tasks):
            rows.extend(result)
            pd.DataFrame(rows).to_csv(arguments.output.with_suffix(".partial.csv"), index=False)
    table = pd.DataFrame(rows)
    first = ["protocol", "cell_type", "method", "seed"]
    table = table[first + [c for c in table.columns if c not in first]]
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(arguments.output, index=False)
    arguments.output.with_suffix(".json").write_text(json.dumps(
        {"settings": SETTINGS, "seeds": arguments.seeds, "cell_types": cell_types, "protocols": arguments.protocols,
         "wall_s": round(time.perf_counter() - start, 1), "workers": arguments.workers}, indent=1))
    print(table.groupby(["protocol", "method"])[["r2_all", "r2_top_degs"]].agg(["mean", "std"]).round(3).to_string())
    print(f"written {arguments.output} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
