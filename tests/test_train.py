"""The one training loop: history, validation, early stopping, data forms, determinism, errors."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

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
    train_part, val_part = train.split_dataset(train.as_dataset(regression), 0.25, seed=0)
    assert len(train_part) == 192 and len(val_part) == 64
    assert not set(train_part.indices) & set(val_part.indices)
    again = train.split_dataset(train.as_dataset(regression), 0.25, seed=0)[1]
    assert again.indices == val_part.indices
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


def test_a_ready_dataloader_is_used_as_it_is(regression):
    seen = []

    class Recorder(LinearRegression):
        def loss(self, x, y):
            seen.append(len(x))
            return super().loss(x, y)

    loader = DataLoader(TensorDataset(*regression), batch_size=100, shuffle=False)
    train.fit(Recorder(), loader, epochs=2, batch_size=7, device="cpu")
    assert seen == [100, 100, 56] * 2


def test_numpy_arrays_and_datasets_are_accepted(regression):
    x, y = (t.numpy() for t in regression)
    for data in ((x, y), TensorDataset(*regression)):
        torch.manual_seed(0)
        history = train.fit(LinearRegression(), data, epochs=2, device="cpu")
        assert history.n_epochs == 2


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
    with pytest.raises(ValueError, match="same length"):
        train.as_dataset((np.zeros((4, 3)), np.zeros(5)))
    with pytest.raises(ValueError, match="empty"):
        train.as_dataset(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="too few"):
        train.split_dataset(train.as_dataset(np.zeros((1, 3))), 0.5)

    class NoLoss(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(()))

        def loss(self, x):
            return {"error": self.weight * x.sum()}

    with pytest.raises(ValueError, match="'loss' entry"):
        train.fit(NoLoss(), torch.ones(4, 1), epochs=1, device="cpu")
