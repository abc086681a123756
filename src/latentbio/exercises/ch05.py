"""Checks for the exercises of chapter 5 (out-of-distribution prediction)."""

import numpy as np
import torch

from ..metrics.hsic import dhsic_from_grams, rbf_gram
from ..models.latent_arithmetic import stimulation_shift
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
