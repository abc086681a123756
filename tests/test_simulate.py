"""The Splatter-style simulator produces counts whose statistics follow its known truth."""

import numpy as np
import pytest

from latentbio.data.simulate import simulate_counts


def test_shapes_columns_and_integer_counts(tmp_path):
    adata = simulate_counts(300, 200, 3, n_groups=2, programs_per_group=2, program_genes=10, perturbation=True)
    assert adata.shape == (300, 200)
    assert np.array_equal(adata.X, np.round(adata.X)) and adata.X.min() >= 0
    np.testing.assert_array_equal(adata.layers["counts"], adata.X)
    assert list(adata.obs["cell_type"].cat.categories) == ["type_0", "type_1", "type_2"]
    assert list(adata.obs["group"].cat.categories) == ["group_0", "group_1"]
    assert set(adata.obs["condition"]) == {"control", "stimulated"}
    assert (adata.obs["condition"] == "stimulated").sum() == 150
    np.testing.assert_allclose(adata.obs["total_counts"], adata.X.sum(1))
    programs = ["program_0_0", "program_0_1", "program_1_0", "program_1_1"]
    for name in programs:
        assert set(np.unique(adata.obs[name])) <= {0, 1}
        assert (adata.var[name] != 1).sum() == 10
    gene_sets = [set(adata.uns["simulation"]["program_gene_indices"][name]) for name in programs]
    assert len(set.union(*gene_sets)) == 40  # disjoint
    for column in ["base_mean", "is_outlier", "de_factor_type_2", "response_type_0", "response_shared"]:
        assert column in adata.var
    adata.write_h5ad(tmp_path / "simulated.h5ad")  # uns must be storable


def test_no_perturbation_means_all_control_and_unit_responses():
    adata = simulate_counts(100, 50, 2)
    assert set(adata.obs["condition"]) == {"control"}
    assert (adata.var[["response_type_0", "response_type_1"]] == 1.0).all().all()
    assert set(adata.obs["group"]) == {"group_0"}


def test_variance_exceeds_the_mean_as_the_bcv_model_predicts():
    # one cell type and a fixed library size: every cell has the same expected mean mu_g,
    # so Var = mu + bcv_g^2 mu^2 with E[bcv^2] ~ (bcv_common + 1/sqrt(mu))^2 * df / (df - 2)
    adata = simulate_counts(3000, 300, 1, lib_scale=0.0, lib_loc=9.0, out_prob=0.0, seed=3)
    counts = adata.X.astype(float)
    mean, variance = counts.mean(0), counts.var(0, ddof=1)
    expressed = mean > 1.0
    assert expressed.sum() > 100
    assert np.mean(variance[expressed] > mean[expressed]) > 0.95
    relative = (adata.var["base_mean"] * adata.var["de_factor_type_0"]).to_numpy()
    mu = relative / relative.sum() * np.exp(9.0)
    np.testing.assert_allclose(np.median(mean[expressed] / mu[expressed]), 1.0, atol=0.02)
    expected_bcv2 = (0.1 + 1 / np.sqrt(mu)) ** 2
    observed_bcv2 = (variance[expressed] - mean[expressed]) / mean[expressed] ** 2
    ratio = np.median(observed_bcv2 / expected_bcv2[expressed])
    assert 0.85 < ratio < 1.2, ratio


def test_de_genes_carry_their_factors():
    adata = simulate_counts(4000, 500, 2, lib_scale=0.0, de_prob=0.3, de_fac_loc=0.5, seed=1)
    counts = adata.X.astype(float)
    is_type0 = (adata.obs["cell_type"] == "type_0").to_numpy()
    mean0, mean1 = counts[is_type0].mean(0), counts[~is_type0].mean(0)
    true_log_ratio = np.log(adata.var["de_factor_type_0"] / adata.var["de_factor_type_1"]).to_numpy()
    usable = (mean0 > 2) & (mean1 > 2)
    observed_log_ratio = np.log(mean0[usable] / mean1[usable])
    de = true_log_ratio[usable] != 0
    assert de.sum() > 50
    assert np.corrcoef(observed_log_ratio, true_log_ratio[usable])[0, 1] > 0.9
    # non-DE genes: ratio equal up to the common library rescaling
    offset = np.median(observed_log_ratio[~de])
    slope = np.polyfit(true_log_ratio[usable][de], observed_log_ratio[de] - offset, 1)[0]
    assert 0.85 < slope < 1.15, slope


