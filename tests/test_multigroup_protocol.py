"""Chapter 6's experiment helpers: the simulation, the composition shift and the table file."""

import numpy as np
import pandas as pd
import pytest

from latentbio.multigroup_protocol import MODELS, SEEDS, composition_shift, load_tables, program_genes, \
    simulate_groups, tasks


def test_simulation_keeps_200_genes_and_both_groups_programs():
    data = simulate_groups(0, n_cells=300)
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
    assert len(todo) == len(set(todo)) == sum(len(models) for models in MODELS.values()) * len(SEEDS)


def test_load_tables_names_what_is_missing(tmp_path):
    rows = [{"experiment": e, "model": m, "seed": s, "group mixing": 0.5} for e, m, s in tasks()]
    path = tmp_path / "tables.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert len(load_tables(path)) == len(rows)
    pd.DataFrame(rows[1:]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="scripts/ch06_tables.py"):
        load_tables(path)
