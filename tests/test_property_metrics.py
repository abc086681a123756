"""Property-based tests of every public metric (hypothesis).

Each example draws random shapes, dtypes and containers (NumPy, list, DataFrame, scipy sparse, torch),
random label types (integers, strings, floats, booleans, categoricals, tensors) and, half of the time,
one corruption (a NaN or infinity, strings, a missing label, a label too many, a fractional label, a
mixed-type label, a 1-D matrix, an empty matrix). A metric must then either return a sensible value
or raise a ValueError / TypeError from a ``raise`` statement in latentbio; never an error from numpy,
scikit-learn, POT or torch, never NaN, never an out-of-range score. Uncorrupted data in another
container or with another label type must give the same value as plain NumPy floats and integers.
"""

import traceback

import anndata as ad
import hypothesis.extra.numpy as hnp
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from latentbio import metrics

# derandomize: the same examples on every run (CI stays deterministic); database=None: nothing written to disk
COMMON = {"deadline": None, "derandomize": True, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
FAST = settings(max_examples=40, **COMMON)
SLOW = settings(max_examples=12, **COMMON)

CORRUPTIONS = ["nan", "inf", "strings", "1-D", "empty", "too many labels", "missing label", "fractional label",
               "mixed label"]
corruptions = st.sampled_from([None] * len(CORRUPTIONS) + CORRUPTIONS)
CONTAINERS = ["numpy", "list", "frame", "sparse", "tensor"]
LABEL_KINDS = ["int", "str", "float", "bool", "category", "tensor", "series"]


def raised_by_latentbio(error: BaseException) -> bool:
    """True for a ValueError/TypeError that a ``raise`` statement in latentbio raised."""
    last = traceback.extract_tb(error.__traceback__)[-1]
    return (isinstance(error, (ValueError, TypeError)) and "latentbio" in last.filename
            and (last.line or "").startswith("raise"))


def outcome(call, check_result=lambda result: None):
    """Run ``call``: a clear error from latentbio passes (returns None), any other error fails,
    a result must pass ``check_result`` and is returned."""
    try:
        result = call()
    except (ValueError, TypeError) as error:
        assert raised_by_latentbio(error), "".join(traceback.format_exception(error))
        event(f"clear error: {str(error)[:70]}")
        return None
    check_result(result)
    event("result")
    return result


def in_range(low, high):
    def check(value):
        value = float(value)
        assert np.isfinite(value) and low - 1e-9 <= value <= high + 1e-9, value
    return check


def same_as(expected):
    """The result must equal ``expected`` (the value for plain NumPy input), or the call must fail clearly
    when the plain call failed too."""
    def check(value):
        assert expected is not None, "only the converted input gave a result"
        if isinstance(expected, dict):
            assert value == pytest.approx(expected)
        else:
            np.testing.assert_allclose(np.asarray(value, dtype=float), np.asarray(expected, dtype=float), atol=1e-9)
    return check


def present(values: np.ndarray, container: str):
    """The same matrix in another container."""
    return {"numpy": lambda: values, "list": values.tolist, "frame": lambda: pd.DataFrame(values),
            "sparse": lambda: sp.csr_matrix(values), "tensor": lambda: torch.as_tensor(values)}[container]()


@st.composite
def matrices(draw, min_rows=0, max_rows=24, max_cols=4):
    """A float64 matrix of random shape with values a float32 can hold exactly."""
    shape = (draw(st.integers(min_rows, max_rows)), draw(st.integers(1, max_cols)))
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(-100, 100, width=32)))


def corrupt_matrix(values: np.ndarray, corruption, draw):
    if values.size and corruption in ("nan", "inf"):
        values = values.copy()
        values.flat[draw(st.integers(0, values.size - 1))] = np.nan if corruption == "nan" else -np.inf
    elif corruption == "strings":
        values = np.full(values.shape, "a")
    elif corruption == "1-D":
        values = values.ravel()
    elif corruption == "empty":
        values = values[:0]
    return values


