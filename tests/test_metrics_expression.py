"""R^2 of mean expression (scGen's reg_mean_plot) and the top differentially expressed genes."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import linregress

from latentbio.metrics.expression import mean_expression_r2, mean_response_r2, top_differential_genes


def test_r2_matches_scipy_linregress_on_the_gene_means():
    rng = np.random.default_rng(0)
    real = rng.gamma(2.0, size=(40, 30))
    predicted = real[:25] * 0.8 + rng.normal(scale=0.3, size=(25, 30))
    expected = linregress(predicted.mean(axis=0), real.mean(axis=0)).rvalue ** 2
    assert mean_expression_r2(predicted, real) == pytest.approx(expected, rel=1e-12)


def test_r2_is_one_for_any_affine_map_of_the_means_and_ignores_cell_order():
    rng = np.random.default_rng(1)
    real = rng.gamma(2.0, size=(20, 10))
    assert mean_expression_r2(3 * real[::-1] + 1, real) == pytest.approx(1.0)
    assert mean_expression_r2(sp.csr_matrix(real), real) == pytest.approx(1.0)


def test_r2_on_a_subset_of_genes():
    real = np.tile(np.arange(6.0), (4, 1))
    predicted = real.copy()
    predicted[:, 5] = 0.0  # wrong on gene 5 only
    assert mean_expression_r2(predicted, real, genes=[0, 1, 2, 3, 4]) == pytest.approx(1.0)
    assert mean_expression_r2(predicted, real) < 0.5
    mask = np.array([True, True, True, True, False, False])
    assert mean_expression_r2(predicted, real, genes=mask) == pytest.approx(1.0)


@pytest.mark.parametrize("predicted, real, message", [
    (np.ones((3, 4)), np.ones((3, 5)), "same genes"),
    (np.ones(4), np.ones((3, 4)), "2-D"),
    (np.full((3, 4), np.nan), np.ones((3, 4)), "NaN"),
    (np.ones((3, 4)), np.ones((3, 4)), "constant"),
    (np.ones((3, 2)), np.ones((3, 2)), "fewer than 3"),
])
def test_r2_bad_input_raises(predicted, real, message):
    with pytest.raises(ValueError, match=message):
        mean_expression_r2(predicted, real)


def _two_conditions(n_genes=50, up=(3, 7, 11)):
    rng = np.random.default_rng(2)
    x = rng.poisson(1.0, size=(80, n_genes)).astype(np.float32)
    stimulated = np.arange(80) >= 40
    for rank, gene in enumerate(up):
        x[stimulated, gene] += 10 - 2 * rank  # the strongest shift first
    obs = pd.DataFrame({"condition": np.where(stimulated, "stimulated", "control")},
                       index=[f"c{i}" for i in range(80)])
    return ad.AnnData(np.log1p(x), obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(n_genes)]))


def test_top_differential_genes_finds_the_up_regulated_genes():
    adata = _two_conditions()
    genes = top_differential_genes(adata, "condition", "stimulated", "control", n_genes=3)
    assert set(genes) == {"g3", "g7", "g11"}
    assert "rank_genes_groups" not in adata.uns  # the input is left alone


def test_top_differential_genes_bad_input():
    adata = _two_conditions()
    with pytest.raises(ValueError, match="no column"):
        top_differential_genes(adata, "state", "stimulated", "control")
    with pytest.raises(ValueError, match="need at least 2 cells with condition == 'treated'; found 0"):
        top_differential_genes(adata, "condition", "treated", "control")
    with pytest.raises(ValueError, match="n_genes"):
        top_differential_genes(adata, "condition", "stimulated", "control", n_genes=0)


def test_response_r2_scores_the_change_not_the_baseline_level():
    rng = np.random.default_rng(3)
    control = np.linspace(0, 10, 20) + rng.normal(scale=0.3, size=(30, 20))  # genes differ in level
    change = np.zeros(20)
    change[:5] = rng.uniform(1, 3, size=5)
    real = control[::-1] + change
    assert mean_response_r2(control + change, real, control) == pytest.approx(1.0)
    # copying the control cells gets a high R^2 of means but no credit for the change
    assert mean_expression_r2(control, real) > 0.8
    assert mean_response_r2(control + rng.normal(scale=0.01, size=control.shape), real, control) < 0.3
    with pytest.raises(ValueError, match="same genes"):
        mean_response_r2(control, real, control[:, :5])
