"""The paper's protocol: hold out a whole cell type, find the cell-type dimension on training cells, traverse."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from latentbio.experiments.ch05_paper_protocol import (cell_type_dimension, hold_out_cell_type, oracle_choice, score_prediction,
                                          source_degs, traversal_prediction, traverse)


def _toy(seed=0):
    """Four types x two conditions, 30 genes; type t has genes 5t..5t+4 raised."""
    rng = np.random.default_rng(seed)
    types = np.repeat(["t0", "t1", "t2", "t3"], 40)
    conditions = np.tile(np.repeat(["control", "stimulated"], 20), 4)
    x = rng.normal(0, 0.2, size=(160, 30)).astype(np.float32)
    for t in range(4):
        x[types == f"t{t}", 5 * t:5 * t + 5] += 2.0
    obs = pd.DataFrame({"cell_type": types, "condition": conditions}, index=[f"c{i}" for i in range(160)])
    return ad.AnnData(x, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(30)]))


def test_hold_out_cell_type_removes_both_conditions_and_keeps_genes_aligned():
    split = hold_out_cell_type(_toy(), "t2", n_top_genes=20)
    assert "t2" not in set(split.train.obs.cell_type)
    assert split.target.n_obs == 40 and set(split.target.obs.condition) == {"control", "stimulated"}
    assert list(split.train.var_names) == list(split.target.var_names) and split.train.n_vars == 20


def test_cell_type_dimension_finds_the_coordinate_that_separates_types():
    rng = np.random.default_rng(0)
    types = np.repeat(["a", "b", "c"], 100)
    codes = rng.normal(size=(300, 4))
    codes[:, 2] += np.repeat([0.0, 4.0, 8.0], 100)
    assert cell_type_dimension(codes, types) == 2
    with pytest.raises(ValueError, match="one label per cell"):
        cell_type_dimension(codes, types[:10])


def test_traverse_sets_one_coordinate_and_decodes_each_step():
    decoded = traverse(lambda z: z * 10, np.array([1.0, 2.0, 3.0]), 1, [0.0, 0.5])
    assert np.allclose(decoded, [[10, 0, 30], [10, 5, 30]])
    with pytest.raises(ValueError, match="coordinates"):
        traverse(lambda z: z, np.zeros(3), 3, [0.0])


def test_identity_model_traversal_sweeps_the_training_range_from_the_source_mean():
    split = hold_out_cell_type(_toy(), "t3", n_top_genes=None)
    train_x = split.train.X
    decoded = traversal_prediction(train_x, lambda z: np.asarray(z), split, "t0", dimension=7, n_steps=5)
    start = train_x[(split.train.obs.cell_type == "t0").to_numpy() & (split.train.obs.condition == "control").to_numpy()]
    assert np.allclose(np.delete(decoded, 7, axis=1), np.delete(start.mean(0), 7)[None], atol=1e-5)
    assert decoded[0, 7] == pytest.approx(train_x[:, 7].min()) and decoded[-1, 7] == pytest.approx(train_x[:, 7].max())
    with pytest.raises(ValueError, match="one row per training cell"):
        traversal_prediction(train_x[:5], lambda z: z, split, "t0", dimension=0)
    # the paper's variants: one cell as the start, a range given from outside the training codes
    one = traversal_prediction(train_x, lambda z: np.asarray(z), split, "t0", dimension=7, n_steps=3,
                               start=train_x[0], value_range=(-5.0, 5.0))
    assert np.allclose(np.delete(one, 7, axis=1), np.delete(train_x[0], 7)[None], atol=1e-5)
    assert one[:, 7].tolist() == pytest.approx([-5.0, 0.0, 5.0])


def test_source_degs_rank_the_targets_own_genes_first_and_scores_are_r2():
    split = hold_out_cell_type(_toy(), "t3", n_top_genes=None)
    degs = source_degs(split, "t0", n_genes=5)
    assert set(split.train.var_names[degs]) == {f"g{j}" for j in range(15, 20)}
    perfect = score_prediction(split.target.X, split, degs)
    assert perfect["r2_all"] == pytest.approx(1.0) and perfect["r2_top_degs"] == pytest.approx(1.0)


def test_oracle_choice_takes_the_best_score():
    assert oracle_choice({("a", 0): 0.2, ("b", 1): 0.9}) == (("b", 1), 0.9)
    with pytest.raises(ValueError):
        oracle_choice({})
