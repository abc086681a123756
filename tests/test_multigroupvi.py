"""multiGroupVI: the penalty, the masking, the balanced sampler, the AnnData face and bad input."""

import gzip

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import torch

from latentbio.data import read_haber2017_regions
from latentbio.data.preprocess import select_highly_variable_genes
from latentbio.distributions import kl_normal
from latentbio.models.multigroupvi import MultiGroupVI, MultiGroupVIModule, official_max_epochs, wasserstein_to_zero


def small_counts(n_cells=120, n_genes=30, n_groups=2, seed=0) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    group = np.arange(n_cells) % n_groups
    rates = rng.gamma(2.0, 2.0, size=n_genes) * np.where(group[:, None] == 1, 1.0, 0.5)
    rates[:, :5] *= np.where(group[:, None] == 1, 8.0, 1.0)   # genes only group 1 switches on
    counts = rng.poisson(rates).astype(np.float32)
    counts[:, 0] += 1  # no empty cell
    obs = pd.DataFrame({"group": pd.Categorical([f"g{g}" for g in group]),
                        "cell_type": pd.Categorical(rng.choice(["a", "b"], size=n_cells))},
                       index=[f"c{i}" for i in range(n_cells)])
    adata = ad.AnnData(X=counts.copy(), obs=obs, var=pd.DataFrame(index=[f"gene{j}" for j in range(n_genes)]))
    adata.layers["counts"] = counts
    return adata


# ---- the penalty and the KL ----------------------------------------------------------------

def test_wasserstein_to_a_point_mass_by_hand():
    mean = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    log_var = torch.log(torch.tensor([[0.5, 0.25], [1.0, 1.0]]))
    # ||mu||^2 + sum of variances: 1 + 4 + 0.5 + 0.25, and 0 + 2
    assert torch.allclose(wasserstein_to_zero(mean, log_var), torch.tensor([5.75, 2.0]))


def test_wasserstein_to_zero_is_the_mean_squared_norm_of_samples():
    torch.manual_seed(0)
    mean, log_var = torch.tensor([[0.5, -1.0, 2.0]]), torch.tensor([[0.0, -1.0, 0.5]])
    samples = mean + torch.exp(0.5 * log_var) * torch.randn(200_000, 3)
    assert float(samples.pow(2).sum(-1).mean()) == pytest.approx(float(wasserstein_to_zero(mean, log_var)), rel=0.01)


def test_kl_normal_matches_torch():
    mean, log_var = torch.tensor([[0.3], [-1.0]]), torch.tensor([[0.2], [-0.7]])
    prior_mean, prior_var = torch.tensor(1.5), torch.tensor(0.4)
    expected = torch.distributions.kl_divergence(
        torch.distributions.Normal(mean, torch.exp(0.5 * log_var)),
        torch.distributions.Normal(prior_mean, prior_var.sqrt())).sum(-1)
    assert torch.allclose(kl_normal(mean, log_var, prior_mean, prior_var), expected, atol=1e-6)


# ---- the module: masking and loss ----------------------------------------------------------------

def make_module(**options) -> MultiGroupVIModule:
    torch.manual_seed(0)
    return MultiGroupVIModule(20, 3, library_log_mean=5.0, library_log_var=0.5, **options).eval()


def batch(n=12, n_genes=20, groups=(0, 1, 2)):
    generator = torch.Generator().manual_seed(1)
    counts = torch.poisson(torch.full((n, n_genes), 3.0), generator=generator)
    return counts, torch.tensor([groups[i % len(groups)] for i in range(n)])


@torch.no_grad()
def loss_with_seed(module, counts, group):
    torch.manual_seed(5)
    return {name: float(value) for name, value in module.loss(counts, group).items()}


def test_other_groups_encoders_do_not_reach_the_decoder():
    module = make_module()
    counts, group = batch(groups=(0,))
    before = loss_with_seed(module, counts, group)
    with torch.no_grad():  # scramble the encoders of groups 1 and 2: cells of group 0 must not notice ...
        for encoder in module.group_encoders[1:]:
            for parameter in encoder.parameters():
                parameter.add_(torch.randn_like(parameter))
    after = loss_with_seed(module, counts, group)
    assert after["reconstruction"] == pytest.approx(before["reconstruction"], rel=1e-6)
    assert after["kl"] == pytest.approx(before["kl"], rel=1e-6)
    assert after["wasserstein"] != pytest.approx(before["wasserstein"], rel=1e-3)  # ... except through W


def test_penalty_sums_over_the_other_groups_only():
    module = make_module()
    counts, group = batch()
    with torch.no_grad():
        posterior = module.encode(counts)
    per_group = wasserstein_to_zero(*posterior["private"])  # (cells, groups)
    others = 1.0 - torch.nn.functional.one_hot(group, 3).float()
    assert loss_with_seed(module, counts, group)["wasserstein"] == pytest.approx(
        float((per_group * others).sum(-1).mean()), rel=1e-5)


