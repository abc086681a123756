"""The count VAE: its loss is the NB negative ELBO, it learns simulated structure, and its AnnData face checks input."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from latentbio.data.simulate import simulate_counts
from latentbio.likelihoods import negative_binomial_log_prob
from latentbio.metrics import silhouette
from latentbio.models import CountVAE
from latentbio.models.count_vae import CountVAEModule


@pytest.fixture(scope="module")
def simulated():
    return simulate_counts(400, 200, 3, lib_loc=8.0, de_prob=0.3, de_fac_loc=1.0, seed=0)


@pytest.fixture(scope="module")
def trained(simulated):
    torch.manual_seed(0)
    model = CountVAE(simulated, n_latent=4, hidden=(64,))
    model.train(max_epochs=20, batch_size=64, seed=0)
    return model


def test_module_loss_is_the_negative_elbo_with_the_observed_library():
    torch.manual_seed(0)
    module = CountVAEModule(5, n_latent=2, hidden=(8,)).eval()
    counts = torch.tensor([[0.0, 3, 1, 0, 7], [2, 2, 0, 1, 0]])
    mean, log_var = module.encode(counts)
    torch.manual_seed(1)
    terms = module.elbo_terms(counts)
    torch.manual_seed(1)
    z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
    rate = counts.sum(-1, keepdim=True) * module.decode(z)["scale"]
    expected = negative_binomial_log_prob(counts, rate, module.inverse_dispersion)
    torch.testing.assert_close(terms["log_likelihood"], expected)
    assert torch.allclose(module.decode(z)["scale"].sum(-1), torch.ones(2))
    module.kl_weight = 0.5
    torch.manual_seed(1)
    loss = module.loss(counts)
    torch.testing.assert_close(loss["loss"], loss["reconstruction"] + 0.5 * loss["kl"])


def test_zinb_module_has_zero_logits_and_finite_loss():
    module = CountVAEModule(6, n_latent=2, hidden=(8,), likelihood="zinb")
    out = module.decode(torch.zeros(3, 2))
    assert out["zero_logits"].shape == (3, 6)
    assert torch.isfinite(module.loss(torch.poisson(torch.full((4, 6), 2.0)))["loss"])
    with pytest.raises(ValueError, match="likelihood"):
        CountVAEModule(6, likelihood="poisson")


def test_training_lowers_the_loss_and_separates_cell_types(simulated, trained):
    losses = trained.history.train["loss"]
    assert losses[-1] < losses[0] - 50
    assert trained.module.kl_weight == 1.0  # the warm-up is over
    latent = trained.get_latent_representation()
    assert latent.shape == (400, 4)
    assert "X_countvae" not in simulated.obsm, "getters return and never write"
    assert silhouette(latent, simulated.obs["cell_type"]) > 0.3


def test_normalized_expression_is_library_free_and_tracks_de_factors(simulated, trained):
    expression = trained.get_normalized_expression(library_size=1e4)
    assert isinstance(expression, pd.DataFrame) and expression.shape == (400, 200)
    np.testing.assert_allclose(expression.sum(1), 1e4, rtol=1e-4)
    types = simulated.obs["cell_type"].to_numpy()
    decoded_lfc = np.log(expression[types == "type_0"].mean() / expression[types == "type_1"].mean())
    true_lfc = np.log(simulated.var["de_factor_type_0"] / simulated.var["de_factor_type_1"])
    expressed = simulated.var["base_mean"] > 0.5
    assert np.corrcoef(decoded_lfc[expressed], true_lfc[expressed])[0, 1] > 0.7
    assert (trained.inverse_dispersion > 0).all()


def test_latents_of_new_cells_and_decode_latent(simulated, trained):
    subset = simulated[:10].copy()
    subset.obsm.clear()
    latent = trained.get_latent_representation(subset)
    assert not subset.obsm
    every_cell = trained.get_latent_representation()
    np.testing.assert_allclose(latent, every_cell[:10], rtol=1e-5, atol=1e-6)
    scale = trained.decode_latent(latent)
    np.testing.assert_allclose(scale.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(trained.decode_latent(latent, library_size=100.0), 100 * scale, rtol=1e-5)
    with pytest.raises(ValueError, match="4 features"):
        trained.decode_latent(np.zeros((2, 3)))


def test_sparse_counts_are_accepted(simulated):
    sparse_data = ad.AnnData(X=sp.csr_matrix(simulated.X[:50]), var=simulated.var[[]])
    model = CountVAE(sparse_data, layer=None, n_latent=2, hidden=(16,))
    model.train(max_epochs=2, batch_size=25)
    assert model.get_latent_representation().shape == (50, 2)
    assert "2 latent dimensions" in repr(model)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.layers.__setitem__("counts", np.log1p(a.layers["counts"])), "non-integer"),
    (lambda a: a.layers.__setitem__("counts", -a.layers["counts"] - 1), "negative"),
    (lambda a: a.layers["counts"].__setitem__((0, 0), np.nan), "NaN"),
    (lambda a: a.layers.pop("counts"), "no layer 'counts'"),
])
def test_bad_counts_raise(simulated, change, message):
    adata = simulated[:20].copy()
    change(adata)
    with pytest.raises(ValueError, match=message):
        CountVAE(adata)


def test_other_genes_raise(simulated, trained):
    with pytest.raises(ValueError, match="200 genes"):
        trained.get_latent_representation(simulated[:, :50].copy())


@pytest.mark.parametrize("bad, message", [(0.5, "got 0.5"), (-1.0, "got -1"), (float("nan"), "got nan")])
def test_module_loss_refuses_counts_that_are_not_counts(bad, message):
    module = CountVAEModule(3, n_latent=2, hidden=(4,))
    counts = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, bad]])
    with pytest.raises(ValueError, match=f"non-negative integers.*{message}.*give the raw counts"):
        module.loss(counts)


def test_training_checks_the_counts_once_not_per_minibatch(simulated, monkeypatch):
    import latentbio.models.count_vae as count_vae
    calls = []
    monkeypatch.setattr(count_vae, "check_count_batch", lambda counts: calls.append(1))
    model = CountVAE(simulated[:100].copy(), n_latent=2, hidden=(8,))
    model.train(max_epochs=2, batch_size=25)
    assert calls == [] and model.module.counts_checked is False
