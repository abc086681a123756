"""The Kang 2018 PBMC subset loads with exact integer counts."""

import os
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from latentbio.data import load_kang2018

MIRROR = Path(os.environ.get("LATENTBIO_DATA_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "data"))
needs_subset = pytest.mark.skipif(not (MIRROR / "kang2018_pbmc_scgen_valid.h5ad").is_file(),
                                  reason="the Kang subset is not in the data mirror")


@pytest.fixture(scope="module")
def kang():
    return load_kang2018(mirror=MIRROR, download=False)


@needs_subset
def test_subset_has_integer_counts_that_reproduce_x(kang):
    counts = kang.layers["counts"]
    assert kang.shape == (1975, 6998)
    assert sp.issparse(counts)
    assert np.array_equal(counts.data, np.round(counts.data)) and counts.data.min() >= 1
    # each cell's smallest count is one: that is how the counts were recovered
    assert np.all(np.array([row.data.min() for row in counts]) == 1)
    # the release normalised each cell to 1832.5 over its n_counts (all genes, before gene
    # filtering): counts / n_counts * target must give back X exactly
    n_counts = kang.obs["n_counts"].to_numpy()
    assert np.all(np.asarray(counts.sum(axis=1)).ravel() <= n_counts)
    expm1_x = kang.X.copy()
    expm1_x.data = np.expm1(expm1_x.data)
    target = np.asarray(expm1_x.sum(axis=1)).ravel() / np.asarray(counts.sum(axis=1)).ravel() * n_counts
    np.testing.assert_allclose(target, 1832.5, rtol=1e-5)
    rebuilt = sp.diags(1832.5 / n_counts) @ counts
    np.testing.assert_allclose(np.log1p(rebuilt.toarray()), kang.X.toarray(), rtol=1e-4, atol=1e-4)


@needs_subset
def test_subset_obs_columns(kang):
    assert set(kang.obs["condition"].cat.categories) == {"control", "stimulated"}
    assert kang.obs["cell_type"].nunique() == 7
    assert (kang.obs["condition"] == "stimulated").sum() > 500 and (kang.obs["condition"] == "control").sum() > 500
    assert kang.obs["condition"].dtype == "category" and kang.obs["cell_type"].dtype == "category"
    assert not kang.obs[["condition", "cell_type"]].isna().any().any()
