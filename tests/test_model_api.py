"""Every model keeps the contract of each role it declares (tested role by role, with no case for any
one model), and bad input gets a clear error that says what to do."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from torch import nn

import latentbio
from latentbio.models import (LORD, MODELS, MODELS_BY_ROLE, VAE, AmortizedLORD, Autoencoder, BetaVAE,
                              ClassConditionedAutoencoder, ConvAutoencoder, ConvVAE, CountVAE, DHSICVAE,
                              ExpressionBetaVAE, ExpressionDHSICVAE, ExpressionVAE, GenerativeClassifier,
                              ImageClassifier, IndependentBernoulli, IndependentBinomial, LORDCells, MultiGroupVI)
from latentbio.models.base import AnnDataModel, ArrayModel
from latentbio.models.roles import ROLES, RepresentationModel
from latentbio.train import History

RNG = np.random.default_rng(0)
FLAT = RNG.random((20, 6)).astype(np.float32)
IMAGES = RNG.random((20, 8, 8)).astype(np.float32)
LABELS = np.arange(20) % 2


def trained_lord():
    lord = LORD((8, 8), 2, 20, content_dim=2, class_dim=2, channels=(4,))
    lord.fit(IMAGES, LABELS, epochs=1, batch_size=8)
    return lord


# How to build a small model of each kind, and the data it reads (construction is not part of any
# contract; everything after it is, and is tested role by role with no case for any one model).
ARRAY_FACTORIES = {
    VAE: (lambda: VAE(6, 2, (4,)), FLAT),
    BetaVAE: (lambda: BetaVAE(6, 2, (4,)), FLAT),
    DHSICVAE: (lambda: DHSICVAE(6, 2, (4,)), FLAT),
    Autoencoder: (lambda: Autoencoder(6, 2, (4,)), FLAT),
    ConvVAE: (lambda: ConvVAE((8, 8), 2, channels=(4,), hidden=8), IMAGES),
    ConvAutoencoder: (lambda: ConvAutoencoder((8, 8), 2, channels=(4,), hidden=8), IMAGES),
    LORD: (lambda: LORD((8, 8), 2, 20, content_dim=2, class_dim=2, channels=(4,)), IMAGES),
    AmortizedLORD: (lambda: AmortizedLORD(trained_lord(), channels=(4,), hidden=8), IMAGES),
    ClassConditionedAutoencoder: (lambda: ClassConditionedAutoencoder((8, 8), 2, content_dim=2, class_dim=2,
                                                                      generator_channels=(4,), encoder_channels=(4,),
                                                                      hidden=8), IMAGES),
    ImageClassifier: (lambda: ImageClassifier((8, 8), 2, channels=(4,), hidden=8), IMAGES),
    GenerativeClassifier: (lambda: GenerativeClassifier(VAE(6, 2, (4,), n_classes=2), n_samples=2), FLAT),
    IndependentBernoulli: (IndependentBernoulli, FLAT),
    IndependentBinomial: (IndependentBinomial, np.round(FLAT * 16) / 16),
}
CONDITIONAL_VARIANTS = {"conditional VAE": (lambda: VAE(6, 2, (4,), n_classes=2), FLAT)}


def small_cells(n_cells=24, n_genes=10):
    counts = RNG.poisson(3.0, size=(n_cells, n_genes)).astype(np.float32) + np.eye(n_cells, n_genes, dtype=np.float32)
    adata = ad.AnnData(np.log1p(counts), obs=pd.DataFrame({"group": pd.Categorical(np.arange(n_cells) % 2 == 0)
                                                           .rename_categories(["a", "b"])},
                                                          index=[f"c{i}" for i in range(n_cells)]))
    adata.layers["counts"] = sp.csr_matrix(counts)
    return adata


ANNDATA_FACTORIES = {
    CountVAE: lambda a: CountVAE(a, n_latent=2, hidden=(4,)),
    MultiGroupVI: lambda a: MultiGroupVI(a, n_shared_latent=2, n_private_latent=2, n_hidden=4),
    ExpressionVAE: lambda a: ExpressionVAE(a, n_latent=2, hidden=(4,)),
    ExpressionBetaVAE: lambda a: ExpressionBetaVAE(a, n_latent=2, hidden=(4,)),
    ExpressionDHSICVAE: lambda a: ExpressionDHSICVAE(a, n_latent=2, hidden=(4,)),
    LORDCells: lambda a: LORDCells(a, ["group"], n_content=2, hidden=(4,)),
}


def cases(role):
    """(id, factory, data) of every exported model of ``role`` (and the conditional VAE)."""
    found = [(model.__name__, *ARRAY_FACTORIES[model]) for model in MODELS_BY_ROLE[role]]
    if role == "representation":
        found += [(name, *case) for name, case in CONDITIONAL_VARIANTS.items()]
    return found


def test_every_exported_model_declares_a_role_and_is_tested_in_it():
    assert set(latentbio.models.__all__) == {model.__name__ for model in MODELS}
    assert set(ROLES) == set(MODELS_BY_ROLE) == {"representation", "transfer", "classifier", "density", "anndata"}
    for model in MODELS:
        assert model.declared_roles(), f"{model.__name__} declares no role"
        assert issubclass(model, (ArrayModel, AnnDataModel))
        assert not getattr(model, "__abstractmethods__", None), f"{model.__name__} lacks {model.__abstractmethods__}"
    assert set(ARRAY_FACTORIES) == set(MODELS) - set(MODELS_BY_ROLE["anndata"])
    assert set(ANNDATA_FACTORIES) == set(MODELS_BY_ROLE["anndata"])
    assert set(MODELS_BY_ROLE["transfer"]) <= set(MODELS_BY_ROLE["representation"])


def test_a_model_that_lacks_a_verb_of_its_role_cannot_be_built():
    class NoDecoder(RepresentationModel):
        def fit(self, x, y=None, *, epochs=1, **options):
            return History()

        def latent(self, x, y=None):
            return x

    with pytest.raises(TypeError, match="decode_mean"):
        NoDecoder()


def fitted(make, x, *, epochs=1):
    latentbio.seed_everything(0)
    model = make()
    y = LABELS if getattr(model, "conditional", False) else None
    history = model.fit(x, y, epochs=epochs, batch_size=8)
    assert isinstance(history, History) and history.n_epochs == 1 and model.history is history
    return model, y


@pytest.mark.parametrize("name, make, x", cases("representation"), ids=lambda c: c if isinstance(c, str) else "")
def test_representation_models_keep_their_contract(name, make, x):
    model, y = fitted(make, x)
    assert "representation" in model.roles and model.module is not None and callable(model.module.loss)
    n = 5
    labels = None if y is None else y[:n]
    codes = model.latent(x[:n], labels)
    assert isinstance(codes, np.ndarray) and codes.ndim == 2 and codes.shape[0] == n
    decoded = model.decode_mean(codes, labels)
    assert isinstance(decoded, np.ndarray) and decoded.shape == x[:n].shape
    np.testing.assert_allclose(model.reconstruct(x[:n], labels), decoded, rtol=1e-5, atol=1e-6)
    if model.conditional:  # labels: needed to fit and to decode
        with pytest.raises(ValueError, match="needs class labels"):
            make().fit(x, epochs=1)
        with pytest.raises(ValueError, match="needs class labels"):
            model.decode_mean(codes)
    else:  # and refused, never ignored, by unconditional models
        for call in (lambda: make().fit(x, LABELS, epochs=1), lambda: model.latent(x[:n], LABELS[:n]),
                     lambda: model.decode_mean(codes, LABELS[:n])):
            with pytest.raises(ValueError, match="not conditional"):
                call()


@pytest.mark.parametrize("name, make, x", cases("transfer"), ids=lambda c: c if isinstance(c, str) else "")
def test_transfer_models_keep_their_contract(name, make, x):
    model, y = fitted(make, x)
    assert model.conditional
    n = 5
    np.testing.assert_array_equal(model.latent(x[:n]), model.latent(x[:n], y[:n]))  # labels are not needed to encode
    transferred = model.transfer(x[:n], 1 - y[:n])
    assert transferred.shape == x[:n].shape
    np.testing.assert_allclose(transferred, model.decode_mean(model.latent(x[:n]), 1 - y[:n]), rtol=1e-5, atol=1e-6)
    assert model.transfer(x[:n], 1).shape == x[:n].shape  # one label for all


@pytest.mark.parametrize("name, make, x", cases("classifier"), ids=lambda c: c if isinstance(c, str) else "")
def test_classifiers_keep_their_contract(name, make, x):
    latentbio.seed_everything(0)
    model = make()
    history = model.fit(x, LABELS, epochs=1, batch_size=8)
    assert isinstance(history, History) and history.n_epochs == 1 and model.history is history
    probabilities = model.predict_proba(x)
    assert probabilities.shape == (len(x), 2)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, rtol=1e-5)
    predicted = model.predict(x)
    assert predicted.shape == (len(x),) and set(predicted) <= {0, 1}
    assert model.score(x, LABELS) == pytest.approx(np.mean(predicted == LABELS))
    assert model.error(x, LABELS) == pytest.approx(1 - model.score(x, LABELS))
    with pytest.raises(ValueError, match="one label per sample"):
        model.score(x, LABELS[:-1])


@pytest.mark.parametrize("name, make, x", cases("density"), ids=lambda c: c if isinstance(c, str) else "")
def test_densities_keep_their_contract(name, make, x):
    model = make()
    history = model.fit(x, epochs=1, batch_size=8, seed=0)  # training options: accepted, no effect (closed form)
    assert isinstance(history, History) and history.n_epochs == 1 and model.history is history
    log_likelihood = model.log_likelihood(x)
    assert log_likelihood.shape == (len(x),) and np.isfinite(log_likelihood).all()
    np.testing.assert_array_equal(model.negative_log_likelihood(x), -log_likelihood)
    assert history.train["loss"][0] == pytest.approx(-log_likelihood.mean(), rel=1e-5)
    with pytest.raises(ValueError, match="takes no labels"):
        make().fit(x, LABELS)
    with pytest.raises(TypeError, match="unknown option"):
        make().fit(x, epoch=3)


@pytest.mark.parametrize("model_class", ANNDATA_FACTORIES, ids=lambda c: c.__name__)
def test_anndata_models_keep_their_contract(model_class):
    latentbio.seed_everything(0)
    adata = small_cells()
    model = ANNDATA_FACTORIES[model_class](adata)
    assert model.roles == ("anndata",) and isinstance(model.module, nn.Module)
    history = model.train(max_epochs=1, batch_size=8)
    assert isinstance(history, History) and history.n_epochs == 1 and model.history is history
    latent = model.get_latent_representation()
    assert isinstance(latent, np.ndarray) and latent.shape == (24, 2)
    assert not adata.obsm, "get_latent_representation returns and never writes"
    np.testing.assert_allclose(model.get_latent_representation(adata[:5].copy()), latent[:5], rtol=1e-5, atol=1e-6)
    decoded = model.decode_latent(latent)
    assert isinstance(decoded, np.ndarray) and decoded.shape == (24, 10) and np.isfinite(decoded).all()
    if model.reads_counts:  # fractions times the library size, one number or one per cell
        np.testing.assert_allclose(decoded.sum(1), 1.0, rtol=1e-4)
        library = model.observed_library_size()
        np.testing.assert_allclose(library, adata.layers["counts"].sum(1).A1)
        np.testing.assert_allclose(model.decode_latent(latent, library_size=library), decoded * library[:, None],
                                   rtol=1e-5)
        expression = model.get_normalized_expression(library_size=10.0)
        assert isinstance(expression, pd.DataFrame) and expression.shape == (24, 10)
        np.testing.assert_allclose(expression.sum(1), 10.0, rtol=1e-4)
    assert model_class.__name__ in repr(model)


# ---- bad input: the error type and the words that say what to do ------------------------------------

def nan_at_one(x):
    x = np.array(x, dtype=np.float32)
    x.flat[3] = np.nan
    return x


BAD_ARRAY_INPUT = [
    ("NaN in x", lambda: VAE(6, 2, (4,)).fit(nan_at_one(FLAT), epochs=1), ValueError, "NaN.*remove or impute"),
    ("NaN in z", lambda: VAE(6, 2, (4,)).decode_mean(np.full((2, 2), np.nan)), ValueError, "NaN"),
    ("NaN label", lambda: VAE(6, 2, (4,), n_classes=2).fit(FLAT, np.r_[np.nan, LABELS[1:]]), ValueError,
     "missing labels.*drop those samples"),
    ("too few labels", lambda: VAE(6, 2, (4,), n_classes=2).fit(FLAT, LABELS[:-1]), ValueError,
     "19 labels for 20 samples.*one label per sample"),
    ("labels to an unconditional VAE", lambda: VAE(6, 2, (4,)).fit(FLAT, LABELS), ValueError, "n_classes=..."),
    ("missing labels", lambda: VAE(6, 2, (4,), n_classes=2).fit(FLAT), ValueError, "needs class labels"),
    ("too many string classes", lambda: VAE(6, 2, (4,), n_classes=2).fit(FLAT, np.array(list("abc") * 7)[:20]),
     ValueError, "build it with n_classes=3"),
    ("pixels above 1", lambda: Autoencoder(6, 2, (4,)).fit(FLAT * 3), ValueError, r"\[0, 1\].*x / x.max"),
    ("wrong feature count", lambda: BetaVAE(5, 2, (4,)).fit(FLAT), ValueError, "5 features"),
    ("images as flat rows", lambda: ImageClassifier((8, 8), 2).fit(FLAT, LABELS), ValueError, "grey"),
    ("NaN in images", lambda: ImageClassifier((8, 8), 2).fit(nan_at_one(IMAGES), LABELS), ValueError, "NaN"),
    ("images of another size", lambda: LORD((16, 16), 2, 20).fit(IMAGES, LABELS), ValueError, "16x16"),
    ("colour images to a grey model", lambda: ImageClassifier((8, 8), 2).fit(np.zeros((4, 8, 8, 3)), [0, 1, 0, 1]),
     ValueError, "1 channel"),
    ("fewer images than codes", lambda: LORD((8, 8), 2, 20, channels=(4,)).fit(IMAGES[:10], LABELS[:10]),
     ValueError, "content codes for 20 images"),
    ("bad image shape", lambda: LORD((8, 6), 2, 20), ValueError, r"\(size, size\)"),
    ("AmortizedLORD from another model", lambda: AmortizedLORD(VAE(6)), TypeError, "trained LORD"),
    ("transfer to an unknown class", lambda: trained_transfer_model().transfer(IMAGES[:2], [0, 5]), ValueError,
     r"\[0, 2\)"),
    ("dHSIC with one latent dimension", lambda: DHSICVAE(6, 1), ValueError, "at least two latent dimensions"),
    ("string labels with strings of other classes", lambda: string_vae().latent(FLAT, ["z"] * 20), ValueError,
     "not among the 2 known categories"),
]


def trained_transfer_model():
    model = ClassConditionedAutoencoder((8, 8), 2, generator_channels=(4,), encoder_channels=(4,), hidden=8)
    model.fit(IMAGES, LABELS, epochs=1, batch_size=8)
    return model


def string_vae():
    model = VAE(6, 2, (4,), n_classes=2)
    model.fit(FLAT, np.array(["x", "y"])[LABELS], epochs=1)
    return model


@pytest.mark.parametrize("case, call, error, words", BAD_ARRAY_INPUT, ids=[case[0] for case in BAD_ARRAY_INPUT])
def test_array_models_explain_bad_input(case, call, error, words):
    with pytest.raises(error, match=words):
        call()


def with_counts(change):
    adata = small_cells()
    counts = adata.layers["counts"].toarray()
    change(counts)
    adata.layers["counts"] = counts
    return adata


BAD_ANNDATA_INPUT = [
    ("fractional counts", lambda: CountVAE(with_counts(lambda c: c.__setitem__((0, 0), 0.5))), ValueError,
     "non-integer.*raw integer counts.*layer='counts'"),
    ("negative counts", lambda: MultiGroupVI(with_counts(lambda c: c.__setitem__((0, 0), -1))), ValueError,
     "negative"),
    ("NaN counts", lambda: CountVAE(with_counts(lambda c: c.__setitem__((0, 0), np.nan))), ValueError, "NaN"),
    ("log-normalised X to a count model", lambda: CountVAE(small_cells(), layer=None), ValueError,
     "non-integer.*layer='counts'"),
    ("NaN in expression", lambda: ExpressionVAE(ad.AnnData(nan_at_one(FLAT))), ValueError, "NaN.*remove or impute"),
    ("missing layer", lambda: ExpressionVAE(small_cells(), layer="raw"), ValueError, "no layer 'raw'"),
    ("not an AnnData", lambda: ExpressionVAE(FLAT), TypeError, "anndata.AnnData"),
    ("missing group column", lambda: MultiGroupVI(small_cells(), group_key="batch"), ValueError, "no column 'batch'"),
    ("other genes", lambda: ExpressionVAE(small_cells()).get_latent_representation(small_cells()[:, :5].copy()),
     ValueError, r"adata\[:, model.var_names\]"),
    ("fractional counts to the module", lambda: CountVAE(small_cells()).module.loss(torch.full((2, 10), 0.5)),
     ValueError, "give the raw counts"),
    ("one cell per minibatch", lambda: one_group_model().train(max_epochs=1, batch_size=1), ValueError,
     "at least 2 cells: raise batch_size"),
    ("unknown space", lambda: MultiGroupVI(small_cells()).get_latent_representation(space="c"), ValueError,
     "'shared' or one of the groups"),
]


def one_group_model():
    adata = small_cells()
    adata.obs["group"] = pd.Categorical(["a"] * adata.n_obs)
    return MultiGroupVI(adata, n_hidden=4)


@pytest.mark.parametrize("case, call, error, words", BAD_ANNDATA_INPUT, ids=[case[0] for case in BAD_ANNDATA_INPUT])
def test_anndata_models_explain_bad_input(case, call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_dhsic_vae_trains_when_the_last_minibatch_would_hold_one_sample():
    history = DHSICVAE(64, 2, (16,)).fit(np.random.default_rng(0).random((129, 64)), epochs=1, batch_size=128)
    assert np.isfinite(history.train["dhsic"][0])


def test_string_labels_and_sparse_x_train_models():
    strings = np.array(["cat", "dog"])[LABELS]
    model = VAE(6, 2, (4,), n_classes=2)
    model.fit(sp.csr_matrix(FLAT), strings, epochs=1)
    assert model.decode_mean(np.zeros((2, 2)), ["dog", "cat"]).shape == (2, 6)
    classifier = ImageClassifier((8, 8), 2, channels=(4,), hidden=8)
    classifier.fit(IMAGES, pd.Categorical(strings), epochs=1)
    assert set(classifier.predict(IMAGES)) <= {"cat", "dog"}
