"""Checks for the exercises of chapter 5 (out-of-distribution prediction)."""

import anndata as ad
import numpy as np
import pandas as pd
import torch

from ..metrics.expression import mean_expression_r2
from ..metrics.hsic import dhsic_from_grams, rbf_gram
from ..models.latent_arithmetic import predict_in_gene_space, stimulation_shift
from ..experiments.ch05_scgen_task import hold_out
from . import call_student, exercise, expect, expect_close, passed


@exercise("5.1", "the stimulation vector of latent arithmetic",
          forbidden=("stimulation_shift", "balanced_group_mean"))
def check_stimulation_shift(student_shift, *, name: str) -> None:
    """Exercise 5.1: ``student_shift(codes, cell_types, conditions)`` returns scGen's balanced delta."""
    codes = np.zeros((10, 2))
    codes[3:6] = [2.0, 1.0]  # type a: 3 control cells at 0, 3 stimulated at (2, 1)
    codes[7] = [6.0, -1.0]  # type b: 1 control at 0, 1 stimulated at (6, -1)
    codes[8:] = [100.0, 100.0]  # type c: control cells only
    types = np.array(["a"] * 6 + ["b"] * 2 + ["c"] * 2)
    conditions = np.array(["control"] * 3 + ["stimulated"] * 3 + ["control", "stimulated"] + ["control"] * 2)
    delta = call_student(student_shift, codes, types, conditions, exercise=name)
    delta = np.asarray(delta, dtype=float)
    expect(delta.shape == (2,), name, f"return one vector with one entry per code dimension, shape (2,); got {delta.shape}")
    expect(bool(np.all(delta > -10)), name,
           "cell type c has no stimulated cells, so it must not enter the control mean either: "
           "average only over types seen in both conditions.")
    expect(not np.allclose(delta, [3.0, 0.5]), name,
           "you pooled all cells of a condition, so the abundant type a counts three times as much as b. "
           "Balance the types: average the per-type means.")
    expect_close(delta, [4.0, 0.0], name, "expected the mean over types a and b of (stimulated mean - control mean)")
    rng = np.random.default_rng(0)
    codes, types = rng.normal(size=(60, 3)), rng.choice(["x", "y", "z"], size=60)
    conditions = np.where(np.arange(60) % 2 == 0, "control", "stimulated")
    expect_close(call_student(student_shift, codes, types, conditions, exercise=name),
                 stimulation_shift(codes, types, conditions), name, "wrong delta on random codes with three types")
    passed(name)