def test_loss_weights_the_penalty_by_lambda_and_the_warm_up():
    counts, group = batch()
    terms = loss_with_seed(make_module(wasserstein_penalty=0.0), counts, group)
    assert terms["loss"] == pytest.approx(terms["reconstruction"] + terms["kl"], rel=1e-5)
    module = make_module(wasserstein_penalty=2.0)
    module.kl_weight = 0.5
    terms = loss_with_seed(module, counts, group)
    assert terms["loss"] == pytest.approx(terms["reconstruction"] + 0.5 * (terms["kl"] + 2 * terms["wasserstein"]),
                                          rel=1e-5)


def test_decoder_gives_fractions_and_scales_by_the_library():
    module = make_module()
    shared, private = torch.zeros(2, 10), torch.zeros(2, 3, 10)
    decoded = module.decode(shared, private, torch.log(torch.tensor([[100.0], [1000.0]])))
    assert torch.allclose(decoded["expression"].sum(-1), torch.ones(2))
    assert torch.allclose(decoded["mean"].sum(-1), torch.tensor([100.0, 1000.0]))
    assert "zero_logits" in decoded and "zero_logits" not in make_module(likelihood="nb").decode(
        shared, private, torch.zeros(2, 1))


def test_shared_transport_penalty_is_reported_and_added():
    counts, group = batch()
    terms = loss_with_seed(make_module(shared_ot_penalty=3.0), counts, group)
    assert terms["shared_ot"] > 0
    assert terms["loss"] == pytest.approx(terms["reconstruction"] + terms["kl"] + terms["wasserstein"]
                                          + 3.0 * terms["shared_ot"], rel=1e-5)


@pytest.mark.parametrize("options, message", [
    ({"likelihood": "poisson"}, "likelihood"), ({"wasserstein_penalty": -1.0}, "non-negative"),
    ({"library_log_var": 0.0}, "positive"),
])
def test_bad_module_options_raise(options, message):
    arguments = {"library_log_mean": 5.0, "library_log_var": 0.5, **options}
    with pytest.raises(ValueError, match=message):
        MultiGroupVIModule(20, 2, **arguments)


# ---- the AnnData face ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    adata = small_counts()
    model = MultiGroupVI(adata, group_key="group", n_hidden=32, n_shared_latent=3, n_private_latent=2)
    history = model.train(max_epochs=40, batch_size=30, lr=3e-3)
    return adata, model, history


def test_training_lowers_the_loss_and_shrinks_other_groups_codes(trained):
    adata, model, history = trained
    assert history.train["loss"][-1] < history.train["loss"][0]
    own = (adata.obs["group"] == "g1").to_numpy()
    private = model.get_latent_representation(adata, space="g1")
    # encoder g1 has learnt to answer (nearly) nothing for cells of group g0
    assert np.square(private[~own]).sum(1).mean() < 0.5 * np.square(private[own]).sum(1).mean()


def test_latents_and_decoded_expression(trained):
    adata, model, _ = trained
    keys = set(adata.obsm)
    assert model.get_latent_representation().shape == (120, 3)
    assert model.get_latent_representation(space="g0").shape == (120, 2)
    assert np.allclose(model.get_latent_representation(adata.copy()), model.get_latent_representation())
    assert set(adata.obsm) == keys, "getters return and never write"
    everything = model.get_normalized_expression(codes="all")
    shared = model.get_normalized_expression(adata, codes="shared", library_size=10.0)
    assert list(everything.columns) == list(adata.var_names) and list(everything.index) == list(adata.obs_names)
    assert np.allclose(everything.sum(1), 1.0, atol=1e-5) and np.allclose(shared.sum(1), 10.0, atol=1e-4)
    assert not np.allclose(everything, shared / 10)


def test_likelihood_ratio_ranking(trained):
    adata, model, _ = trained
    table = model.rank_genes(adata, group="g1", cell_type_key="cell_type", cell_type="a", n_top=5)
    assert list(table.columns) == ["gene", "likelihood_ratio", "log2_fold_change"] and len(table) == 5
    assert np.all(np.diff(table["likelihood_ratio"].to_numpy()) <= 0)
    full = model.likelihood_ratio(adata[(adata.obs["group"] == "g1").to_numpy()])
    assert full.shape == (30,) and np.isfinite(full).all()
    raised = model.rank_genes(adata, group="g1", cell_type_key="cell_type", cell_type="a", raised_only=True)
    everything = model.rank_genes(adata, group="g1", cell_type_key="cell_type", cell_type="a")
    assert (raised["log2_fold_change"] > 0).all()
    assert list(raised["gene"]) == list(everything[everything["log2_fold_change"] > 0]["gene"])


def test_official_budget():
    assert official_max_epochs(1500) == 400 and official_max_epochs(20000) == 400
    assert official_max_epochs(40000) == 200
    with pytest.raises(ValueError):
        official_max_epochs(0)


