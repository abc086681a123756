"""Every model answers to its family's verbs, and bad input gets a clear error that says what to do."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from torch import nn

import latentbio
from latentbio.models import (ANNDATA_MODELS, ARRAY_MODELS, LORD, VAE, AmortizedLORD, Autoencoder, BetaVAE,
                              ClassConditionedAutoencoder, ConvAutoencoder, ConvVAE, CountVAE, DHSICVAE,
                              ExpressionBetaVAE, ExpressionDHSICVAE, ExpressionVAE, GenerativeClassifier,
                              ImageClassifier, IndependentBernoulli, IndependentBinomial, LORDCells, MultiGroupVI)
from latentbio.models.base import AnnDataModel, ArrayModel, TransferModel
from latentbio.train import History

RNG = np.random.default_rng(0)
FLAT = RNG.random((20, 6)).astype(np.float32)
IMAGES = RNG.random((20, 8, 8)).astype(np.float32)
LABELS = np.arange(20) % 2


def trained_lord():
    lord = LORD((8, 8), 2, 20, content_dim=2, class_dim=2, channels=(4,))
    lord.fit(IMAGES, LABELS, epochs=1, batch_size=8)
    return lord


# model -> (constructor, fit arguments, verbs beyond fit). The verb test fails for a model missing here.
ARRAY_CASES = {
    VAE: (lambda: VAE(6, 2, (4,), n_classes=2), (FLAT, LABELS), ("latent", "decode_mean")),
    Autoencoder: (lambda: Autoencoder(6, 2, (4,)), (FLAT,), ("latent", "decode_mean")),
    ConvVAE: (lambda: ConvVAE((8, 8), 2, channels=(4,), hidden=8), (IMAGES,), ("latent", "decode_mean")),
    ConvAutoencoder: (lambda: ConvAutoencoder((8, 8), 2, channels=(4,), hidden=8), (IMAGES,), ("latent", "decode_mean")),
    BetaVAE: (lambda: BetaVAE(6, 2, (4,)), (FLAT,), ("latent", "decode_mean")),
    DHSICVAE: (lambda: DHSICVAE(6, 2, (4,)), (FLAT,), ("latent", "decode_mean")),
    GenerativeClassifier: (lambda: GenerativeClassifier(VAE(6, 2, (4,), n_classes=2), n_samples=2), (FLAT, LABELS),
                           ("predict",)),
    IndependentBernoulli: (IndependentBernoulli, (FLAT,), ("negative_log_likelihood",)),
    IndependentBinomial: (IndependentBinomial, (np.round(FLAT * 16) / 16,), ("negative_log_likelihood",)),
    ImageClassifier: (lambda: ImageClassifier((8, 8), 2, channels=(4,), hidden=8), (IMAGES, LABELS), ("predict",)),
    LORD: (lambda: LORD((8, 8), 2, 20, content_dim=2, class_dim=2, channels=(4,)), (IMAGES, LABELS), ()),
    AmortizedLORD: (lambda: AmortizedLORD(trained_lord(), channels=(4,), hidden=8), (IMAGES, LABELS),
                    ("latent", "transfer")),
    ClassConditionedAutoencoder: (lambda: ClassConditionedAutoencoder((8, 8), 2, content_dim=2, class_dim=2,
                                                                      generator_channels=(4,), encoder_channels=(4,),
                                                                      hidden=8), (IMAGES, LABELS), ("latent", "transfer")),
}


def small_cells(n_cells=24, n_genes=10):
    counts = RNG.poisson(3.0, size=(n_cells, n_genes)).astype(np.float32) + np.eye(n_cells, n_genes, dtype=np.float32)
    adata = ad.AnnData(np.log1p(counts), obs=pd.DataFrame({"group": pd.Categorical(np.arange(n_cells) % 2 == 0)
                                                           .rename_categories(["a", "b"])},
                                                          index=[f"c{i}" for i in range(n_cells)]))
    adata.layers["counts"] = sp.csr_matrix(counts)
    return adata


ANNDATA_CASES = {
    CountVAE: (lambda a: CountVAE(a, n_latent=2, hidden=(4,)), ("decode_latent", "get_normalized_expression")),
    MultiGroupVI: (lambda a: MultiGroupVI(a, n_shared_latent=2, n_private_latent=2, n_hidden=4),
                   ("get_normalized_expression",)),
    ExpressionVAE: (lambda a: ExpressionVAE(a, n_latent=2, hidden=(4,)), ("decode_latent",)),
    ExpressionBetaVAE: (lambda a: ExpressionBetaVAE(a, n_latent=2, hidden=(4,)), ("decode_latent",)),
    ExpressionDHSICVAE: (lambda a: ExpressionDHSICVAE(a, n_latent=2, hidden=(4,)), ("decode_latent",)),
    LORDCells: (lambda a: LORDCells(a, ["group"], n_content=2, hidden=(4,)), ()),
}


def test_every_exported_model_is_covered_by_the_verb_tests():
    assert set(ARRAY_MODELS) == set(ARRAY_CASES) and set(ANNDATA_MODELS) == set(ANNDATA_CASES)
    assert set(latentbio.models.__all__) == {model.__name__ for model in ARRAY_MODELS + ANNDATA_MODELS}


@pytest.mark.parametrize("model_class", ARRAY_CASES, ids=lambda c: c.__name__)
def test_array_models_answer_to_their_verbs(model_class):
    latentbio.seed_everything(0)
    make, data, verbs = ARRAY_CASES[model_class]
    model = make()
    assert isinstance(model, ArrayModel)
    if model.module is not None:
        assert isinstance(model.module, nn.Module) and callable(model.module.loss)
    options = {} if model_class in (IndependentBernoulli, IndependentBinomial) else {"epochs": 1, "batch_size": 8}  # closed form: no epochs
    history = model.fit(*data, **options)
    assert isinstance(history, History) and history.n_epochs == 1 and model.history is history
    n = 5
    x, y = data[0][:n], (data[1][:n] if len(data) > 1 else None)
    conditional = getattr(model, "n_classes", 0) and model_class in (VAE,)
    if "latent" in verbs:
        codes = model.latent(x, y) if conditional else model.latent(x)
        assert isinstance(codes, np.ndarray) and codes.shape[0] == n
    if hasattr(model, "decode_mean"):
        if isinstance(model, TransferModel) or model_class is LORD:
            codes = model.learned_content_codes()[:n] if model_class is LORD else model.latent(x)
            decoded = model.decode_mean(codes, y)
            assert decoded.shape == x.shape
        else:
            decoded = model.decode_mean(codes, y) if conditional else model.decode_mean(codes)
            assert decoded.shape == (n, *x.shape[1:])  # flat rows, or images for image models
    if "transfer" in verbs:
        assert isinstance(model, TransferModel)
        assert model.transfer(x, 1 - y).shape == x.shape
    for verb in verbs:
        assert callable(getattr(model, verb))
    assert (model_class is LORD) == (not hasattr(model, "latent") and hasattr(model, "decode_mean")), \
        "only LORD's stage 1 decodes without an encoder"


@pytest.mark.parametrize("model_class", ANNDATA_CASES, ids=lambda c: c.__name__)
def test_anndata_models_answer_to_their_verbs(model_class):
    latentbio.seed_everything(0)
    make, verbs = ANNDATA_CASES[model_class]
    adata = small_cells()
    model = make(adata)
    assert isinstance(model, AnnDataModel) and isinstance(model.module, nn.Module)
    history = model.train(max_epochs=1, batch_size=8)
    assert isinstance(history, History) and history.n_epochs == 1 and model.history is history
    latent = model.get_latent_representation()
    assert isinstance(latent, np.ndarray) and latent.shape == (24, 2)
    assert not adata.obsm, "get_latent_representation returns and never writes"
    np.testing.assert_allclose(model.get_latent_representation(adata[:5].copy()), latent[:5], rtol=1e-5, atol=1e-6)
    if "decode_latent" in verbs:
        assert model.decode_latent(latent).shape == (24, 10)
    if "get_normalized_expression" in verbs:
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