@st.composite
def label_codes(draw, n, max_labels=4):
    return draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, max_labels - 1)))


def present_labels(codes: np.ndarray, kind: str):
    """Integer label codes as another label type with the same partition (and the same order)."""
    names = np.array(["type a", "type b", "type c", "type d"])
    return {"int": lambda: codes, "str": lambda: names[codes], "float": lambda: codes.astype(float),
            "bool": lambda: codes % 2 == 1, "category": lambda: pd.Categorical(names[codes], categories=[*names, "x"]),
            "tensor": lambda: torch.as_tensor(codes), "series": lambda: pd.Series(names[codes])}[kind]()


def corrupt_labels(labels, corruption, draw):
    labels = np.asarray(labels.tolist() if torch.is_tensor(labels) else labels, dtype=object)
    if corruption == "too many labels":
        return np.append(labels, labels[:1])
    if len(labels) and corruption in ("missing label", "fractional label", "mixed label"):
        labels[draw(st.integers(0, len(labels) - 1))] = {"missing label": None, "fractional label": 0.5,
                                                         "mixed label": "text" if isinstance(labels[0], int) else 1
                                                         }[corruption]
    return labels


@st.composite
def codes_and_labels(draw, min_rows=0, max_rows=24, max_labels=4):
    """``(plain, presented, corruption)``: plain NumPy codes and integer labels, and the same data in a
    random container and label type, with the corruption applied."""
    codes = draw(matrices(min_rows, max_rows))
    labels = draw(label_codes(len(codes), max_labels))
    corruption = draw(corruptions)
    kind = "int" if corruption == "mixed label" else draw(st.sampled_from(LABEL_KINDS))
    shown_labels = corrupt_labels(present_labels(labels, kind), corruption, draw) if corruption else \
        present_labels(labels, kind)
    if kind == "bool":  # booleans keep only the parity of the labels
        labels = labels % 2
    shown_codes = present(corrupt_matrix(codes, corruption, draw), draw(st.sampled_from(CONTAINERS))) \
        if corruption in ("nan", "inf", "empty") else corrupt_matrix(codes, corruption, draw) if corruption \
        else present(codes, draw(st.sampled_from(CONTAINERS)))
    return (codes, labels), (shown_codes, shown_labels), corruption


def check_metric(function, data, check_result, **options):
    """The plain call must give a sensible result or a clear error; the presented one the same result,
    or (if corrupted) a clear error or a sensible result."""
    plain, shown, corruption = data
    expected = outcome(lambda: function(*plain, **options), check_result)
    if corruption is None:
        if expected is None:
            outcome(lambda: function(*shown, **options), lambda result: pytest.fail("only the converted input worked"))
        else:
            outcome(lambda: function(*shown, **options), same_as(expected))
    elif corruption in ("nan", "inf", "strings", "missing label", "fractional label", "mixed label",
                        "too many labels"):
        outcome(lambda: function(*shown, **options), lambda result: pytest.fail(f"{corruption} gave {result!r}"))
    else:
        outcome(lambda: function(*shown, **options), check_result)


@given(codes_and_labels())
@FAST
def test_silhouette(data):
    check_metric(metrics.silhouette, data, in_range(-1, 1))


@given(codes_and_labels(), st.integers(1, 4) | st.integers(-1, 30) | st.none())
@FAST
def test_clustering(data, n_clusters):
    check_metric(metrics.clustering_ari, data, in_range(-1, 1), n_clusters=n_clusters)
    codes = data[0][0]

    def valid_clusters(clusters):
        assert len(clusters) == len(codes) and clusters.min() >= 0 and clusters.max() < n_clusters

    outcome(lambda: metrics.cluster_codes(codes, n_clusters=n_clusters), valid_clusters)


