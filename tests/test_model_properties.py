"""Property-based tests: random shapes, dtypes, NaNs and label types given to every public model.

Each example builds a model with random (sometimes invalid) settings and trains it for one epoch
on tiny random data. The only acceptable outcomes are a correct result (a History of one epoch
with finite losses) or a ``ValueError``/``TypeError`` raised by latentbio itself, never an error
from deep inside numpy, pandas or torch.
"""

from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from latentbio.models import (LORD, VAE, Autoencoder, BetaVAE, ClassConditionedAutoencoder, CountVAE, DHSICVAE,
                              ExpressionBetaVAE, ExpressionDHSICVAE, ExpressionVAE, GenerativeClassifier,
                              ImageClassifier, IndependentBernoulli, MultiGroupVI)
from latentbio.train import History

PACKAGE = Path(__import__("latentbio").__file__).parent
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
                    database=None)  # no .hypothesis folder in the project


def raised_by_latentbio(error: BaseException) -> bool:
    """Whether the innermost frame of ``error``'s traceback is in the latentbio package."""
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    return Path(frame.tb_frame.f_code.co_filename).resolve().is_relative_to(PACKAGE.resolve())


def outcome_is_acceptable(call) -> None:
    """Run ``call``: it returns a one-epoch History with finite losses, or latentbio raises a ValueError/TypeError."""
    try:
        history = call()
    except (ValueError, TypeError) as error:
        assert raised_by_latentbio(error), f"{type(error).__name__} from outside latentbio: {error}"
        event(f"{type(error).__name__}: {str(error)[:40]}")
        return
    event("trained")
    assert isinstance(history, History) and history.n_epochs == 1
    assert all(np.isfinite(values).all() for values in history.train.values()), history.train


@st.composite
def matrices(draw, *, rows=(0, 12), columns=(1, 6)):
    """A feature matrix in one of many forms: floats in or out of [0, 1], integers, booleans, strings,
    NaN or inf, a list, a tensor, a sparse matrix or a 3-D array."""
    n, d = draw(st.integers(*rows)), draw(st.integers(*columns))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    values = rng.random((n, d)) * draw(st.sampled_from([1.0, 1.0, 3.0]))
    values *= draw(st.sampled_from([1.0, 1.0, -1.0]))
    if n and draw(st.sampled_from([False, False, True])):
        values.flat[rng.integers(values.size)] = draw(st.sampled_from([np.nan, np.inf]))
    form = draw(st.sampled_from(["float32", "float32", "float64", "float64", "int", "bool", "str", "list", "tensor",
                                 "sparse", "sparse", "3d"]))
    if form == "float32":
        return values.astype(np.float32)
    if form == "int":
        return np.nan_to_num(values, posinf=1, neginf=-1).round().astype(np.int64)
    if form == "bool":
        return values > 0.5
    if form == "str":
        return values.astype(str)
    if form == "list":
        return values.tolist()
    if form == "tensor":
        return torch.as_tensor(values)
    if form == "sparse":
        return sp.csr_matrix(values)
    if form == "3d":
        return values.reshape(n, d, 1)
    return values