def test_program_genes_are_up_in_active_cells_only():
    adata = simulate_counts(3000, 400, 2, n_groups=2, programs_per_group=1, program_fraction=0.4,
                            program_genes=30, lib_scale=0.0, seed=2)
    counts = adata.X.astype(float)
    in_group0 = (adata.obs["group"] == "group_0").to_numpy()
    active = adata.obs["program_0_0"].to_numpy() == 1
    assert not active[~in_group0].any()
    assert active.sum() == round(0.4 * in_group0.sum())
    genes = adata.var["program_0_0"].to_numpy() != 1.0
    factor = adata.var["program_0_0"].to_numpy()[genes]
    assert (factor > 1).all()
    expressed = counts[:, genes].mean(0) > 1
    ratio = counts[active][:, genes].mean(0) / counts[in_group0 & ~active][:, genes].mean(0)
    assert np.corrcoef(np.log(ratio[expressed]), np.log(factor[expressed]))[0, 1] > 0.8
    assert np.median(ratio[expressed] / factor[expressed]) > 0.8
    # the same genes are not up in group_1 cells, whose program_1_0 uses other genes
    in_group1_active = adata.obs["program_1_0"].to_numpy() == 1
    other = counts[in_group1_active][:, genes].mean(0) / counts[~in_group0 & ~in_group1_active][:, genes].mean(0)
    assert np.median(other[expressed]) < 1.1


def test_perturbation_response_is_shared_plus_cell_type_specific():
    adata = simulate_counts(4000, 600, 2, perturbation=True, response_prob=0.1, response_type_prob=0.1,
                            lib_scale=0.0, seed=4)
    counts = adata.X.astype(float)
    stim = (adata.obs["condition"] == "stimulated").to_numpy()
    type0 = (adata.obs["cell_type"] == "type_0").to_numpy()
    response0 = adata.var["response_type_0"].to_numpy()
    response1 = adata.var["response_type_1"].to_numpy()
    assert (response0 != response1).sum() > 20  # type-specific parts differ
    shared = adata.var["response_shared"].to_numpy() != 1
    assert np.all((response0[shared] != 1) | (response1[shared] != 1))
    for members, response in ((type0, response0), (~type0, response1)):
        stim_mean, ctrl_mean = counts[members & stim].mean(0), counts[members & ~stim].mean(0)
        usable = (stim_mean > 2) & (ctrl_mean > 2) & (response != 1)
        log_ratio = np.log(stim_mean[usable] / ctrl_mean[usable])
        assert np.corrcoef(log_ratio, np.log(response[usable]))[0, 1] > 0.9


def test_dropout_adds_zeros():
    plain = simulate_counts(200, 100, 2, seed=5)
    dropped = simulate_counts(200, 100, 2, seed=5, dropout_mid=3.0, dropout_shape=-1.0)
    assert (dropped.X == 0).mean() > (plain.X == 0).mean() + 0.1
    assert (dropped.X <= plain.X).all()  # the same draws, thinned


def test_seeded():
    first, again = simulate_counts(200, 100, 3, seed=7), simulate_counts(200, 100, 3, seed=7)
    other = simulate_counts(200, 100, 3, seed=8)
    np.testing.assert_array_equal(first.X, again.X)
    assert (first.obs["cell_type"] == again.obs["cell_type"]).all()
    assert not np.array_equal(first.X, other.X)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_cells": 0}, "n_cells"),
    ({"n_genes": 2.5}, "n_genes"),
    ({"n_groups": 0}, "n_groups"),
    ({"programs_per_group": -1}, "programs_per_group"),
    ({"program_fraction": 0.0}, "program_fraction"),
    ({"n_groups": 3, "programs_per_group": 2, "program_genes": 20}, "do not fit"),
    ({"de_prob": 1.5}, "de_prob"),
    ({"mean_shape": 0.0}, "mean_shape"),
    ({"bcv_common": -0.1}, "bcv_common"),
    ({"cell_type_probs": [0.5, 0.5]}, "cell_type_probs"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_counts(**{"n_cells": 50, "n_genes": 100, "n_cell_types": 3, **kwargs})
