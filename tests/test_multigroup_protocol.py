"""Chapter 6's experiment helpers: the simulation, the composition shift and the table file."""

import numpy as np
import pandas as pd
import pytest

from latentbio.experiments.ch06_multigroup import MODELS, SETTINGS, TABLE, composition_shift, program_genes, \
    simulate_groups, tasks
from latentbio.experiments.tables import load_or_compute


def test_simulation_keeps_200_genes_and_both_groups_programs():
    data = simulate_groups(0, {**SETTINGS, "n_cells": 300})
    assert data.n_vars == 200 and "counts" in data.layers
    assert set(data.obs["group"]) == {"group_0", "group_1"}
    for g in range(2):
        assert 0 < len(program_genes(data, g)) <= 60


def test_composition_shift_makes_type_0_three_times_as_frequent_in_group_1():
    full, shifted = simulate_groups(1), composition_shift(1)
    counts = pd.crosstab(shifted.obs["cell_type"], shifted.obs["group"])
    before = pd.crosstab(full.obs["cell_type"], full.obs["group"])
    assert counts.loc["type_0", "group_0"] == round(before.loc["type_0", "group_0"] / 3)
    assert (counts.drop(index="type_0") == before.drop(index="type_0")).all().all()
    share = counts.loc["type_0"] / counts.sum()
    assert 2.0 < share["group_1"] / share["group_0"] < 4.0


def test_tasks_cover_every_model_and_seed_once():
    todo = tasks()
    assert len(todo) == len(set(todo)) == sum(len(models) for models in MODELS.values()) * len(SETTINGS["seeds"])


def test_a_tiny_table_has_a_row_for_every_model_and_seed(tmp_path):
    tiny = {**SETTINGS, "seeds": [0], "n_cells": 300, "max_epochs": 2, "kl_warmup_epochs": 2}
    table = load_or_compute(TABLE, tiny, folder=tmp_path)
    assert sorted(map(tuple, table[["experiment", "model"]].to_numpy().tolist())) == sorted(
        (experiment, model) for experiment, models in MODELS.items() for model in models)
    assert (table["epochs"] == 2).all() and table["cell-type ARI"].between(-1, 1).all()
