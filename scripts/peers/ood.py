"""Peer check of chapter 5 (outside CI): the real scGen on the same split as the course's models.

scGen 2.1.0 (the PyPI release) runs only beside scvi-tools 0.19 and anndata 0.9, which cannot
read the legacy Kang file, so the check runs in two interpreters:

1. the course's environment builds the split of scGen's task (``latentbio.experiments.ch05_scgen_task.hold_out``:
   the held-out type's stimulated cells removed, 1,000 highly variable genes of the training
   cells) and writes plain arrays to a folder;
2. ``--peer-python`` (an environment with ``scgen`` installed) trains scGen with its defaults
   (800 hidden units x 2 layers, 100 latent dimensions, dropout 0.2, KL weight 5e-5; the
   tutorial's ``max_epochs=100, batch_size=32`` with early stopping, patience 25) and predicts
   the held-out cells with ``SCGEN.predict``;
3. the course's environment scores scGen's prediction exactly as the chapter scores its own
   (R^2 of per-gene means on all genes and on the top-100 DEGs) and prints it beside the
   course's VAE row of ``_build/ch05_ood_table.csv`` when that file exists.

Usage:
  LATENTBIO_DATA_MIRROR=/path/to/shared/data python scripts/peers/ood.py \
      --peer-python /path/to/scgen-venv/bin/python [--cell-types CD4T B] [--seeds 0 1 2]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def peer_side(folder: Path, seed: int) -> None:
    """Runs inside the scGen environment: train scGen on the arrays in ``folder``, write the prediction."""
    import anndata
    import pandas as pd
    import scgen
    import scvi
    import torch

    torch.set_num_threads(1)
    scvi.settings.seed = seed
    arrays = np.load(folder / "split.npz", allow_pickle=False)
    meta = json.loads((folder / "meta.json").read_text())
    obs = pd.DataFrame({"cell_type": arrays["train_types"], "condition": arrays["train_conditions"]})
    obs.index = obs.index.astype(str)
    train = anndata.AnnData(arrays["train_x"], obs=obs)
    scgen.SCGEN.setup_anndata(train, batch_key="condition", labels_key="cell_type")
    model = scgen.SCGEN(train)
    model.train(max_epochs=100, batch_size=32, early_stopping=True, early_stopping_patience=25)
    predicted, _ = model.predict(ctrl_key="control", stim_key="stimulated", celltype_to_predict=meta["cell_type"])
    np.save(folder / f"scgen_prediction_seed{seed}.npy", np.asarray(predicted.X, dtype=np.float32))
    (folder / f"scgen_epochs_seed{seed}.txt").write_text(str(model.history["elbo_train"].shape[0]))


def course_side(arguments) -> None:
    import pandas as pd

    from latentbio.data import load_kang2018
    from latentbio.metrics.expression import mean_expression_r2
    from latentbio.experiments.ch05_scgen_task import hold_out

    kang = load_kang2018()
    ours = Path("_build/ch05_ood_table.csv")
    ours = pd.read_csv(ours) if ours.exists() else None
    rows = []
    for cell_type in arguments.cell_types:
        split = hold_out(kang, cell_type, n_top_genes=arguments.genes)
        real = split.target_stimulated.X.toarray()
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            np.savez(folder / "split.npz", train_x=split.train.X.toarray(),
                     train_types=np.asarray(split.train.obs["cell_type"], dtype=str),
                     train_conditions=np.asarray(split.train.obs["condition"], dtype=str))
            (folder / "meta.json").write_text(json.dumps({"cell_type": cell_type}))
            for seed in arguments.seeds:
                subprocess.run([arguments.peer_python, __file__, "--peer-side", str(folder), "--seed", str(seed)],
                               check=True)
                predicted = np.load(folder / f"scgen_prediction_seed{seed}.npy")
                epochs = (folder / f"scgen_epochs_seed{seed}.txt").read_text()
                row = {"cell_type": cell_type, "seed": seed, "scgen_epochs": int(epochs),
                       "scgen_r2_all": mean_expression_r2(predicted, real),
                       "scgen_r2_top_degs": mean_expression_r2(predicted, real, split.degs)}
                if ours is not None:
                    mine = ours[(ours.protocol == "scgen_task") & (ours.cell_type == cell_type) & (ours.seed == seed)]
                    for method in ("vae", "gene_space"):
                        match = mine[mine.method == method] if method != "gene_space" else ours[
                            (ours.protocol == "scgen_task") & (ours.cell_type == cell_type) & (ours.method == method)]
                        if len(match):
                            row[f"{method}_r2_all"] = float(match.r2_all.iloc[0])
                            row[f"{method}_r2_top_degs"] = float(match.r2_top_degs.iloc[0])
                rows.append(row)
                print(row, flush=True)
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    if arguments.output:
        table.to_csv(arguments.output, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-side", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--peer-python", default=None, help="python of an environment with scgen installed")
    parser.add_argument("--cell-types", nargs="+", default=["CD4T"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--genes", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=Path("_build/peer_ood_scgen.csv"))
    arguments = parser.parse_args()
    if arguments.peer_side is not None:
        peer_side(arguments.peer_side, arguments.seed)
    elif arguments.peer_python is None:
        sys.exit("give --peer-python: the python of an environment where `import scgen` works")
    else:
        course_side(arguments)


if __name__ == "__main__":
    main()