@given(codes_and_labels(), st.integers(1, 4) | st.integers(0, 30) | st.floats(0, 5))
@FAST
def test_knn_group_entropy(data, n_neighbors):
    check_metric(metrics.knn_group_entropy, data, in_range(0, np.inf), n_neighbors=n_neighbors)


@given(codes_and_labels(), st.booleans(), st.integers(0, 10) | st.just(500))
@FAST
def test_group_transport_distance(data, standardise, max_per_group):
    check_metric(metrics.group_transport_distance, data, in_range(0, np.inf), standardise=standardise,
                 max_per_group=max_per_group)


@given(matrices(), matrices(), corruptions, st.sampled_from(CONTAINERS), st.data())
@FAST
def test_sample_wasserstein(codes_a, codes_b, corruption, container, data):
    codes_b = codes_b[:, : codes_a.shape[1]] if data.draw(st.booleans()) else codes_b
    expected = outcome(lambda: metrics.sample_wasserstein(codes_a, codes_b), in_range(0, np.inf))
    shown = corrupt_matrix(codes_a, corruption, data.draw)
    shown = shown if corruption in ("strings", "1-D") else present(shown, container)
    check = same_as(expected) if corruption is None else in_range(0, np.inf)
    outcome(lambda: metrics.sample_wasserstein(shown, codes_b), lambda result: check(result.detach()
                                                                                  if torch.is_tensor(result) else result))


@st.composite
def codes_and_factors(draw, min_rows=0, discrete=True):
    """``(plain, presented, corruption)`` for codes and factors (integers, or strings / floats)."""
    codes = draw(matrices(min_rows, max(24, min_rows + 16)))
    n_factors = draw(st.integers(1, 3))
    if discrete:
        factors = draw(hnp.arrays(np.int64, (len(codes), n_factors), elements=st.integers(0, 3)))
        shown_factors = np.array(["low", "mid", "high", "top"])[factors] if draw(st.booleans()) else factors
    else:
        factors = draw(hnp.arrays(np.float64, (len(codes), n_factors), elements=st.floats(-10, 10, width=32)))
        shown_factors = factors
    corruption = draw(st.sampled_from([None] * 4 + ["nan", "strings", "empty", "too many labels"]))
    if corruption == "too many labels":
        shown_factors = np.concatenate([shown_factors, shown_factors[:1]])
    elif corruption == "nan":
        shown_factors = corrupt_matrix(factors.astype(float), corruption, draw)
    if corruption == "strings":
        return (codes, factors), (corrupt_matrix(codes, corruption, draw), shown_factors), corruption
    shown_codes = corrupt_matrix(codes, corruption, draw) if corruption == "empty" else codes
    return (codes, factors), (present(shown_codes, draw(st.sampled_from(CONTAINERS))), shown_factors), corruption


@given(codes_and_factors(), st.integers(1, 25) | st.integers(-1, 0))
@FAST
def test_mutual_information(data, n_bins):
    def valid_matrix(information):
        assert np.isfinite(information).all() and (information >= -1e-12).all()

    check_metric(metrics.mutual_information_matrix, data, valid_matrix, n_bins=n_bins)
    check_metric(metrics.mutual_information_gap, data, in_range(0, 1), n_bins=n_bins)
    outcome(lambda: metrics.factor_entropies(data[1][1]), valid_matrix)
    codes = data[0][0]

    def valid_bins(binned):
        assert binned.shape == codes.shape and binned.min() >= 0 and binned.max() < n_bins

    outcome(lambda: metrics.discretize(codes, n_bins=n_bins), valid_bins)


def test_continuous_factors_are_refused_by_discrete_scores():
    rng = np.random.default_rng(0)
    codes, factors = rng.normal(size=(200, 3)), rng.uniform(size=(200, 2))
    with pytest.raises(ValueError, match="looks continuous.*Discretise it first"):
        metrics.mutual_information_gap(codes, factors)
    binned = metrics.discretize(factors, n_bins=5)
    assert 0 <= metrics.mutual_information_gap(codes, binned) <= 1


