"""Chapter 4's protocol helpers: program states, the scores' columns and the seed-table file."""

import numpy as np
import pandas as pd
import pytest

from latentbio.experiments.ch04_clusters import COLUMNS, SETTINGS, TABLE, program_state, recovery_scores, run_task, tasks


def test_tasks_list_each_seed_with_and_without_programs():
    seeds = SETTINGS["seeds"]
    assert sorted(tasks()) == sorted([(s, 2) for s in seeds] + [(s, 0) for s in seeds])


def test_program_state_without_programs_is_empty():
    import anndata as ad

    data = ad.AnnData(np.zeros((3, 2)))
    assert list(program_state(data)) == ["", "", ""]
    data.obs["program_0_0"], data.obs["program_0_1"] = [0, 1, 1], [1, 0, 1]
    assert list(program_state(data)) == ["0/1", "1/0", "1/1"]


def test_recovery_scores_find_separated_types():
    rng = np.random.default_rng(0)
    types = np.repeat(["a", "b", "c"], 60)
    codes = np.repeat(np.eye(3) * 10, 60, axis=0) + rng.normal(size=(180, 3))
    scores = recovery_scores({"toy": codes}, types, np.full(180, ""))
    assert list(scores.columns) == COLUMNS
    assert scores.loc["toy", "ARI k-means"] == pytest.approx(1.0)
    assert scores.loc["toy", "ARI k-means, whitened"] == pytest.approx(1.0)


def test_a_tiny_table_scores_pca_and_the_count_vae_with_and_without_programs(tmp_path):
    from latentbio.experiments.tables import load_or_compute

    tiny = {**SETTINGS, "seeds": [0], "n_cells": 300, "n_genes": 200, "n_top_genes": 100, "epochs": 2}
    table = load_or_compute(TABLE, tiny, folder=tmp_path)
    assert sorted(map(tuple, table[["space", "programs"]].to_numpy().tolist())) == [
        ("PCA", "no (control)"), ("PCA", "yes"), ("count VAE", "no (control)"), ("count VAE", "yes")]
    assert table[COLUMNS[:2]].notna().all().all() and (tmp_path / "ch04_clusters.json").exists()
    assert [row["space"] for row in run_task((0, 0), tiny)] == ["PCA", "count VAE"]
