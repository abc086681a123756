"""The one training loop: history, validation, early stopping, data forms, minibatches, schedules, errors."""

import numpy as np
import pytest
import torch
import scipy.sparse as sp
from torch import nn

from latentbio import train


class LinearRegression(nn.Module):
    """y = w x + b with a squared error; also reports a second term to check logging."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def loss(self, x, y):
        error = (self.linear(x).squeeze(-1) - y).pow(2).mean()
        return {"loss": error, "absolute": (self.linear(x).squeeze(-1) - y).abs().mean()}


@pytest.fixture(scope="module")
def regression():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(256, 3, generator=generator)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3 + 0.01 * torch.randn(256, generator=generator)
    return x, y


def test_history_records_every_term_per_epoch(regression):
    torch.manual_seed(0)
    model = LinearRegression()
    history = train.fit(model, regression, epochs=30, batch_size=32, lr=0.05, device="cpu")
    assert history.n_epochs == 30
    assert set(history.train) == {"loss", "absolute"} and history.val == {}
    assert all(len(values) == 30 for values in history.train.values())
    assert history.train["loss"][-1] < 0.01 * history.train["loss"][0]
    assert history.best_epoch == 29 and history.seconds > 0
    torch.testing.assert_close(model.linear.weight.detach(), torch.tensor([[1.0, -2.0, 0.5]]), atol=0.05, rtol=0)
    assert not model.training  # fit leaves the model in evaluation mode


def test_val_fraction_splits_off_a_validation_set(regression):
    train_part, val_part = train.split_rows(256, 0.25, seed=0)
    assert len(train_part) == 192 and len(val_part) == 64
    assert not set(train_part.tolist()) & set(val_part.tolist())
    assert torch.equal(train.split_rows(256, 0.25, seed=0)[1], val_part)
    torch.manual_seed(0)
    history = train.fit(LinearRegression(), regression, epochs=5, val_fraction=0.25, device="cpu")
    assert len(history.val["loss"]) == 5 and len(history.val["absolute"]) == 5


class Memoriser(nn.Module):
    """A model whose validation loss gets worse after a few epochs, to test early stopping.

    The weight moves by +1 each training step; the validation loss is the distance to 3,
    so the best weight is reached after three steps and training on makes it worse.
    """

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))

    def loss(self, x):
        if self.training:
            return -self.weight * x.mean()  # SGD with lr 1 moves the weight by +1 per step
        return (self.weight - 3.0).abs() + 0 * x.mean()


def test_early_stopping_restores_the_best_weights():
    data = torch.ones(8, 1)
    model = Memoriser()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    history = train.fit(model, data, epochs=50, batch_size=8, optimizer=optimizer, val_data=data, patience=4,
                        device="cpu")
    assert history.best_epoch == 2  # after the third epoch the weight is 3
    assert history.n_epochs == 7  # four epochs without improvement, then stop
    assert history.val["loss"][2] == 0.0
    assert float(model.weight.detach()) == 3.0


class Recorder(LinearRegression):
    """Records the size of every minibatch it is given."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def loss(self, x, y):
        self.sizes.append(len(x))
        return super().loss(x, y)


def test_custom_batches_are_used_as_they_are(regression):
    model = Recorder()
    batches = [np.arange(100), np.arange(100, 200), np.arange(200, 256)]
    train.fit(model, regression, epochs=2, batch_size=7, batches=batches, device="cpu")
    assert model.sizes == [100, 100, 56] * 2


@pytest.mark.parametrize("n, batch_size, sizes", [
    (129, 128, [129]),            # a last minibatch of 1 is merged into the one before
    (256, 128, [128, 128]),
    (200, 128, [128, 72]),        # 72 >= 64: kept as its own minibatch
    (190, 128, [190]),            # 62 < 64: merged
    (5, 128, [5]), (3, 2, [3]), (1, 4, [1]),
])
def test_a_last_minibatch_smaller_than_half_a_batch_is_merged(n, batch_size, sizes):
    assert [part.stop - part.start for part in train.batch_slices(n, batch_size)] == sizes
    model = Recorder()
    train.fit(model, (torch.randn(n, 3), torch.randn(n)), epochs=1, batch_size=batch_size, device="cpu")
    assert sorted(model.sizes) == sorted(sizes)