def test_train_runs_a_callers_epoch_callback_after_the_warm_up():
    adata = small_counts()
    model = MultiGroupVI(adata, group_key="group", n_shared_latent=3, n_private_latent=2, n_hidden=16)
    seen = []
    model.train(3, kl_warmup_epochs=4, on_epoch_start=lambda epoch: seen.append((epoch, model.module.kl_weight)))
    assert [epoch for epoch, _ in seen] == [0, 1, 2]
    assert [weight for _, weight in seen] == pytest.approx([0.25, 0.5, 0.75])


def bad_inputs():
    adata = small_counts()
    fractional = adata.copy()
    fractional.layers["counts"] = fractional.layers["counts"] + 0.5
    empty_group = adata.copy()
    empty_group.obs["group"] = empty_group.obs["group"].cat.add_categories(["g9"])
    no_counts = adata.copy()
    no_counts.layers["counts"][0] = 0
    return [(fractional, "group", "non-integer"), (adata, "region", "no column"),
            (empty_group, "group", "no cells"), (no_counts, "group", "no counts")]


@pytest.mark.parametrize("adata, key, message", bad_inputs())
def test_bad_anndata_raises(adata, key, message):
    with pytest.raises(ValueError, match=message):
        MultiGroupVI(adata, group_key=key)


def test_bad_queries_raise(trained):
    adata, model, _ = trained
    with pytest.raises(ValueError, match="space must be"):
        model.get_latent_representation(adata, space="g7")
    with pytest.raises(ValueError, match="same order"):
        model.get_latent_representation(adata[:, ::-1])
    with pytest.raises(ValueError, match="codes must be"):
        model.get_normalized_expression(adata, codes="private")
    with pytest.raises(ValueError, match="no cells of type"):
        model.rank_genes(adata, group="g0", cell_type_key="cell_type", cell_type="z")


def test_every_method_refuses_cells_of_a_group_the_model_never_saw(trained):
    adata, model, _ = trained
    stranger = adata[:6].copy()
    stranger.obs["group"] = pd.Categorical(["g9"] * 6)
    calls = [lambda: model.get_latent_representation(stranger),
             lambda: model.get_latent_representation(stranger, space="g0"),
             lambda: model.get_normalized_expression(stranger), lambda: model.likelihood_ratio(stranger)]
    for call in calls:
        with pytest.raises(ValueError, match=r"\['g9'\].*knows the groups \['g0', 'g1'\]"):
            call()
    unlabelled = adata[:6].copy()
    del unlabelled.obs["group"]
    with pytest.raises(ValueError, match="no column 'group'"):
        model.get_latent_representation(unlabelled)


def test_decode_latent_decodes_shared_and_private_codes(trained):
    adata, model, _ = trained
    shared = model.get_latent_representation()
    np.testing.assert_allclose(model.decode_latent(shared), model.get_normalized_expression(codes="shared"), rtol=1e-4,
                               atol=1e-7)
    g1 = (adata.obs["group"] == "g1").to_numpy()
    with_private = model.decode_latent(shared[g1], group="g1",
                                       private_latent=model.get_latent_representation(space="g1")[g1])
    np.testing.assert_allclose(with_private, model.get_normalized_expression(codes="all")[g1], rtol=1e-4, atol=1e-7)
    library = model.observed_library_size()
    np.testing.assert_allclose(model.decode_latent(shared, library_size=library).sum(1), library, rtol=1e-4)
    with pytest.raises(ValueError, match="together"):
        model.decode_latent(shared, group="g1")
    with pytest.raises(ValueError, match="one of the groups"):
        model.decode_latent(shared, group="g7", private_latent=shared[:, :2])
    with pytest.raises(ValueError, match="one number or one per cell"):
        model.decode_latent(shared, library_size=library[:5])


# ---- preprocessing of the Haber regional table (a small local file in the GEO format) -------------

def test_haber_regional_table_is_read_and_prepared(tmp_path):
    rng = np.random.default_rng(0)
    regions = ["Duodenum", "Jejunum", "Ileum"]
    cells = [f"AAAC{i:04d}_{regions[i % 3]}_M{i % 2}_{['Enterocyte', 'Goblet'][i % 2]}" for i in range(30)]
    genes = [f"Gene{j}" for j in range(40)]
    table = pd.DataFrame(rng.poisson(2.0, size=(40, 30)), index=genes, columns=cells)
    path = tmp_path / "GSE92332_Regional_UMIcounts.txt.gz"
    with gzip.open(path, "wt") as handle:
        table.to_csv(handle, sep="\t")
    adata = select_highly_variable_genes(read_haber2017_regions(path), n_top_genes=10)
    assert adata.shape == (30, 10)
    assert sorted(adata.obs["region"].cat.categories) == sorted(regions)
    counts = adata.layers["counts"].toarray()
    assert np.array_equal(counts, table.loc[adata.var_names].T.to_numpy())
    assert np.allclose(adata.X.toarray(), np.log1p(counts / table.sum(0).to_numpy()[:, None] * 1e4), atol=1e-4)
    MultiGroupVI(adata, group_key="region")  # the prepared data are accepted as they are


def test_gene_selection_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_top_genes"):
        select_highly_variable_genes(small_counts(), n_top_genes=500)