@exercise("5.2", "the HSIC estimator", forbidden=("dhsic_from_grams", "dhsic", "latent_dhsic"))
def check_hsic(student_hsic, *, name: str) -> None:
    """Exercise 5.2: ``student_hsic(k, l)`` returns the biased HSIC estimate from two Gram matrices."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=80)
    y = x**2 + 0.1 * rng.normal(size=80)
    k, l = rbf_gram(x), rbf_gram(y)
    value = call_student(student_hsic, k, l, exercise=name)
    expect(torch.is_tensor(value) and value.ndim == 0, name, "return a scalar torch tensor (use torch operations)")
    n = len(k)
    centring = torch.eye(n, dtype=k.dtype) - 1.0 / n
    trace_form = torch.trace(k @ centring @ l @ centring) / n**2
    expect(not np.isclose(float(value), float(trace_form) * n**2 / (n - 1) ** 2), name,
           "you divided by (n - 1)^2: use the biased V-statistic, which divides by n^2")
    expect_close(value, trace_form, name, "HSIC must equal trace(K H L H) / n^2 with H = I - 1/n. Hint: "
                 "mean(K * L) + mean(K) * mean(L) - 2 * mean(K.mean(1) * L.mean(1)).")
    expect_close(call_student(student_hsic, l, k, exercise=name), value, name, "HSIC must be symmetric in K and L")
    independent = rbf_gram(rng.normal(size=80))
    expect_close(call_student(student_hsic, k, independent, exercise=name), dhsic_from_grams([k, independent]),
                 name, "wrong value for independent samples")
    expect(float(call_student(student_hsic, k, independent, exercise=name)) < float(value) / 5, name,
           "an independent pair should score far below x and x^2")
    passed(name)


def _toy_pbmcs() -> ad.AnnData:
    """Three cell types x two conditions, 30 cells each, 40 genes; the stimulation adds 2 to the log
    expression of genes 0-4 in every type, so gene-space arithmetic predicts it almost exactly."""
    rng = np.random.default_rng(0)
    types = np.repeat(["t0", "t1", "t2"], 60)
    conditions = np.tile(np.repeat(["control", "stimulated"], 30), 3)
    x = np.log1p(rng.poisson(rng.gamma(2.0, 1.0, size=(3, 40))[np.repeat([0, 1, 2], 60)])).astype(np.float32)
    x[conditions == "stimulated", :5] += 2.0
    obs = pd.DataFrame({"cell_type": types, "condition": conditions}, index=[f"c{i}" for i in range(180)])
    return ad.AnnData(x, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(40)]))


@exercise("5.3", "does the ranking hold for another cell type", forbidden=())
def check_held_out_scores(student_scores, kang, scgen_rows, *, name: str) -> None:
    """Exercise 5.3: ``student_scores(adata, cell_type, seed)`` returns the top-100-DEG R^2 of the
    gene-space baseline, the VAE and LORD for cells in scGen's task with ``cell_type``'s stimulated
    cells held out (a Series or dict with keys ``gene_space``, ``vae``, ``lord``); checked on toy
    cells, then on the B cells of the Kang data with the table's seed for B, against the chapter's
    table (``scgen_rows``)."""
    methods = ["gene_space", "vae", "lord"]
    toy = _toy_pbmcs()
    scores = call_student(student_scores, toy, "t1", 0, exercise=name)
    expect(isinstance(scores, (pd.Series, dict)) and set(dict(scores)) == set(methods), name,
           f"return a Series (or dict) with the keys {methods}; got {scores!r}")
    scores = pd.Series(dict(scores), dtype=float)
    expect(bool(scores.between(0, 1).all()), name, f"R^2 values lie between 0 and 1; got {scores.to_dict()}")
    split = hold_out(toy, "t1")
    train = split.train
    baseline = predict_in_gene_space(train.X, train.obs["cell_type"], train.obs["condition"], split.target_control.X)
    expect_close(scores["gene_space"], mean_expression_r2(baseline, split.target_stimulated.X, split.degs), name,
                 "on toy cells whose stimulation is the same shift in every type, the gene-space baseline must "
                 "score as hold_out's split, predict_in_gene_space and mean_expression_r2 on split.degs do", atol=1e-3)
    rows = scgen_rows[scgen_rows["cell_type"] == "B"]
    seed = int(rows.loc[rows["seed"] >= 0, "seed"].min())  # the table's seed for B
    answer = pd.Series(dict(call_student(student_scores, kang, "B", seed, exercise=name)), dtype=float)
    expected = rows[rows["seed"].isin([seed, -1])].set_index("method").loc[methods, "r2_top_degs"]
    expect_close(answer["gene_space"], expected["gene_space"], name,
                 "the gene-space baseline on B differs from the table: hold out B's stimulated cells with "
                 "hold_out(adata, 'B', n_top_genes=CHAPTER_SETTINGS['n_genes']) and score on its top-100 DEGs",
                 atol=1e-3)
    # the table trained the same models with the same seed; other machines round differently
    expect_close(answer[["vae", "lord"]], expected[["vae", "lord"]], name,
                 f"the models' scores differ from the table's B rows (seed {seed}): train them with "
                 "train_chapter_model(name, split.train, seed=seed)", atol=0.02)
    passed(name)


@exercise("5.4", "which dimension carries which factor", forbidden=("factor_dimensions", "cell_type_dimension"))
def check_best_dimensions(student_best, *, name: str) -> None:
    """Exercise 5.4: ``student_best(codes, cell_types, conditions)`` returns the pair (dimension that
    carries most information about the cell type, dimension that carries most about the condition)."""
    rng = np.random.default_rng(0)
    types = rng.choice(["a", "b", "c", "d"], size=400)
    conditions = rng.choice(["control", "stimulated"], size=400)
    type_value = pd.factorize(types)[0].astype(float)
    condition_value = (conditions == "stimulated").astype(float)
    codes = rng.normal(size=(400, 4))
    codes[:, 2] += 3 * type_value
    codes[:, 0] += 3 * condition_value
    found = call_student(student_best, codes, types, conditions, exercise=name)
    expect(isinstance(found, tuple) and len(found) == 2, name,
           f"return a tuple of two dimensions (cell type, condition); got {found!r}")
    found = tuple(int(d) for d in found)
    expect(found != (0, 2), name, "you returned the condition's dimension first: return (cell type, condition)")
    expect(found == (2, 0), name, f"cell type lives in z[2] and condition in z[0] here; got {found}. Hint: "
           "mutual_information_matrix(codes, factors) with the labels as integer codes, argmax over dimensions")
    shared = rng.normal(size=(400, 3))
    shared[:, 1] += 3 * (2 * type_value + condition_value)  # both factors squeezed into one dimension
    expect(tuple(int(d) for d in call_student(student_best, shared, types, conditions, exercise=name)) == (1, 1), name,
           "when one dimension carries both factors, both answers must be that dimension")
    passed(name)
