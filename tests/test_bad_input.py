"""One case per kind of bad input to the metrics and datasets: the error type and the words that tell the
user what to do (found by probing every public function; see the closing note of issue 10)."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from latentbio import data, metrics
from latentbio.data import haber2017, kang2018, shapes

RNG = np.random.default_rng(0)
LABELS = np.repeat([0, 1, 2], 20)
CODES = RNG.normal(size=(60, 3)) + LABELS[:, None] * np.array([2.0, 0, 0])
FACTORS = np.c_[LABELS, RNG.integers(0, 2, 60)]
CONTINUOUS = np.c_[CODES[:, 0] * 2 + RNG.normal(size=60) * 0.1, RNG.uniform(size=60)]
REAL = RNG.gamma(2.0, size=(30, 12))
PREDICTED = REAL[:20] * 0.9 + RNG.normal(scale=0.2, size=(20, 12))
GENE_NAMES = np.array([f"g{j}" for j in range(12)])
NAN_CODES = np.where(np.arange(60)[:, None] == 0, np.nan, CODES)


def expression_adata(x=None):
    x = np.log1p(RNG.poisson(2.0, size=(40, 12)).astype(np.float32)) if x is None else x
    obs = pd.DataFrame({"condition": np.repeat(["ctrl", "stim"], 20)}, index=[f"c{i}" for i in range(40)])
    return ad.AnnData(x, obs=obs, var=pd.DataFrame(index=GENE_NAMES))


def text_file(tmp_path, content):
    path = tmp_path / "table.txt"
    path.write_text(content)
    return path


METRIC_CASES = {
    "wasserstein NaN": (lambda: metrics.sample_wasserstein(np.full((3, 2), np.nan), np.zeros((3, 2))),
                        ValueError, "codes_a contains NaN or infinite values; remove or impute them"),
    "wasserstein infinity in a tensor": (lambda: metrics.sample_wasserstein(torch.zeros(3, 2),
                                                                           torch.full((3, 2), float("inf"))),
                                         ValueError, "codes_b contains NaN or infinite"),
    "wasserstein strings": (lambda: metrics.sample_wasserstein(np.full((3, 2), "a"), np.zeros((3, 2))),
                            TypeError, "codes_a must hold numbers"),
    "wasserstein None": (lambda: metrics.sample_wasserstein(None, np.zeros((3, 2))), TypeError,
                         "codes_a is None; give an array of numbers"),
    "wasserstein complex": (lambda: metrics.sample_wasserstein(np.zeros((3, 2)) + 1j, np.zeros((3, 2))),
                            TypeError, "complex numbers; give real numbers"),
    "factor_r2 constant factor": (lambda: metrics.factor_r2(CODES, np.c_[CONTINUOUS[:, 0], np.ones(60)]),
                                  ValueError, r"column\(s\) \[1\] take a single value, so R\^2 is undefined.*drop them"),
    "factor_r2 string factors": (lambda: metrics.factor_r2(CODES, np.array(["a", "b", "c"])[LABELS]),
                                 TypeError, "factors must hold numbers"),
    "factor_r2 too few codes": (lambda: metrics.factor_r2(CODES[:12], CONTINUOUS[:12]), ValueError,
                                "early stopping needs a validation tenth of at least 2 codes: give at least 16 codes"),
    "factor_r2 3-D factors": (lambda: metrics.factor_r2(CODES, CONTINUOUS[..., None]), ValueError,
                              "2-D .* or 1-D"),
    "MIG continuous factors": (lambda: metrics.mutual_information_gap(CODES, CONTINUOUS), ValueError,
                               "60 distinct values for 60 samples: it looks continuous.*Discretise it first"),
    "MI matrix continuous factors": (lambda: metrics.mutual_information_matrix(CODES, CONTINUOUS), ValueError,
                                     "looks continuous"),
    "entropies continuous factors": (lambda: metrics.factor_entropies(CONTINUOUS), ValueError, "looks continuous"),
    "MIG factors too short": (lambda: metrics.mutual_information_gap(CODES, FACTORS[:-1]), ValueError,
                              "59 rows for 60 samples; give one row per sample"),
    "MIG NaN factors": (lambda: metrics.mutual_information_gap(CODES, np.where(FACTORS == 0, np.nan, FACTORS)),
                        ValueError, "factors column 0 contains NaN"),
    "MIG one code dimension": (lambda: metrics.mutual_information_gap(CODES[:, :1], FACTORS), ValueError,
                               "at least 2 dimensions"),
    "discretize NaN": (lambda: metrics.discretize(NAN_CODES), ValueError, "NaN or infinite"),
    "discretize n_bins 0": (lambda: metrics.discretize(CODES, n_bins=0), ValueError, "n_bins must be at least 1"),
    "discretize n_bins 2.5": (lambda: metrics.discretize(CODES, n_bins=2.5), ValueError,
                              "n_bins must be a whole number"),
    "discretize 1-D": (lambda: metrics.discretize(CODES[:, 0]), ValueError, r"2-D array.*\[:, None\]"),
    "discretize 3-D": (lambda: metrics.discretize(CODES[..., None]), ValueError, "2-D array"),
    "genes names without var_names": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, GENE_NAMES[:5]),
                                      ValueError, "holds names .* pass the names of the genes as well .*var_names=adata.var_names"),
    "genes 0/1 integer mask": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, np.array([0, 1] * 6)),
                               ValueError, r"0/1 integer array .* genes.astype\(bool\) for a mask or np.flatnonzero\(genes\) for indices"),
    "genes index out of range": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, [0, 1, 99]), ValueError,
                                 r"must lie in \[0, 12\)"),
    "genes negative index": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, [-1, 0, 1]), ValueError,
                             r"must lie in \[0, 12\)"),
    "genes repeated": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, [0, 0, 1, 2]), ValueError,
                       "more than once"),
    "genes short mask": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, np.ones(5, bool)), ValueError,
                         r"one entry per gene \(12\); got 5"),
    "genes floats": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, [0.5, 1.5, 2.5]), TypeError,
                     "boolean mask, integer indices or names"),
    "genes unknown name": (lambda: metrics.mean_expression_r2(PREDICTED, REAL, ["g1", "x"], var_names=GENE_NAMES),
                           ValueError, r"not among the names of the genes, e.g. \['x'\]"),
    "expression strings": (lambda: metrics.mean_expression_r2(np.full((3, 12), "a"), REAL), TypeError,
                           "predicted must hold numbers"),
    "response control genes": (lambda: metrics.mean_response_r2(PREDICTED, REAL, REAL[:, :5]), ValueError,
                               "same genes"),
    "leakage single-member class": (lambda: metrics.class_leakage(CODES, np.r_[LABELS[:-1], 3]), ValueError,
                                    "at least 2 samples for a stratified split.*give more codes per class"),
    "leakage mixed label types": (lambda: metrics.class_leakage(CODES, [1] + ["a"] * 59), TypeError,
                                  "all of one kind"),
    "leakage test_fraction 1.5": (lambda: metrics.class_leakage(CODES, LABELS, test_fraction=1.5), ValueError,
                                  r"test_fraction must lie in \(0.0, 1.0\)"),
    "silhouette fractional labels": (lambda: metrics.silhouette(CODES, LABELS + 0.5), ValueError,
                                     "non-integer numbers .* bin it first"),
    "silhouette missing label": (lambda: metrics.silhouette(CODES, np.r_[np.nan, LABELS[1:]]), ValueError,
                                 "1 missing labels .* every sample needs a label"),
    "silhouette sample_size 0": (lambda: metrics.silhouette(CODES, LABELS, sample_size=0), ValueError,
                                 "sample_size must be at least 2"),
    "silhouette a sample too small": (lambda: metrics.silhouette(CODES, LABELS, sample_size=2),
                                         ValueError, "use a larger sample_size"),
    "kmeans more clusters than cells": (lambda: metrics.cluster_codes(CODES, n_clusters=61), ValueError,
                                        "n_clusters must be between 1 and 60"),
    "kmeans fractional clusters": (lambda: metrics.cluster_codes(CODES, n_clusters=2.5), ValueError,
                                   "n_clusters must be a whole number"),
    "kmeans no codes": (lambda: metrics.cluster_codes(CODES[:0], n_clusters=2), ValueError, "codes is empty"),
    "ARI more clusters than cells": (lambda: metrics.clustering_ari(CODES, LABELS, n_clusters=1000), ValueError,
                                     "n_clusters must be between 1 and 60"),
    "kNN fractional neighbours": (lambda: metrics.knn_group_entropy(CODES, LABELS, n_neighbors=2.5), ValueError,
                                  "n_neighbors must be a whole number"),
    "transport fractional max_per_group": (lambda: metrics.group_transport_distance(CODES, LABELS, max_per_group=1.5),
                                           ValueError, "max_per_group must be a whole number"),
    "Higgins continuous factors": (lambda: metrics.higgins_score(CODES, CONTINUOUS), ValueError, "looks continuous"),
    "Higgins NaN factors": (lambda: metrics.higgins_score(CODES, np.where(FACTORS == 0, np.nan, FACTORS)), ValueError,
                            "contains NaN"),
    "Higgins no votes": (lambda: metrics.higgins_score(CODES, FACTORS, n_votes=0), ValueError,
                         "n_votes must be at least 1"),
    "Higgins too few votes": (lambda: metrics.higgins_score(CODES, FACTORS, n_votes=3), ValueError,
                              "increase n_votes"),
    "Higgins test_fraction": (lambda: metrics.higgins_score(CODES, FACTORS, test_fraction=1.5), ValueError,
                              r"test_fraction must lie in \(0.0, 1.0\)"),
    "Higgins unshared values": (lambda: metrics.higgins_score(CODES[:6], np.c_[np.arange(6), np.arange(6) % 2]),
                                ValueError, "no value of factor 0 is shared by two samples"),
    "DEGs NaN in X": (lambda: metrics.top_differential_genes(expression_adata(np.full((40, 12), np.nan)), "condition",
                                                             "stim", "ctrl", n_genes=3), ValueError, "adata.X contains NaN"),
    "DEGs group is reference": (lambda: metrics.top_differential_genes(expression_adata(), "condition", "stim",
                                                                       "stim"), ValueError,
                                "both 'stim'; compare two different values"),
    "DEGs fractional n_genes": (lambda: metrics.top_differential_genes(expression_adata(), "condition", "stim",
                                                                       "ctrl", n_genes=2.5), ValueError,
                                "n_genes must be a whole number"),
    "DEGs unknown method": (lambda: metrics.top_differential_genes(expression_adata(), "condition", "stim", "ctrl",
                                                                   n_genes=3, method="x"), ValueError, "method must be one of"),
    "DEGs not AnnData": (lambda: metrics.top_differential_genes(np.zeros((3, 3)), "condition", "a", "b"), TypeError,
                         "adata must be an AnnData object"),
    "dHSIC NaN bandwidth": (lambda: metrics.dhsic([CODES[:, 0], CODES[:, 1]], [np.nan, 1.0]), ValueError,
                            "bandwidth must be a finite number"),
    "dHSIC a matrix, not a list": (lambda: metrics.dhsic(CODES), TypeError, "latent_dhsic"),
    "dHSIC NaN Gram matrix": (lambda: metrics.dhsic_from_grams([torch.full((3, 3), float("nan")), torch.eye(3)]),
                              ValueError, "Gram matrix 0 contains NaN"),
    "dHSIC strings": (lambda: metrics.latent_dhsic(np.full((5, 2), "a")), TypeError, "codes must hold numbers"),
}


@pytest.mark.parametrize("call, error, message", METRIC_CASES.values(), ids=METRIC_CASES.keys())
def test_metric_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


DATA_CASES = {
    "split string labels": (lambda: data.split_images(RNG.uniform(size=(8, 4, 4)), ["a", "b"] * 4, n_classes=2),
                            TypeError, "holds strings.*encode_labels"),
    "split one image per class": (lambda: data.split_images(RNG.uniform(size=(4, 4, 4)), np.arange(4), n_classes=4),
                                  ValueError, "at least 2 samples for a stratified split.*more images per class"),
    "split no images": (lambda: data.split_images(np.zeros((0, 4, 4)), np.zeros(0)), ValueError, "n >= 1"),
    "split string pixels": (lambda: data.split_images(np.full((4, 4, 4), "a"), np.zeros(4)), TypeError,
                            "images must hold numbers"),
    "split pixels above 1": (lambda: data.split_images(np.full((4, 4, 4), 3.0), np.arange(4) % 2, n_classes=2),
                             ValueError, "Scale pixels"),
    "simulate NaN lib_loc": (lambda: data.simulate_counts(50, 40, 2, lib_loc=np.nan), ValueError,
                             "lib_loc must be a finite number"),
    "simulate n_genes None": (lambda: data.simulate_counts(50, None, 2), TypeError, "n_genes must be an integer"),
    "simulate seed text": (lambda: data.simulate_counts(50, 40, 2, seed="x"), TypeError, "seed must be an integer"),
    "simulate negative seed": (lambda: data.simulate_counts(50, 40, 2, seed=-1), ValueError, "seed must be at least 0"),
    "simulate NaN dropout_mid": (lambda: data.simulate_counts(50, 40, 2, dropout_mid=np.nan), ValueError,
                                 "dropout_mid must be a finite number"),
    "simulate perturbation text": (lambda: data.simulate_counts(50, 40, 2, perturbation="yes"), TypeError,
                                   "perturbation must be True or False"),
    "simulate NaN probabilities": (lambda: data.simulate_counts(50, 40, 2, cell_type_probs=[np.nan, 1.0]),
                                   ValueError, "non-negative numbers summing to 1"),
    "HVG fractional count": (lambda: data.select_highly_variable_genes(data.simulate_counts(50, 40, 2), 2.5),
                             ValueError, "n_top_genes .* must be a whole number"),
    "HVG zero target_sum": (lambda: data.select_highly_variable_genes(data.simulate_counts(50, 40, 2), 10,
                                                                      target_sum=0), ValueError,
                            r"target_sum must lie in \(0.0, inf\)"),
    "scenes fractional positions": (lambda: data.make_scenes(n_positions=2.5), ValueError,
                                    "n_positions must be a whole number"),
    "scenes fractional size": (lambda: data.make_scenes(n_positions=2, size=16.5), ValueError,
                               r"size \(pixels\) must be a whole number"),
    "scene position text": (lambda: data.render_scene("yellow", "green", "circle", "0.5", "red"), TypeError,
                            "position must be a number"),
    "shapes fractional count": (lambda: data.make_shapes(n_per_class=2.5), ValueError,
                                "n_per_class must be a whole number"),
    "shapes too small": (lambda: data.make_shapes(n_per_class=2, size=4), ValueError,
                         r"size \(pixels\) must be at least 8"),
    "shapes given as one string": (lambda: data.make_shapes(n_per_class=2, shapes="square"), TypeError,
                                   "tuple of shape names"),
    "shape poses as text": (lambda: data.render_shapes("square", np.full((2, 4), "a")), TypeError,
                            "poses must hold numbers"),
    "shapes subset mask too short": (lambda: data.make_shapes(n_per_class=2, size=8).subset(np.ones(3, bool)),
                                     ValueError, r"one entry per image \(12\); got 3"),
    "fetch download text": (lambda: data.datasets.fetch("mnist", download="no"), TypeError,
                            "download must be True or False"),
    "negative number of poses": (lambda: shapes.random_poses(-1), ValueError, "n must be at least 0"),
    "lognormalised NaN": (lambda: kang2018.counts_from_lognormalised(np.array([[np.nan, 1.0]])), ValueError,
                          "NaN or infinite"),
    "lognormalised negative": (lambda: kang2018.counts_from_lognormalised(np.array([[-1.0, 1.0]])), ValueError,
                               "negative values, so it is not log1p of counts"),
    "lognormalised empty": (lambda: kang2018.counts_from_lognormalised(np.zeros((0, 3))), ValueError, "empty"),
}


@pytest.mark.parametrize("call, error, message", DATA_CASES.values(), ids=DATA_CASES.keys())
def test_data_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("content, error, message", [
    ("gene\tA_I_m_S\tB_I_m_S\ng1\tx\t1\n", TypeError, "must hold numbers"),
    ("", ValueError, "is empty; download it again"),
    ("gene\tA_I_m_S\n", ValueError, "holds no genes"),
    ("gene\tA_I_m_S\ng1\t0.5\n", ValueError, "non-negative integer UMI counts"),
])
def test_haber_reader_bad_files(tmp_path, content, error, message):
    with pytest.raises(error, match=message):
        haber2017.read_haber2017_regions(text_file(tmp_path, content))


def test_haber_reader_chunk_size(tmp_path):
    with pytest.raises(ValueError, match="chunk_genes must be at least 1"):
        haber2017.read_haber2017_regions(text_file(tmp_path, "gene\tA_I_m_S\ng1\t1\n"), chunk_genes=0)


def test_mnist_reader_says_when_a_file_is_not_an_npz(tmp_path):
    path = text_file(tmp_path, "not an archive")
    with pytest.raises(ValueError, match="is not a NumPy .npz archive.*download mnist.npz again"):
        data.read_mnist_npz(path)


# ---- what used to fail and now works: the same answer in another form ---------------------------------

def test_string_and_categorical_labels_give_the_same_scores_as_integers():
    names = np.array(["B", "CD4T", "NK"])[LABELS]
    assert metrics.class_leakage(CODES, names) == metrics.class_leakage(CODES, LABELS)
    assert metrics.silhouette(CODES, pd.Categorical(names)) == metrics.silhouette(CODES, LABELS)
    assert metrics.knn_group_entropy(CODES, pd.Series(names)) == metrics.knn_group_entropy(CODES, LABELS)
    frame = pd.DataFrame({"type": names, "batch": np.array(["x", "y"])[FACTORS[:, 1]]})
    assert metrics.mutual_information_gap(CODES, frame) == metrics.mutual_information_gap(CODES, FACTORS)


def test_sparse_and_tensor_codes_give_the_same_scores_as_arrays():
    assert metrics.silhouette(sp.csr_matrix(CODES), LABELS) == metrics.silhouette(CODES, LABELS)
    assert metrics.clustering_ari(torch.as_tensor(CODES), LABELS) == metrics.clustering_ari(CODES, LABELS)
    assert metrics.sample_wasserstein(CODES[:10].tolist(), pd.DataFrame(CODES[10:20])) == pytest.approx(
        metrics.sample_wasserstein(CODES[:10], CODES[10:20]))
    assert float(metrics.sample_wasserstein(torch.as_tensor(CODES[:10]), CODES[10:20])) == pytest.approx(
        metrics.sample_wasserstein(CODES[:10], CODES[10:20]))
    np.testing.assert_array_equal(metrics.discretize(sp.csc_matrix(CODES)), metrics.discretize(CODES))


def test_genes_as_mask_indices_or_names_give_one_answer():
    adata = expression_adata()
    names = metrics.top_differential_genes(adata, "condition", "stim", "ctrl", n_genes=5)
    indices = adata.var_names.get_indexer(names)
    mask = np.isin(np.arange(12), indices)
    by_names = metrics.mean_expression_r2(PREDICTED, REAL, names, var_names=adata.var_names)
    assert by_names == metrics.mean_expression_r2(PREDICTED, REAL, indices)
    assert by_names == metrics.mean_expression_r2(PREDICTED, REAL, mask)
    assert by_names == pytest.approx(metrics.mean_expression_r2(sp.csr_matrix(PREDICTED), REAL, mask))
    assert metrics.mean_response_r2(PREDICTED, REAL, REAL[::-1] * 0.5, names, var_names=adata.var_names) == \
        metrics.mean_response_r2(PREDICTED, REAL, REAL[::-1] * 0.5, mask)


def test_integer_groups_compared_as_text_find_differential_genes():
    adata = expression_adata()
    numeric = adata.copy()
    numeric.obs["condition"] = np.repeat([0, 1], 20)
    assert list(metrics.top_differential_genes(numeric, "condition", 1, 0, n_genes=3)) == list(
        metrics.top_differential_genes(adata, "condition", "stim", "ctrl", n_genes=3))


def test_a_tiny_bandwidth_gives_a_gram_matrix_not_nan():
    gram = metrics.rbf_gram(np.zeros((3, 2)), 1e-200)
    assert torch.equal(gram, torch.ones(3, 3, dtype=gram.dtype))


def test_numpy_gram_matrices_are_accepted():
    grams = [metrics.rbf_gram(CODES[:20, 0]), metrics.rbf_gram(CODES[:20, 1] ** 2)]
    assert float(metrics.dhsic_from_grams([g.numpy() for g in grams])) == pytest.approx(
        float(metrics.dhsic_from_grams(grams)))
