"""Out-of-distribution prediction: beta-VAE with capacity, dHSIC-VAE, latent arithmetic, Higgins score, protocol."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import torch

from latentbio.metrics.higgins import higgins_score, higgins_votes
from latentbio.models.beta_vae import BetaVAE, CapacityVAEModule, ExpressionBetaVAE
from latentbio.models.dhsic_vae import DHSICVAE, DHSICVAEModule
from latentbio.models.latent_arithmetic import (balanced_group_mean, predict_by_latent_arithmetic,
                                                predict_in_gene_space, stimulation_shift)
from latentbio.models.vae import VAEModule
from latentbio.experiments.ch05_scgen_task import hold_out


# ---- beta-VAE with capacity control -------------------------------------------------------------

def test_capacity_ramps_linearly_and_stops_at_its_maximum():
    module = CapacityVAEModule(6, n_latent=2, hidden=(8,), beta=4.0, capacity_max=30.0)
    ramp = module.capacity_ramp(10)
    capacities = []
    for epoch in (0, 4, 9, 20):
        ramp(epoch)
        capacities.append(module.capacity)
    assert capacities == [3.0, 15.0, 30.0, 30.0]  # epoch e uses C_max * min(1, (e + 1) / 10)


def test_beta_vae_loss_is_reconstruction_plus_beta_times_distance_to_capacity():
    torch.manual_seed(0)
    model = CapacityVAEModule(6, n_latent=2, hidden=(8,), beta=4.0, capacity_max=30.0)
    model.capacity = 12.0
    x = torch.randn(5, 6)
    torch.manual_seed(1)
    terms = model.loss(x)
    terms = {name: value.detach() for name, value in terms.items()}
    assert float(terms["loss"]) == pytest.approx(
        float(terms["reconstruction"] + 4.0 * (terms["kl"] - 12.0).abs()), rel=1e-6)


def test_beta_vae_fit_ramps_the_capacity_over_the_epochs():
    model = BetaVAE(6, n_latent=2, hidden=(8,), capacity_max=10.0)
    model.fit(np.random.default_rng(0).normal(size=(32, 6)), epochs=4, batch_size=16)
    assert model.module.capacity == pytest.approx(10.0)  # the last of epochs 0..3 trains at C_max * 4 / 4
    model.fit(np.random.default_rng(0).normal(size=(32, 6)), epochs=4, capacity_ramp_epochs=8, batch_size=16)
    assert model.module.capacity == pytest.approx(5.0)


def test_beta_vae_rejects_negative_capacity():
    with pytest.raises(ValueError, match="capacity_max"):
        BetaVAE(6, capacity_max=-1.0)


# ---- dHSIC-VAE ------------------------------------------------------------------------------

def test_dhsic_vae_without_penalty_has_the_vae_loss():
    torch.manual_seed(0)
    plain = VAEModule(6, n_latent=3, hidden=(8,), likelihood="gaussian")
    penalised = DHSICVAEModule(6, n_latent=3, hidden=(8,), gamma=0.0)
    penalised.load_state_dict(plain.state_dict())
    x = torch.randn(20, 6)
    torch.manual_seed(1)
    expected = plain.loss(x)["loss"].detach()
    torch.manual_seed(1)
    terms = {name: value.detach() for name, value in penalised.loss(x).items()}
    assert float(terms["loss"]) == pytest.approx(float(expected), rel=1e-6)
    assert float(terms["dhsic"]) > 0


def test_dhsic_vae_adds_gamma_times_the_dhsic_of_the_sampled_codes():
    torch.manual_seed(0)
    model = DHSICVAEModule(6, n_latent=3, hidden=(8,), gamma=50.0)
    terms = {name: value.detach() for name, value in model.loss(torch.randn(20, 6)).items()}
    assert float(terms["loss"]) == pytest.approx(
        float(terms["reconstruction"] + terms["kl"] + 50.0 * terms["dhsic"]), rel=1e-6)


def test_dhsic_vae_bad_arguments():
    with pytest.raises(ValueError, match="gamma"):
        DHSICVAE(6, gamma=-1.0)
    with pytest.raises(ValueError, match="two latent dimensions"):
        DHSICVAE(6, n_latent=1)


# ---- latent arithmetic ---------------------------------------------------------------------------

TYPES = np.array(["a"] * 6 + ["b"] * 2 + ["c"] * 2)
CONDITIONS = np.array(["control"] * 3 + ["stimulated"] * 3 + ["control", "stimulated"] + ["control"] * 2)


def test_balanced_group_mean_weights_each_type_equally():
    values = np.array([[0.0], [0.0], [0.0], [10.0]])
    assert balanced_group_mean(values, np.array(["a", "a", "a", "b"]))[0] == pytest.approx(5.0)


def test_stimulation_shift_balances_types_and_skips_types_seen_in_one_condition():
    values = np.zeros((10, 1))
    values[3:6] = 2.0  # type a: stimulated 2 vs control 0
    values[7] = 6.0  # type b: stimulated 6 vs control 0
    values[8:] = 100.0  # type c: control only, must not enter
    # balanced: ((2 + 6) / 2) - 0 = 4; an unbalanced pooled mean would give (3*2 + 6) / 4 = 3
    assert stimulation_shift(values, TYPES, CONDITIONS)[0] == pytest.approx(4.0)


def test_gene_space_prediction_adds_the_shift_to_each_control_profile():
    values = np.zeros((10, 2))
    values[3:6] = [2.0, 0.0]
    values[7] = [6.0, 1.0]
    prediction = predict_in_gene_space(values, TYPES, CONDITIONS, np.array([[1.0, 1.0], [0.0, 0.0]]))
    assert np.allclose(prediction, [[5.0, 1.5], [4.0, 0.5]])


class _IdentityModel:
    """A 'model' whose code is the expression itself: latent arithmetic = gene-space arithmetic."""

    def get_latent_representation(self, adata):
        return np.asarray(adata.X, dtype=np.float32)

    def decode_latent(self, latent):
        return np.asarray(latent)


def test_latent_arithmetic_with_an_identity_code_is_the_gene_space_baseline():
    rng = np.random.default_rng(0)
    values, target = rng.normal(size=(10, 3)), rng.normal(size=(4, 3))
    train = ad.AnnData(values, obs=pd.DataFrame({"cell_type": TYPES, "condition": CONDITIONS},
                                                 index=[str(i) for i in range(10)]))
    assert np.allclose(predict_by_latent_arithmetic(_IdentityModel(), train, ad.AnnData(target)),
                       predict_in_gene_space(values, TYPES, CONDITIONS, target), atol=1e-6)
    with pytest.raises(ValueError, match="no column 'type'"):
        predict_by_latent_arithmetic(_IdentityModel(), train, ad.AnnData(target), cell_type_key="type")


def test_stimulation_shift_bad_input():
    values = np.zeros((10, 2))
    with pytest.raises(ValueError, match="no cells in condition 'stimulated'"):
        stimulation_shift(values, TYPES, np.array(["control"] * 10))
    with pytest.raises(ValueError, match="both conditions"):
        stimulation_shift(values, np.array(["a"] * 5 + ["b"] * 5), np.array(["control"] * 5 + ["stimulated"] * 5))
    with pytest.raises(ValueError, match="one label per sample"):
        stimulation_shift(values, TYPES[:5], CONDITIONS)
    with pytest.raises(ValueError, match="2-D"):
        stimulation_shift(np.zeros(10), TYPES, CONDITIONS)
    with pytest.raises(ValueError, match="NaN"):
        stimulation_shift(np.where(np.arange(20).reshape(10, 2) == 3, np.nan, values), TYPES, CONDITIONS)
    with pytest.raises(ValueError, match="missing labels"):
        stimulation_shift(values, np.where(np.arange(10) == 2, None, TYPES), CONDITIONS)
    with pytest.raises(ValueError, match="missing labels"):
        predict_in_gene_space(values, TYPES, pd.Series(CONDITIONS).where(np.arange(10) != 4), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="genes"):
        predict_in_gene_space(values, TYPES, CONDITIONS, np.zeros((3, 5)))


# ---- Higgins disentanglement score ------------------------------------------------------------------

def _factors(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    return rng, np.c_[rng.integers(5, size=n), rng.integers(2, size=n)]


def test_higgins_score_is_high_for_a_disentangled_code_and_at_chance_for_noise():
    rng, factors = _factors()
    disentangled = factors + 0.2 * rng.normal(size=factors.shape)
    assert higgins_score(disentangled, factors) > 0.95
    assert abs(higgins_score(rng.normal(size=(1500, 2)), factors) - 0.5) < 0.08


def test_higgins_votes_pairs_share_the_fixed_factor():
    _, factors = _factors()
    features, fixed = higgins_votes(factors.astype(float), factors, n_votes=200)
    # when factor k is fixed, the code dimension that copies k does not differ within pairs
    assert np.all(features[fixed == 0, 0] == 0) and np.all(features[fixed == 1, 1] == 0)
    assert set(np.unique(fixed)) == {0, 1}


def test_higgins_bad_input():
    _, factors = _factors(n=20)
    with pytest.raises(ValueError, match="one row per sample"):
        higgins_score(np.zeros((19, 2)), factors)
    with pytest.raises(ValueError, match="at least two factor"):
        higgins_score(np.zeros((20, 2)), factors[:, :1])
    with pytest.raises(ValueError, match="single value"):
        higgins_score(np.zeros((20, 2)), np.c_[factors[:, 0], np.zeros(20)])


# ---- the protocol ------------------------------------------------------------------------------

def _toy_pbmcs(seed=0):
    """Three cell types x two conditions; stimulation adds 2 to log expression of genes 0-4 in every type."""
    rng = np.random.default_rng(seed)
    types = np.repeat(["t0", "t1", "t2"], 60)
    conditions = np.tile(np.repeat(["control", "stimulated"], 30), 3)
    type_means = rng.gamma(2.0, 1.0, size=(3, 40))
    means = type_means[np.repeat([0, 1, 2], 60)]
    x = np.log1p(rng.poisson(means)).astype(np.float32)
    x[conditions == "stimulated", :5] += 2.0
    obs = pd.DataFrame({"cell_type": types, "condition": conditions}, index=[f"c{i}" for i in range(180)])
    return ad.AnnData(x, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(40)]))


def test_hold_out_keeps_the_target_cells_out_of_training():
    split = hold_out(_toy_pbmcs(), "t1", n_top_genes=20, n_degs=5)
    train = split.train.obs
    assert not ((train.cell_type == "t1") & (train.condition == "stimulated")).any()
    assert split.target_stimulated.n_obs == 30 and split.target_control.n_obs == 30
    assert split.train.n_vars == split.target_stimulated.n_vars == 20
    assert set(split.target_stimulated.var_names[split.degs]) <= {f"g{j}" for j in range(40)}
    assert set(split.target_stimulated.var_names[split.degs]) & {"g0", "g1", "g2", "g3", "g4"}


def test_hold_out_bad_input():
    adata = _toy_pbmcs()
    with pytest.raises(ValueError, match="no cells of type"):
        hold_out(adata, "t9")
    with pytest.raises(ValueError, match="no column"):
        hold_out(adata, "t1", cell_type_key="label")
    only_control = adata[~((adata.obs.cell_type == "t1") & (adata.obs.condition == "stimulated"))].copy()
    with pytest.raises(ValueError, match="both"):
        hold_out(only_control, "t1")


def test_expression_models_train_on_log_normalised_anndata():
    adata = _toy_pbmcs()
    model = ExpressionBetaVAE(adata, n_latent=2, hidden=(8,), capacity_max=4.0)
    history = model.train(max_epochs=2, batch_size=16)
    assert history.n_epochs == 2 and model.module.capacity == pytest.approx(4.0)
    latent = model.get_latent_representation()
    assert latent.shape == (adata.n_obs, 2) and not adata.obsm
    assert model.decode_latent(latent).shape == adata.shape


def _counts_with_deep_libraries(seed=0):
    """Two types x two conditions of counts with library sizes in the tens of thousands."""
    rng = np.random.default_rng(seed)
    n, n_genes = 40, 12
    types, conditions = np.repeat(["a", "b"], n // 2), np.tile(np.repeat(["control", "stimulated"], n // 4), 2)
    counts = rng.poisson(rng.uniform(1000, 4000, size=(n, 1)), size=(n, n_genes)).astype(np.float32)
    adata = ad.AnnData(np.log1p(counts), obs=pd.DataFrame({"cell_type": types, "condition": conditions},
                                                          index=[f"c{i}" for i in range(n)]))
    adata.layers["counts"] = counts
    return adata


def test_latent_arithmetic_with_a_count_model_predicts_counts_at_each_cells_library_size():
    from latentbio.models import CountVAE, ExpressionVAE

    adata = _counts_with_deep_libraries()
    torch.manual_seed(0)
    model = CountVAE(adata, n_latent=2, hidden=(8,))
    model.train(max_epochs=2, batch_size=16)
    held_out = ((adata.obs.cell_type == "b") & (adata.obs.condition == "control")).to_numpy()
    control, train = adata[held_out].copy(), adata[~held_out | (adata.obs.cell_type == "a").to_numpy()].copy()
    library = control.layers["counts"].sum(1)
    assert library.min() > 10_000
    predicted = predict_by_latent_arithmetic(model, train, control)
    assert predicted.shape == control.shape
    np.testing.assert_allclose(predicted.sum(1), library, rtol=1e-4)  # counts, not fractions
    fractions = predict_by_latent_arithmetic(model, train, control, library_size=1.0)
    np.testing.assert_allclose(fractions.sum(1), 1.0, rtol=1e-4)
    np.testing.assert_allclose(predicted, fractions * library[:, None], rtol=1e-4)
    with pytest.raises(ValueError, match="'observed' or a positive number"):
        predict_by_latent_arithmetic(model, train, control, library_size="median")
    expression_model = ExpressionVAE(adata, n_latent=2, hidden=(8,))
    with pytest.raises(ValueError, match="library_size is for count models"):
        predict_by_latent_arithmetic(expression_model, train, control, library_size=1e4)
