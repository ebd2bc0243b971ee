"""The training loop: the issue's moons example, batches and updates per epoch, validation,
history, progress bar, reproducibility, evaluation without graph, and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_mlp import MLP, Module, Value, data, is_grad_enabled, losses, optim
from tinygrad_mlp.train import History, decision_threshold, evaluate, fit, loss_of


class CountingSGD(optim.SGD):
    """SGD that counts its steps."""

    def __init__(self, params, lr: float = 0.1) -> None:
        super().__init__(params, lr=lr)
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        super().step()


def test_the_moons_example_reaches_full_training_accuracy() -> None:
    X, y = data.moons(n=200, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(100):
        loss = losses.hinge(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses.accuracy(model.predict(X), y) == 1.0
    history = model.fit(
        X, y, loss="hinge", optimizer="adam", epochs=50, batch_size=32, progress=False
    )
    assert history.epochs == 50
    assert losses.accuracy(model.predict(X), y) == 1.0


@pytest.mark.parametrize(("batch_size", "steps_per_epoch"), [(None, 1), (32, 4), (100, 1), (7, 15)])
def test_one_update_per_minibatch_and_full_batch_is_one_per_epoch(batch_size, steps_per_epoch):
    X, y = data.xor(n=100, seed=0)
    model = MLP(2, [4, 2], seed=0)
    opt = CountingSGD(model.parameters())
    fit(model, X, y, optimizer=opt, epochs=3, batch_size=batch_size, progress=False)
    assert opt.steps == 3 * steps_per_epoch


def test_history_holds_one_value_per_epoch_for_each_metric() -> None:
    X, y = data.moons(n=80, seed=1)
    history = fit(MLP(2, [8, 2], seed=0), X, y, epochs=4, validation_split=0.25, progress=False)
    assert isinstance(history, History) and history.epochs == 4
    assert sorted(history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 4 for values in history.values())
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"] + history["val_accuracy"])
    assert history.rows()[0] == {"epoch": 1, **{k: v[0] for k, v in history.items()}}


def test_validation_data_is_scored_after_each_epoch() -> None:
    X, y = data.moons(n=80, seed=1)
    Xv, yv = data.moons(n=40, seed=2)
    model = MLP(2, [8, 2], seed=0)
    history = fit(model, X, y, validation_data=(Xv, yv), epochs=2, progress=False)
    assert history["val_loss"][-1] == pytest.approx(evaluate(model, Xv, yv)["loss"])
    assert history["val_accuracy"][-1] == evaluate(model, Xv, yv)["accuracy"]


@pytest.mark.parametrize(
    ("loss", "width"),
    [("cross_entropy", 2), ("mse", 2), ("sse", 1), ("hinge", 1), ("binary_cross_entropy", 1)],
)
def test_training_lowers_the_loss_and_learns_xor(loss: str, width: int) -> None:
    X, y = data.xor(n=120, noise=0.05, seed=0)
    model = MLP(2, [16, width], activation="tanh", seed=0)
    history = fit(model, X, y, loss=loss, optimizer="adam", lr=0.02, epochs=30, progress=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.85  # chance is 0.5; no single neuron gets past 0.75


def test_same_seed_gives_identical_training() -> None:
    X, y = data.spirals(n=90, seed=0)

    def train() -> tuple[dict, History]:
        model = MLP(2, [8, 3], seed=5)
        return model.state_dict(), fit(model, X, y, epochs=3, batch_size=16, seed=9, progress=False)

    (state_a, history_a), (state_b, history_b) = train(), train()
    assert history_a == history_b
    for name in state_a:
        np.testing.assert_array_equal(state_a[name], state_b[name])


def test_progress_bar_shows_epoch_loss_and_accuracy_on_stderr(capsys) -> None:
    X, y = data.moons(n=40, seed=0)
    fit(MLP(2, [4, 2], seed=0), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "acc=" in err
    fit(MLP(2, [4, 2], seed=0), X, y, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_evaluate_records_no_graph_and_touches_no_gradient() -> None:
    class Spy(Module):
        def __init__(self) -> None:
            self.inner = MLP(2, [3, 2], seed=0)
            self.grad_mode: list[bool] = []

        def forward(self, x: Value) -> Value:
            self.grad_mode.append(is_grad_enabled())
            return self.inner(x)

    X, y = data.moons(n=20, seed=0)
    spy = Spy()
    metrics = evaluate(spy, X, y)
    assert set(metrics) == {"loss", "accuracy"} and spy.grad_mode == [False, False]
    assert all(p.grad is None for p in spy.parameters())


def test_squared_error_on_class_labels_with_several_outputs_uses_one_hot_targets() -> None:
    X, y = np.zeros((3, 2)), np.array([0, 2, 1])
    model = MLP(2, [3], seed=0)
    loss = loss_of(model, X, y, "sse")
    expected = ((model.predict(X) - np.eye(3)[y]) ** 2).sum()
    assert loss.requires_grad and loss.item() == pytest.approx(expected)


def test_regression_targets_get_a_loss_but_no_accuracy() -> None:
    X = np.linspace(-1, 1, 30)[:, None]
    history = fit(
        MLP(1, [8, 1], "tanh", seed=0), X, np.sin(3 * X[:, 0]), loss="mse", epochs=2, progress=False
    )
    assert sorted(history) == ["loss"]


def test_decision_threshold_fits_the_kind_of_output() -> None:
    labels01, labels_pm1 = np.array([0, 1]), np.array([-1, 1])
    linear, sigmoid = MLP(2, [1]), MLP(2, [1], output_activation="sigmoid")
    assert decision_threshold(linear, "hinge", labels01) == 0.0
    assert decision_threshold(linear, "binary_cross_entropy", labels01) == 0.0
    assert decision_threshold(linear, "mse", labels01) == 0.5
    assert decision_threshold(linear, "mse", labels_pm1) == 0.0
    assert decision_threshold(sigmoid, "mse", labels01) == 0.5


def test_nan_in_the_data_is_refused_before_training_naming_row_and_column() -> None:
    X, y = data.moons(n=20, seed=0)
    X[3, 1] = math.nan
    model = MLP(2, [4, 2], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match="row 3, column 1"):
        fit(model, X, y, epochs=2, progress=False)
    for name, w in model.state_dict().items():
        np.testing.assert_array_equal(w, before[name])


def test_an_inf_target_is_refused_before_training() -> None:
    X, _ = data.moons(n=20, seed=0)
    y = np.zeros(20)
    y[7] = math.inf
    with pytest.raises(ValueError, match="y holds 1 nan or inf value.*row 7"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="mse", progress=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_loss_that_becomes_inf_stops_training_and_keeps_finite_weights() -> None:
    X, y = data.moons(n=40, seed=0)
    model = MLP(2, [8, 1], seed=0)
    diverged = r"became (inf|nan) in epoch \d|made .* nan or inf"
    with pytest.raises(FloatingPointError, match=diverged):
        fit(model, X, y.astype(float), loss="mse", lr=1e3, epochs=50, progress=False)
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_wrong_shaped_input_names_the_shape_given() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(10, 3\).*2 features"):
        fit(MLP(2, [4, 2]), np.ones((10, 3)), np.zeros(10, dtype=int), progress=False)


def test_fit_defaults_are_the_command_lines() -> None:
    import inspect

    from tinygrad_mlp.runs import RunConfig
    from tinygrad_mlp.train import DEFAULTS

    config, signature = RunConfig(), inspect.signature(fit).parameters
    for name in ("loss", "optimizer", "epochs", "batch_size"):
        assert signature[name].default == getattr(config, name) == DEFAULTS[name], name
    assert config.lr == DEFAULTS["lr"] and config.momentum == DEFAULTS["momentum"]


def test_fit_with_a_named_sgd_uses_the_command_lines_momentum() -> None:
    X, y = data.moons(n=20, seed=0)
    model = MLP(2, [4, 2], seed=0)
    opt = _Spy()
    fit(model, X, y, epochs=1, progress=False, scheduler=opt.capture)
    assert opt.seen.momentum == 0.9 and opt.seen.lr == pytest.approx(0.05)


class _Spy:
    """A scheduler factory that remembers the optimizer fit made."""

    def capture(self, optimizer):
        from tinygrad_mlp.schedules import ExponentialLR

        self.seen = optimizer
        return ExponentialLR(optimizer, gamma=1.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"loss": "l1"}, "unknown loss 'l1'"),
        ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'"),
        ({"epochs": -1}, "epochs must be >= 1"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
        ({"validation_split": 1.5}, "validation_split must be a fraction strictly between 0 and 1"),
        ({"validation_split": 0.2, "validation_data": ([[0, 0]], [0])}, "not both"),
        ({"validation_data": ([[0, 0]],)}, "a pair"),
        ({"y": np.zeros(5, dtype=int)}, r"X has 10 \(shape \(10, 2\)\), y has 5 \(shape \(5,\)\)"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(options, message) -> None:
    X, y = data.moons(n=10, seed=0)
    y = options.pop("y", y)
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [4, 2], seed=0), X, y, progress=False, **options)


def test_a_loss_on_logits_refuses_a_model_that_already_squashes_them() -> None:
    X, y = data.moons(n=10, seed=0)
    with pytest.raises(ValueError, match="output_activation=None"):
        fit(MLP(2, [2], output_activation="softmax"), X, y, progress=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_the_finite_weight_check_finds_one_bad_element_and_not_a_sum_that_overflows(bad):
    from tinygrad_mlp import optim
    from tinygrad_mlp.fit_step import LastFiniteWeights

    model = MLP(2, [3, 1], seed=0)
    params = model.parameters()
    keeper = LastFiniteWeights(params)
    opt = optim.SGD(params, lr=0.1)
    params[0].data = np.full(params[0].shape, 1e308)  # finite, though its sum is inf
    keeper.save()
    keeper.check(1, opt, model)  # no error
    changed = np.array(params[0].data)
    changed[1, 2] = bad
    params[0].data = changed
    with pytest.raises(FloatingPointError, match="nan or inf"):
        keeper.check(1, opt, model)
    assert np.array_equal(params[0].data, np.full(params[0].shape, 1e308))  # restored
