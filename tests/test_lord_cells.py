"""LORD for cells: shared attribute codes, noisy per-cell content codes, prediction by swapping codes."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import torch

from latentbio.models.lord_cells import LORDCells, LORDCellsModule


def _cells(seed=0):
    """Two types x two conditions; stimulation adds 2 to genes 0-2 in every type; a per-cell
    continuous factor (not an attribute) scales genes 10-14."""
    rng = np.random.default_rng(seed)
    n = 160
    types = np.repeat(["a", "b"], n // 2)
    conditions = np.tile(np.repeat(["control", "stimulated"], n // 4), 2)
    x = rng.normal(0, 0.1, size=(n, 20)).astype(np.float32)
    x[types == "b", 5:10] += 1.5
    x[conditions == "stimulated", :3] += 2.0
    x[:, 10:15] += rng.uniform(-1, 1, size=(n, 1))
    obs = pd.DataFrame({"cell_type": types, "condition": conditions}, index=[f"c{i}" for i in range(n)])
    return ad.AnnData(x, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(20)]))


def test_module_loss_is_reconstruction_plus_penalty_on_the_noisy_content_codes():
    torch.manual_seed(0)
    module = LORDCellsModule(20, 10, [2, 2], n_content=3, content_penalty=0.5)
    module.eval()  # no noise: the penalty is on the codes themselves
    x, cells = torch.randn(10, 20), torch.arange(10)
    attributes = torch.zeros(10, 2, dtype=torch.long)
    terms = {k: v.detach() for k, v in module.loss(x, cells, attributes).items()}
    codes = module.content.codes.weight.detach()
    assert float(terms["content_norm"]) == pytest.approx(float(codes.pow(2).sum(1).mean()), rel=1e-6)
    assert float(terms["loss"]) == pytest.approx(float(terms["reconstruction"] + 0.5 * terms["content_norm"]), rel=1e-6)


def test_attribute_codes_are_shared_by_all_cells_with_that_value():
    model = LORDCells(_cells(), n_content=2, n_attribute=3)
    codes = model.get_attribute_codes("cell_type")
    assert list(codes.index) == ["a", "b"] and codes.shape == (2, 3)
    assert model.get_latent_representation().shape == (160, 2)


def test_swapping_the_condition_code_predicts_the_stimulation():
    adata = _cells()
    torch.manual_seed(0)
    model = LORDCells(adata, n_content=2, hidden=(32,), content_noise=0.5, content_penalty=1e-2)
    model.train(150, batch_size=32, seed=0)
    control = adata[(adata.obs.cell_type == "a") & (adata.obs.condition == "control")]
    predicted = model.predict(control, condition="stimulated")
    assert np.allclose(predicted[:, :3].mean(0), 2.0, atol=0.3)  # the response appears
    assert np.allclose(predicted[:, 5:10].mean(0), 0.0, atol=0.3)  # the type stays a
    unchanged = model.predict(control)
    assert np.allclose(unchanged[:, :3].mean(0), 0.0, atol=0.3)
    # decode_latent: the same decoder from content codes, attributes from adata or given
    codes = model.get_latent_representation(control)
    np.testing.assert_allclose(model.decode_latent(codes, control), unchanged, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.decode_latent(codes, control, condition="stimulated"), predicted,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.decode_latent(codes, cell_type="a", condition="stimulated"), predicted,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.decode_latent(model.get_latent_representation()), model.predict(), rtol=1e-5,
                               atol=1e-6)
    # the content code carries the per-cell factor, so predictions keep each cell's own level
    assert np.corrcoef(predicted[:, 10], control.X[:, 10])[0, 1] > 0.8


def test_lord_cells_bad_input():
    adata = _cells()
    with pytest.raises(ValueError, match="no column"):
        LORDCells(adata, ["tissue"])
    with pytest.raises(ValueError, match="non-empty list"):
        LORDCells(adata, "cell_type")
    model = LORDCells(adata)
    with pytest.raises(ValueError, match="not seen in training"):
        model.predict(adata[:3], condition="heat shock")
    with pytest.raises(ValueError, match="unknown attribute"):
        model.predict(adata[:3], tissue="lung")
    codes = model.get_latent_representation(adata[:3])
    with pytest.raises(ValueError, match="unknown attribute"):
        model.decode_latent(codes, tissue="lung")
    with pytest.raises(ValueError, match="one per code"):
        model.decode_latent(codes, condition="control")  # cell_type from the 160 training cells, for 3 codes
    with pytest.raises(ValueError, match="not seen in training"):
        model.decode_latent(codes, cell_type="c", condition="control")
    stranger = adata[:3].copy()
    stranger.obs_names = ["x1", "x2", "x3"]
    with pytest.raises(ValueError, match="training cells"):
        model.get_latent_representation(stranger)
    with pytest.raises(ValueError, match="content_penalty"):
        LORDCells(adata, content_penalty=-1.0)
