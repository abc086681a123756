"""How long chapter 5's models must train (issue 14): loss and prediction against epochs.

Trains each model of the chapter (VAE, calibrated beta-VAE, dHSIC-VAE, LORD for cells) on
the CD4T split of scGen's task for ``--epochs`` epochs and, every ``--every`` epochs, records
the mean training loss of the last epoch, the predicted stimulated CD4T cells' R^2 (all
genes, top-100 DEGs) and, for the VAEs, the MIG of the training codes. The table shows where
each curve flattens; the chapter's epochs are set from it (plateau rule: the mean loss of the last
fifth of training differs from that of the fifth before by less than 0.1 nats per cell).

Usage: LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/sweep_ch05_convergence.py
Writes ``_build/sweep_ch05_convergence.csv``.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).parent))
import ch05_ood_table as table  # noqa: E402

from latentbio.data import load_kang2018  # noqa: E402
from latentbio.metrics.disentanglement import mutual_information_gap  # noqa: E402
from latentbio.metrics.expression import mean_expression_r2  # noqa: E402
from latentbio.models.latent_arithmetic import predict_by_latent_arithmetic  # noqa: E402
from latentbio.ood_protocol import hold_out  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--cell-type", default="CD4T")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=["vae", "beta_vae", "dhsic_vae", "lord"])
    parser.add_argument("--output", type=Path, default=Path("_build/sweep_ch05_convergence.csv"))
    arguments = parser.parse_args()
    torch.set_num_threads(1)

    split = hold_out(load_kang2018(), arguments.cell_type, n_top_genes=table.SETTINGS["n_genes"])
    train_x = split.train.X.toarray()
    types = split.train.obs["cell_type"].astype(str).to_numpy()
    conditions = split.train.obs["condition"].astype(str).to_numpy()
    factors = np.c_[pd.factorize(types)[0], pd.factorize(conditions)[0]]
    real_x = split.target_stimulated.X.toarray()
    rows = []
    table.SETTINGS.update(max_epochs=arguments.epochs, val_fraction=None, patience=None, lord_epochs=arguments.epochs)
    for name in arguments.models:
        losses = []

        def record(model, epoch):
            if (epoch + 1) % arguments.every:
                return
            if name == "lord":
                predicted, mig = model.predict(split.target_control, condition="stimulated"), np.nan
            else:
                predicted = predict_by_latent_arithmetic(model, train_x, types, conditions,
                                                         split.target_control.X.toarray())
                mig = mutual_information_gap(model.latent(train_x), factors)
            rows.append({"model": name, "epochs": epoch + 1, "r2_all": mean_expression_r2(predicted, real_x),
                         "r2_top_degs": mean_expression_r2(predicted, real_x, split.degs), "mig": mig})

        if name == "lord":
            _, losses = table.train_lord(split.train, arguments.seed, after_epoch=record)
        else:
            _, losses = table.train_vae(name, train_x, arguments.seed, after_epoch=record)
        for row in rows:
            if row["model"] == name:
                row["loss"] = losses[row["epochs"] - 1]
                row["plateau"] = table.plateau(losses[:row["epochs"]])
                print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(arguments.output, index=False)


if __name__ == "__main__":
    main()