@st.composite
def labels(draw, n: int):
    """Class labels of many types, sometimes of the wrong length or with a missing value."""
    length = n + draw(st.sampled_from([0, 0, 0, -1, 1]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    codes = rng.integers(0, draw(st.integers(1, 4)), size=max(length, 0))
    form = draw(st.sampled_from(["none", "none", "int", "int", "str", "str", "float", "nan", "categorical",
                                 "categorical", "2d", "negative"]))
    if form == "none":
        return None
    if form == "str":
        return np.array(["a", "b", "c", "d"])[codes]
    if form == "float":
        return codes.astype(float)
    if form == "nan":
        return np.r_[codes[:-1].astype(float), np.nan] if len(codes) else codes.astype(float)
    if form == "categorical":
        return pd.Categorical(np.array(["x", "y", "z", "w"])[codes])
    if form == "2d":
        return codes[:, None]
    if form == "negative":
        return codes - 1
    return codes


def flat_model(draw, d: int):
    """One of the flat-vector models with random, sometimes invalid, settings."""
    n_input = d + draw(st.sampled_from([0, 0, 0, 1]))
    n_latent = draw(st.sampled_from([2, 2, 3, 1, 0]))  # mostly valid settings, so that training is reached
    hidden = draw(st.sampled_from([(4,), (4,), (3, 2), (3, 2), (), (0,)]))
    n_classes = draw(st.sampled_from([0, 0, 4, 4, 2]))
    likelihood = draw(st.sampled_from(["bernoulli", "gaussian", "gaussian", "poisson"]))
    kind = draw(st.sampled_from(["vae", "autoencoder", "beta", "dhsic", "classifier", "bernoulli"]))
    if kind == "vae":
        return lambda: VAE(n_input, n_latent, hidden, beta=draw(st.sampled_from([1.0, 1.0, 0.0, -1.0])),
                           likelihood=likelihood, n_classes=n_classes)
    if kind == "autoencoder":
        return lambda: Autoencoder(n_input, n_latent, hidden, likelihood=likelihood)
    if kind == "beta":
        return lambda: BetaVAE(n_input, n_latent, hidden, capacity_max=draw(st.sampled_from([5.0, 5.0, -1.0])),
                               likelihood=likelihood, n_classes=n_classes)
    if kind == "dhsic":
        return lambda: DHSICVAE(n_input, n_latent, hidden, gamma=draw(st.sampled_from([1.0, 1.0, -1.0])),
                                likelihood=likelihood, n_classes=n_classes)
    if kind == "classifier":
        return lambda: GenerativeClassifier(VAE(n_input, n_latent, hidden, likelihood=likelihood, n_classes=n_classes))
    return IndependentBernoulli


@given(st.data())
@SETTINGS
def test_flat_models_give_a_result_or_a_clear_error(data):
    x = data.draw(matrices())
    n, d = (np.shape(x) + (1, 1))[:2] if not isinstance(x, list) else (len(x), len(x[0]) if x else 1)
    y = data.draw(labels(n))
    make = flat_model(data.draw, d)
    batch_size = data.draw(st.integers(1, 8))

    def fit():
        arguments = (x,) if y is None else (x, y)  # one call for every model: densities take and ignore epochs
        return make().fit(*arguments, epochs=1, batch_size=batch_size)

    outcome_is_acceptable(fit)


@given(st.data())
@SETTINGS
def test_image_models_give_a_result_or_a_clear_error(data):
    size = data.draw(st.sampled_from([8, 8, 8, 4, 6]))
    channels = data.draw(st.sampled_from([None, None, 1, 3]))
    image_shape = (size, size) if channels is None else (size, size, channels)
    n = data.draw(st.integers(0, 10))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    matching = (n, *image_shape) if channels != 1 else (n, size, size)
    shape = data.draw(st.sampled_from([matching, matching, matching, (n, 8, 8, 3), (n, 64), (n, 8, 6)]))
    images = rng.random(shape) * data.draw(st.sampled_from([1.0, 1.0, 1.0, 2.0]))
    if n and data.draw(st.sampled_from([False, False, True])):
        images.flat[0] = np.nan
    y = data.draw(labels(n))
    n_classes = data.draw(st.sampled_from([4, 4, 2, 0]))
    kind = data.draw(st.sampled_from(["classifier", "lord", "baseline"]))

    def fit():
        if kind == "classifier":
            model = ImageClassifier(image_shape, n_classes, channels=(2,), hidden=4)
        elif kind == "lord":
            model = LORD(image_shape, n_classes, data.draw(st.sampled_from([n, n + 1])), content_dim=2, class_dim=2,
                         channels=(2,))
        else:
            model = ClassConditionedAutoencoder(image_shape, n_classes, content_dim=2, class_dim=2,
                                                generator_channels=(2,), encoder_channels=(2,), hidden=4)
        return model.fit(images, y, epochs=1, batch_size=data.draw(st.integers(1, 8)))

    outcome_is_acceptable(fit)


@given(st.data())
@SETTINGS
def test_anndata_models_give_a_result_or_a_clear_error(data):
    matrix = data.draw(matrices(rows=(0, 12), columns=(1, 5)))
    if isinstance(matrix, torch.Tensor):
        matrix = matrix.numpy()
    if data.draw(st.booleans()) and not isinstance(matrix, (list, sp.spmatrix)) and np.asarray(matrix).ndim == 2 \
            and np.asarray(matrix).dtype.kind == "f":
        matrix = np.round(np.abs(np.asarray(matrix)) * 5)  # often valid counts
    try:
        adata = ad.AnnData(matrix)
    except Exception:  # anndata itself refuses the matrix: not a model's concern
        return
    groups = data.draw(st.sampled_from(["two", "one", "missing", "nan"]))
    rng = np.random.default_rng(0)
    if groups != "missing":
        values = np.array(["a", "b"])[rng.integers(0, 2 if groups == "two" else 1, adata.n_obs)].astype(object)
        if groups == "nan" and adata.n_obs:
            values[0] = None
        adata.obs["group"] = pd.Categorical(values)
    kind = data.draw(st.sampled_from(["count", "multigroup", "expression", "beta", "dhsic"]))
    n_latent = data.draw(st.sampled_from([2, 2, 3, 0]))

    def train():
        if kind == "count":
            model = CountVAE(adata, layer=None, n_latent=n_latent, hidden=(4,))
        elif kind == "multigroup":
            model = MultiGroupVI(adata, layer=None, n_shared_latent=n_latent, n_private_latent=2, n_hidden=4)
        elif kind == "expression":
            model = ExpressionVAE(adata, n_latent=n_latent, hidden=(4,))
        elif kind == "beta":
            model = ExpressionBetaVAE(adata, n_latent=n_latent, hidden=(4,))
        else:
            model = ExpressionDHSICVAE(adata, n_latent=n_latent, hidden=(4,))
        return model.train(max_epochs=1, batch_size=data.draw(st.integers(1, 8)))

    outcome_is_acceptable(train)
