"""The chapter 6 likelihood-ratio exercise check accepts a correct ranking and rejects stubs and mistakes."""

import numpy as np
import pytest

from latentbio.data import simulate_counts
from latentbio.exercises import ExerciseFailed
from latentbio.exercises.ch06 import check_lr_precision
from latentbio.models import MultiGroupVI


def stub(*args, **kwargs):
    raise NotImplementedError("write your code here")


def lr_precision(model, cells, true_genes, n_top):
    ratio = model.likelihood_ratio(cells)
    top = np.asarray(model.var_names)[np.argsort(-ratio, kind="stable")[:n_top]]
    return float(np.mean([gene in true_genes for gene in top]))


def lowest_first(model, cells, true_genes, n_top):  # the mistake: ranks from the smallest ratio
    ratio = model.likelihood_ratio(cells)
    top = np.asarray(model.var_names)[np.argsort(ratio, kind="stable")[:n_top]]
    return float(np.mean([gene in true_genes for gene in top]))


@pytest.fixture(scope="module")
def chapter_objects():
    adata = simulate_counts(120, 40, 5, n_groups=2, programs_per_group=1, program_genes=5, lib_loc=7.0, seed=0)
    model = MultiGroupVI(adata, group_key="group", n_shared_latent=3, n_private_latent=2, n_hidden=16)
    model.train(2, seed=0)
    true_genes = set(adata.var_names[adata.var["program_1_0"].to_numpy() > 1])
    return model, adata, true_genes


def test_lr_precision_check(chapter_objects):
    model, adata, true_genes = chapter_objects
    check_lr_precision(lr_precision, model, adata, true_genes)
    with pytest.raises(ExerciseFailed, match="not implemented"):
        check_lr_precision(stub, model, adata, true_genes)
    with pytest.raises(ExerciseFailed, match="LARGEST"):
        check_lr_precision(lowest_first, model, adata, true_genes)