@pytest.mark.parametrize("dense_limit", [0, train.DENSE_LIMIT_BYTES])
def test_numpy_and_sparse_data_give_the_same_model(regression, monkeypatch, dense_limit):
    x, y = (t.numpy() for t in regression)
    monkeypatch.setattr(train, "DENSE_LIMIT_BYTES", dense_limit)
    densified = []
    real_toarray = sp.csr_matrix.toarray
    monkeypatch.setattr(sp.csr_matrix, "toarray", lambda self, *a, **k: densified.append(self.shape) or
                        real_toarray(self, *a, **k))
    weights = []
    for data in ((x.astype(np.float64), y), (sp.csr_matrix(x), y)):
        torch.manual_seed(0)
        model = LinearRegression()
        assert train.fit(model, data, epochs=2, batch_size=64, device="cpu").n_epochs == 2
        weights.append(model.linear.weight.detach().clone())
    torch.testing.assert_close(weights[0], weights[1], rtol=0, atol=0)
    if dense_limit == 0:
        assert densified and all(shape[0] <= 64 for shape in densified), "a large matrix: only minibatches dense"
    else:
        assert densified == [x.shape], "a small matrix is made dense once"


def test_same_seed_gives_the_same_model(regression):
    def trained(seed):
        torch.manual_seed(0)  # same initial weights; only the shuffling seed differs
        model = LinearRegression()
        train.fit(model, regression, epochs=3, batch_size=16, lr=0.01, seed=seed, device="cpu")
        return model.linear.weight.detach().clone()

    torch.testing.assert_close(trained(0), trained(0), rtol=0, atol=0)
    assert not torch.equal(trained(0), trained(1))


def test_on_epoch_start_and_scheduler_are_called(regression):
    epochs_started = []
    history = train.fit(LinearRegression(), regression, epochs=3, device="cpu", on_epoch_start=epochs_started.append,
                        scheduler=lambda optimizer: torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.1), lr=1.0)
    assert epochs_started == [0, 1, 2] and history.n_epochs == 3


def test_predict_in_batches_matches_one_pass():
    data = torch.randn(50, 3)
    result = train.predict_in_batches(lambda batch: batch * 2, data, batch_size=7, device=torch.device("cpu"))
    torch.testing.assert_close(result, data * 2)


@pytest.mark.parametrize("options, message", [
    (dict(epochs=0), "epochs"),
    (dict(epochs=1, batch_size=0), "batch_size"),
    (dict(epochs=1, patience=3), "needs val_data or val_fraction"),
    (dict(epochs=1, val_fraction=0.1, val_data=torch.zeros(2, 3)), "not both"),
    (dict(epochs=1, val_fraction=1.5), "val_fraction"),
])
def test_bad_options_raise(regression, options, message):
    with pytest.raises(ValueError, match=message):
        train.fit(LinearRegression(), regression, device="cpu", **options)


def test_bad_data_raise():
    with pytest.raises(ValueError, match="one row per sample"):
        train.Rows((np.zeros((4, 3)), np.zeros(5)))
    with pytest.raises(ValueError, match="empty"):
        train.Rows(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="too few"):
        train.split_rows(1, 0.5)

    class NoLoss(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(()))

        def loss(self, x):
            return {"error": self.weight * x.sum()}

    with pytest.raises(ValueError, match="'loss' entry"):
        train.fit(NoLoss(), torch.ones(4, 1), epochs=1, device="cpu")


# ---- schedules -----------------------------------------------------------------------------------

def test_linear_ramp_reaches_full_weight_in_epoch_ramp_minus_one():
    assert [train.linear_ramp(epoch, 4) for epoch in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert train.linear_ramp(0, 0) == 1.0
    with pytest.raises(ValueError, match="non-negative"):
        train.linear_ramp(0, -1)


def test_ramp_attribute_sets_the_value_each_epoch(regression):
    model = LinearRegression()
    model.kl_weight = 1.0
    seen = []

    def record(epoch):
        warm_up(epoch)
        seen.append(model.kl_weight)

    warm_up = train.ramp_attribute(model, "kl_weight", 2.0, 2)
    train.fit(model, regression, epochs=3, on_epoch_start=record, device="cpu")
    assert seen == [1.0, 2.0, 2.0]


def test_cosine_schedule_falls_to_the_final_fraction():
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    schedule = train.cosine_schedule(10, final_fraction=0.01)(optimizer)
    rates = []
    for _ in range(10):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    assert rates[0] == pytest.approx(1.0) and optimizer.param_groups[0]["lr"] == pytest.approx(0.01)
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    with pytest.raises(ValueError, match="final_fraction"):
        train.cosine_schedule(10, final_fraction=2.0)


def test_fit_restores_the_configured_thread_count(regression, monkeypatch):
    from latentbio import device

    monkeypatch.setattr(device, "_configured_threads", None)  # restored after the test
    before = torch.get_num_threads()
    try:
        device.configure(1)
        torch.set_num_threads(2)  # what scanpy's neighbour graph leaves behind
        train.fit(LinearRegression(), regression, epochs=1, device="cpu")
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
