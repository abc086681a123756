"""How long chapter 5's models must train (issue 14): loss and prediction against epochs.

Trains each model of the chapter (VAE, calibrated beta-VAE, dHSIC-VAE, LORD for cells) on
the CD4T split of scGen's task for ``--epochs`` epochs without early stopping and, every
``--every`` epochs, records
the mean training loss of the last epoch, the predicted stimulated CD4T cells' R^2 (all
genes, top-100 DEGs) and, for the VAEs, the MIG of the training codes. The table shows where
each curve flattens; the chapter's epochs are set from it (plateau rule: the mean loss of the last
fifth of training differs from that of the fifth before by less than 0.1 nats per cell).

Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/sweeps/ch05_convergence.py
Writes ``_build/sweep_ch05_convergence.csv``.
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

import latentbio
from latentbio.data import load_kang2018
from latentbio.metrics.disentanglement import mutual_information_gap
from latentbio.metrics.expression import mean_expression_r2
from latentbio.models import ExpressionBetaVAE, ExpressionDHSICVAE, ExpressionVAE, LORDCells
from latentbio.models.latent_arithmetic import predict_by_latent_arithmetic
from latentbio.experiments.ch05_scgen_task import CHAPTER_SETTINGS as S
from latentbio.experiments.ch05_scgen_task import hold_out, loss_plateau


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--cell-type", default="CD4T")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=["vae", "beta_vae", "dhsic_vae", "lord"])
    parser.add_argument("--output", type=Path, default=Path("_build/sweep_ch05_convergence.csv"))
    arguments = parser.parse_args()
    latentbio.configure(1)

    split = hold_out(load_kang2018(), arguments.cell_type, n_top_genes=S["n_genes"])
    train = split.train
    factors = np.c_[pd.factorize(train.obs["cell_type"])[0], pd.factorize(train.obs["condition"])[0]]
    real_x = split.target_stimulated.X.toarray()
    architecture = {"n_latent": S["n_latent"], "hidden": S["hidden"]}
    rows = []
    for name in arguments.models:
        latentbio.seed_everything(arguments.seed)
        model = {"vae": lambda: ExpressionVAE(train, **architecture),
                 "beta_vae": lambda: ExpressionBetaVAE(train, beta=S["beta"], capacity_max=S["capacity_max"],
                                                       **architecture),
                 "dhsic_vae": lambda: ExpressionDHSICVAE(train, gamma=S["gamma"], **architecture),
                 "lord": lambda: LORDCells(train, n_content=S["lord_content"], content_noise=S["lord_noise"],
                                           content_penalty=S["lord_penalty"])}[name]()
        ramp = model.module.capacity_ramp(S["capacity_ramp_epochs"]) if name == "beta_vae" else None

        def record(epoch):  # called at the start of each epoch, i.e. after `epoch` epochs of training
            if ramp is not None:
                ramp(epoch)
            if epoch == 0 or epoch % arguments.every:
                return
            if name == "lord":
                predicted, mig = model.predict(split.target_control, condition="stimulated"), np.nan
            else:
                predicted = predict_by_latent_arithmetic(model, train, split.target_control)
                mig = mutual_information_gap(model.get_latent_representation(), factors)
            rows.append({"model": name, "epochs": epoch, "r2_all": mean_expression_r2(predicted, real_x),
                         "r2_top_degs": mean_expression_r2(predicted, real_x, split.degs), "mig": mig})

        trainer = LORDCells.train if name == "lord" else ExpressionVAE.train  # plain train: the ramp is in `record`
        history = trainer(model, arguments.epochs + 1, batch_size=S["batch_size"], seed=arguments.seed,
                          on_epoch_start=record)
        losses = history.train["loss"]
        for row in rows:
            if row["model"] == name:
                row["loss"], row["plateau"] = losses[row["epochs"] - 1], loss_plateau(losses[:row["epochs"]])
                print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(arguments.output, index=False)


if __name__ == "__main__":
    main()
