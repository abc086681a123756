"""Chapter 4's protocol helpers: program states, the scores' columns and the seed-table file."""

import numpy as np
import pandas as pd
import pytest

from latentbio.cluster_protocol import COLUMNS, SEEDS, load_table, program_state, recovery_scores, tasks


def test_tasks_list_each_seed_with_and_without_programs():
    assert sorted(tasks()) == sorted([(s, 2) for s in SEEDS] + [(s, 0) for s in SEEDS])


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


def test_load_table_names_what_is_missing(tmp_path):
    rows = [{"space": "PCA", "seed": s, "programs": p} for s in SEEDS for p in ("yes", "no (control)")]
    rows += [{"space": "count VAE", "seed": s, "programs": "yes"} for s in SEEDS]
    path = tmp_path / "table.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert len(load_table(path)) == len(rows)
    pd.DataFrame(rows[:-1]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="scripts/ch04_seed_table.py"):
        load_table(path)
