"""The shared input checks: labels of any type, dense or sparse feature matrices."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from latentbio.checks import (as_feature_matrix, as_numeric_array, check_feature_matrix, check_labels,
                              class_indices, dense_rows, encode_labels)


@pytest.mark.parametrize("labels, codes, categories", [
    ([1, 2, 2, 5], [0, 1, 1, 2], [1, 2, 5]),
    (np.array([1.0, 0.0]), [1, 0], [0, 1]),
    (["b", "a", "b"], [1, 0, 1], ["a", "b"]),
    (np.array([True, False]), [1, 0], [False, True]),
    (pd.Categorical(["x", "y"], categories=["y", "x", "z"]), [1, 0], ["y", "x", "z"]),
    (pd.Series(["x", "y"], dtype="category"), [0, 1], ["x", "y"]),
    (pd.array([2, 1], dtype="Int64"), [1, 0], [1, 2]),
    (torch.tensor([3, 1]), [1, 0], [1, 3]),
])
def test_encode_labels_of_any_type(labels, codes, categories):
    found_codes, found_categories = encode_labels(labels)
    assert found_codes.dtype == np.int64
    assert found_codes.tolist() == codes and list(found_categories) == categories


def test_encode_labels_maps_back_and_uses_given_categories():
    labels = np.array(["t", "b", "t", "nk"])
    codes, categories = encode_labels(labels)
    assert (categories[codes] == labels).all()
    codes, categories = encode_labels(["b", "a"], categories=["a", "b", "c"])
    assert codes.tolist() == [1, 0] and list(categories) == ["a", "b", "c"]
    with pytest.raises(ValueError, match=r"not among the 2 known categories: \['d'\]"):
        encode_labels(["a", "d"], categories=["a", "b"])
    with pytest.raises(ValueError, match="distinct"):
        encode_labels(["a"], categories=["a", "a"])


@pytest.mark.parametrize("labels, error, message", [
    ([1, "a"], TypeError, "all of one kind"),
    ([1.5, 2], ValueError, "non-integer numbers .* bin it first"),
    ([np.nan, 1], ValueError, "1 missing labels"),
    (["a", None], ValueError, "missing labels"),
    (pd.Categorical(["a", None]), ValueError, "missing labels"),
    (pd.array([1, None], dtype="Int64"), ValueError, "missing labels"),
    ([np.inf, 1], ValueError, "infinite"),
    (np.zeros((3, 2)), ValueError, "1-D"),
    (np.zeros((3, 1)), ValueError, r"ravel\(\)"),
    ([], ValueError, "empty"),
    (np.array([1 + 1j]), TypeError, "integers, strings, booleans or categories"),
    (pd.DataFrame({"a": [1]}), ValueError, "one column"),
])
def test_bad_labels_raise(labels, error, message):
    with pytest.raises(error, match=message):
        encode_labels(labels)


def test_label_count_must_match():
    with pytest.raises(ValueError, match="3 labels for 2 samples"):
        encode_labels([0, 1, 1], n_samples=2)
    with pytest.raises(ValueError, match="3 labels for 2 samples"):
        check_labels([0, 1, 1], 2)


def test_check_labels_returns_values():
    assert check_labels(pd.Categorical(["a", "b"]), 2).tolist() == ["a", "b"]
    assert check_labels([1.0, 2.0]).dtype == np.int64


def test_class_indices_for_a_fixed_class_set():
    assert class_indices([0, 1.0, 2], 3).tolist() == [0, 1, 2]
    assert class_indices(pd.Categorical([2, 0]), 3).tolist() == [2, 0]
    assert class_indices(np.array([True, False]), 2).dtype == np.int64
    with pytest.raises(TypeError, match=r"holds strings.*encode_labels"):
        class_indices(["a", "b"], 3)
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\)"):
        class_indices([0, 3], 3)
    with pytest.raises(ValueError, match="2 labels for 3 samples"):
        class_indices([0, 1], 3, 3)


def test_sparse_matrices_stay_sparse_and_densify_per_row_block():
    dense = np.array([[0, 1, 0], [2, 0, 0], [0, 0, 3]], dtype=np.float64)
    for matrix in (sp.csc_matrix(dense), sp.csr_array(dense), sp.coo_matrix(dense)):
        checked = check_feature_matrix(matrix)
        assert sp.issparse(checked) and checked.format == "csr" and checked.dtype == np.float32
        np.testing.assert_array_equal(dense_rows(checked, [0, 2]), dense[[0, 2]])
        np.testing.assert_array_equal(dense_rows(checked, np.array([False, True, False])), dense[[1]])
    np.testing.assert_array_equal(dense_rows(dense, slice(1, 3)), dense[1:])
    assert as_feature_matrix(sp.csr_matrix(dense)).shape == (3, 3)


def test_dense_feature_matrices_of_many_types():
    for x in (pd.DataFrame(np.ones((2, 2))), [[0, 1], [1, 0]], np.ones((2, 2), dtype=bool), torch.ones(2, 2)):
        assert check_feature_matrix(x).shape == (2, 2)
    assert as_feature_matrix(torch.ones(2, 2, dtype=torch.float64)).dtype == torch.float32


@pytest.mark.parametrize("x, error, message", [
    (sp.csr_matrix(np.array([[np.nan, 0.0]])), ValueError, "NaN or infinite"),
    (np.array([[np.inf, 0.0]]), ValueError, "NaN or infinite"),
    (np.array([["a", "b"]]), TypeError, "must hold numbers"),
    ([[1, 2], [3]], TypeError, "rectangular"),
    (np.array([[1j]]), TypeError, "complex"),
    (np.zeros((0, 3)), ValueError, "empty"),
    (np.zeros(3), ValueError, "2-D"),
    (sp.csr_matrix(np.array([[2.0, 0.0]])), ValueError, r"\[0, 1\].*Scale"),
    (sp.csr_matrix(np.array([[-0.5, 0.0]])), ValueError, r"\[0, 1\]"),
])
def test_bad_feature_matrices_raise(x, error, message):
    with pytest.raises(error, match=message):
        check_feature_matrix(x, unit_interval=True)


def test_feature_count_and_minimum_samples():
    with pytest.raises(ValueError, match="3 features per sample; got 2"):
        check_feature_matrix(np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="at least 2 samples"):
        check_feature_matrix(np.ones((1, 2)), min_samples=2)
    with pytest.raises(TypeError, match="toarray"):
        as_numeric_array(sp.csr_matrix(np.ones((2, 2))))


def test_data_and_metrics_never_import_models():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "src" / "latentbio"
    for folder in ("data", "metrics"):
        for path in (package / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    assert not any("models" in name.split(".") for name in names), f"{path.name} imports {names}"


def test_selection_indices_take_masks_indices_and_names():
    from latentbio.checks import selection_indices

    names = ["a", "b", "c", "d"]
    assert selection_indices(np.array([True, False, True, False]), 4).tolist() == [0, 2]
    assert selection_indices([3, 1], 4).tolist() == [3, 1]
    assert selection_indices(pd.Index(["d", "a"]), 4, names).tolist() == [3, 0]
    with pytest.raises(ValueError, match=r"astype\(bool\)"):
        selection_indices(np.array([0, 1, 1, 0]), 4)
    with pytest.raises(ValueError, match="pass the names"):
        selection_indices(["a"], 4)
    with pytest.raises(ValueError, match="3 names given for 4 genes"):
        selection_indices(["a"], 4, names[:3], items="genes")