@given(codes_and_factors(min_rows=10), st.floats(0.2, 0.5) | st.floats(0, 1))
@SLOW
def test_code_information(data, test_fraction):
    def valid(information):
        assert information.shape == (np.asarray(data[0][1]).shape[1],) and np.isfinite(information).all()

    check_metric(metrics.code_information, data, valid, test_fraction=test_fraction)


@given(codes_and_factors(), st.integers(1, 3) | st.integers(-1, 0), st.floats(0, 0.5))
@FAST
def test_anchor_codes(data, n_rotations, noise):
    factors = data[0][1]

    def valid(anchors):
        for codes in anchors.values():
            assert all(np.isfinite(code).all() and code.shape == np.asarray(factors).shape for code in codes)

    outcome(lambda: metrics.anchor_codes(factors, n_rotations=n_rotations, noise=noise), valid)


@given(codes_and_factors(min_rows=8), st.integers(20, 80) | st.integers(0, 5), st.floats(0.1, 0.5) | st.floats(0, 1))
@SLOW
def test_higgins_score(data, n_votes, test_fraction):
    check_metric(metrics.higgins_score, data, in_range(0, 1), n_votes=n_votes, pairs_per_vote=4,
                 test_fraction=test_fraction)


@given(codes_and_labels(min_rows=10, max_rows=40, max_labels=2))
@SLOW
def test_class_leakage(data):
    def valid(score):
        assert set(score) == {"accuracy", "chance"}
        for value in score.values():
            in_range(0, 1)(value)

    check_metric(metrics.class_leakage, data, valid)


@given(codes_and_factors(min_rows=10, discrete=False))
@SLOW
def test_factor_r2(data):
    def valid(r2):
        assert np.isfinite(r2).all() and (r2 <= 1 + 1e-9).all()

    check_metric(metrics.factor_r2, data, valid)


@st.composite
def gene_selections(draw, n_genes):
    """``(selection, var_names, indices)``: a mask, indices or names, possibly bad, and the indices meant."""
    names = [f"gene {j}" for j in range(n_genes)]
    indices = draw(st.lists(st.integers(0, n_genes - 1), unique=True, max_size=n_genes))
    kind = draw(st.sampled_from(["none", "mask", "indices", "names", "bad mask", "bad index", "unknown name",
                                 "zero-one", "floats"]))
    mask = np.isin(np.arange(n_genes), indices)
    return {"none": (None, None, np.arange(n_genes)), "mask": (mask, None, np.flatnonzero(mask)),
            "indices": (indices, None, indices), "names": ([names[j] for j in indices], names, indices),
            "bad mask": (np.ones(n_genes + 1, bool), None, None), "bad index": ([*indices, n_genes], None, None),
            "unknown name": (["not a gene"], names, None), "zero-one": (mask.astype(int), None, None),
            "floats": (np.arange(n_genes) + 0.5, None, None)}[kind]


@given(matrices(max_cols=6), st.data())
@FAST
def test_mean_expression_r2(real, data):
    n_genes = real.shape[1]
    predicted = data.draw(hnp.arrays(np.float64, (data.draw(st.integers(1, 10)), n_genes),
                                     elements=st.floats(-100, 100, width=32)))
    control = data.draw(hnp.arrays(np.float64, (data.draw(st.integers(1, 10)), n_genes),
                                   elements=st.floats(-100, 100, width=32)))
    genes, var_names, meant = data.draw(gene_selections(n_genes))
    container = data.draw(st.sampled_from(CONTAINERS))
    for score, arguments in ((metrics.mean_expression_r2, (predicted, real)),
                             (metrics.mean_response_r2, (predicted, real, control))):
        result = outcome(lambda: score(*arguments, genes, var_names=var_names), in_range(0, 1))
        if meant is None:
            assert result is None, f"the bad gene selection {genes!r} gave {result}"
            continue
        expected = outcome(lambda: score(*(a[:, meant] for a in arguments)), in_range(0, 1))
        assert result == pytest.approx(expected) if expected is not None else result is None
        shown = [present(a, container) for a in arguments]
        outcome(lambda: score(*shown, genes, var_names=var_names), same_as(result))


