"""Shared AnnData input checks raise clear errors for bad counts and missing or empty obs columns."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from latentbio.checks import check_counts, check_obs_column


def make(x, **obs):
    return ad.AnnData(X=x, obs=pd.DataFrame(obs or None, index=[f"c{i}" for i in range(x.shape[0])]))


def test_valid_counts_are_returned_unchanged():
    dense = np.array([[0.0, 2.0], [5.0, 1.0]], dtype=np.float32)
    assert check_counts(make(dense)) is not None
    sparse = sp.csr_matrix(dense)
    adata = make(dense)
    adata.layers["counts"] = sparse
    assert check_counts(adata, "counts") is sparse


@pytest.mark.parametrize("x, message", [
    (np.array([[0.5, 1.0]]), "non-integer"),
    (np.array([[-1.0, 1.0]]), "negative"),
    (np.array([[np.nan, 1.0]]), "NaN"),
    (np.array([[np.inf, 1.0]]), "NaN or infinite"),
    (sp.csr_matrix(np.array([[0.0, 1.5]])), "non-integer"),
    (np.zeros((0, 3)), "empty"),
])
def test_bad_counts_raise(x, message):
    with pytest.raises(ValueError, match=message):
        check_counts(make(x))


def test_missing_layer_and_non_anndata_raise():
    with pytest.raises(ValueError, match="no layer 'counts'"):
        check_counts(make(np.ones((2, 2))), "counts")
    with pytest.raises(ValueError, match="AnnData"):
        check_counts(np.ones((2, 2)))


def test_obs_column_checks():
    adata = make(np.ones((3, 2)), group=pd.Categorical(["a", "a", "b"], categories=["a", "b", "c"]))
    column = check_obs_column(adata, "group")
    assert list(column.cat.categories) == ["a", "b"]  # unused categories dropped
    with pytest.raises(ValueError, match="no column 'region'"):
        check_obs_column(adata, "region")
    with pytest.raises(ValueError, match=r"no cells of \['c'\]"):
        check_obs_column(adata, "group", categories=["a", "c"])
    adata.obs["label"] = ["x", None, "y"]
    with pytest.raises(ValueError, match="missing values"):
        check_obs_column(adata, "label")
