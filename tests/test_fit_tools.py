"""fit's training tools: train/eval modes, schedules, early stopping with the best weights."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, Layer, Module, data, optim
from tinygrad_mlp.nn import Dropout
from tinygrad_mlp.schedules import StepLR
from tinygrad_mlp.train import evaluate, fit


class DropNet(Module):
    def __init__(self, p=0.5):
        self.hidden = Layer(2, 16, "relu", seed=0)
        self.drop = Dropout(p, seed=0)
        self.out = Layer(16, 2, "linear", seed=1)
        self.modes: list[bool] = []

    def forward(self, x):
        self.modes.append(self.drop.training)
        return self.out(self.drop(self.hidden(x)))


def test_fit_trains_in_training_mode_and_returns_in_evaluation_mode() -> None:
    X, y = data.moons(n=40, seed=0)
    model = DropNet()
    fit(model, X, y, epochs=2, batch_size=40, validation_split=0.25, progress=False)
    assert True in model.modes and False in model.modes
    assert not model.training and not model.drop.training


def test_evaluate_and_predict_run_in_evaluation_mode_and_restore_the_mode() -> None:
    X, y = data.moons(n=40, seed=0)
    model = DropNet(p=0.9)
    first = evaluate(model, X, y)
    assert evaluate(model, X, y) == first  # dropout off: the same numbers each time
    np.testing.assert_array_equal(model.predict(X), model.predict(X))
    assert model.training  # restored
    assert model.modes and not any(model.modes)  # every forward pass ran in evaluation mode


def test_schedule_sets_the_learning_rate_of_each_epoch() -> None:
    X, y = data.moons(n=20, seed=0)
    model = MLP(2, [4, 2], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model, X, y, optimizer=opt, scheduler=StepLR(opt, 2, 0.5), epochs=5, progress=False
    )
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_a_schedule_of_another_optimizer_is_refused() -> None:
    X, y = data.moons(n=20, seed=0)
    model = MLP(2, [4, 2], seed=0)
    other = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="another optimizer"):
        fit(model, X, y, scheduler=StepLR(other, 2), epochs=1, progress=False)


def test_patience_stops_early_and_restores_the_best_weights() -> None:
    X, y = data.moons(n=60, noise=0.3, seed=0)
    Xv, yv = data.moons(n=40, noise=0.3, seed=1)
    model = MLP(2, [32, 32, 2], seed=0)
    history = fit(
        model,
        X,
        y,
        optimizer="adam",
        lr=0.05,
        epochs=300,
        validation_data=(Xv, yv),
        patience=5,
        progress=False,
    )
    assert history.epochs < 300
    best = history.best_epoch
    assert history.epochs == best + 5  # stopped five epochs without improvement after the best
    assert min(history["val_loss"]) == history["val_loss"][best - 1]
    assert evaluate(model, Xv, yv)["loss"] == pytest.approx(history["val_loss"][best - 1])


def test_patience_needs_validation_data() -> None:
    X, y = data.moons(n=20, seed=0)
    with pytest.raises(ValueError, match="validation"):
        fit(MLP(2, [4, 2]), X, y, patience=3, progress=False)