@given(st.integers(0, 16) | st.integers(4, 16), st.integers(1, 5), st.data())
@settings(max_examples=10, **COMMON)
def test_top_differential_genes(n_cells, n_genes, data):
    x = data.draw(hnp.arrays(np.float64, (n_cells, n_genes), elements=st.floats(0, 5)))
    kind = data.draw(st.sampled_from(LABEL_KINDS[:3]))
    labels = present_labels(data.draw(label_codes(n_cells, 2)), kind)
    adata = ad.AnnData(x, obs=pd.DataFrame({"condition": labels}, index=[f"c{i}" for i in range(n_cells)]))
    group, reference = data.draw(st.sampled_from([{"str": ("type b", "type a"), "int": (1, 0), "float": ("1.0", "0.0")}[kind],
                                                  ("1", "0"), ("0", "0")]))
    requested = data.draw(st.integers(0, n_genes + 1))

    def valid(names):
        assert len(names) == requested and set(names) <= set(adata.var_names)

    outcome(lambda: metrics.top_differential_genes(adata, "condition", group, reference, n_genes=requested), valid)


@given(matrices(max_cols=2), st.sampled_from(CONTAINERS), corruptions, st.none() | st.floats(-1, 3) |
       st.just(float("nan")), st.data())
@FAST
def test_dhsic_family(values, container, corruption, bandwidth, data):
    def finite(value):
        assert torch.isfinite(torch.as_tensor(value)).all()

    shown = present(corrupt_matrix(values, corruption, data.draw), container) if corruption not in (
        "strings", "1-D") else corrupt_matrix(values, corruption, data.draw)
    other = values[:, ::-1] ** 2
    bandwidths = None if bandwidth is None else [bandwidth, 1.0]
    expected = outcome(lambda: metrics.dhsic([values, other], bandwidths), finite)
    shown_check = same_as(expected) if corruption is None else finite
    outcome(lambda: metrics.dhsic([shown, other], bandwidths), shown_check)
    outcome(lambda: metrics.latent_dhsic(shown), finite)
    outcome(lambda: metrics.median_bandwidth(shown), finite)

    def valid_gram(gram):
        assert ((gram >= 0) & (gram <= 1)).all()

    gram = outcome(lambda: metrics.rbf_gram(shown, bandwidth), valid_gram)
    if gram is not None:
        outcome(lambda: metrics.dhsic_from_grams([gram, gram.numpy()]), finite)


def test_the_property_tests_cover_every_public_metric():
    covered = {"anchor_codes", "code_information", "silhouette", "clustering_ari", "cluster_codes", "knn_group_entropy", "group_transport_distance",
               "sample_wasserstein", "mutual_information_matrix", "factor_entropies", "mutual_information_gap",
               "discretize", "higgins_score", "class_leakage", "factor_r2", "mean_expression_r2", "mean_response_r2",
               "top_differential_genes", "dhsic", "latent_dhsic", "median_bandwidth", "rbf_gram", "dhsic_from_grams"}
    assert set(metrics.__all__) - {"higgins_votes"} == covered, "add a property test for the new metric"


def test_the_origin_check_tells_latentbio_errors_from_foreign_ones():
    with pytest.raises(ValueError) as foreign:
        np.zeros(2).reshape(3)
    assert not raised_by_latentbio(foreign.value)
    with pytest.raises(ValueError) as own:
        metrics.silhouette(np.zeros((3, 2)), [0, 0, 0])
    assert raised_by_latentbio(own.value)
