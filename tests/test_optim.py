"""Optimizers: each update rule against a step-by-step reference, in-place updates outside the
graph, parameters without gradients, scalar and float32 parameters, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_mlp import MLP, Value, losses, optim

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.2]), np.array([-1.0, 0.0, 1.0])]
START = np.array([1.0, -2.0, 0.5])


def run(make, grads=GRADS, start=START) -> np.ndarray:
    """Apply `make([w])` to one parameter for each of `grads` in turn; return the weights."""
    w = Value(start.copy())
    opt = make([w])
    for g in grads:
        w.grad = g.copy()
        opt.step()
    return w.data


def sgd_reference(lr, momentum=0.0, nesterov=False, weight_decay=0.0) -> np.ndarray:
    w, v = START.copy(), None
    for g in GRADS:
        g = g + weight_decay * w
        if momentum:
            v = g.copy() if v is None else momentum * v + g
            g = g + momentum * v if nesterov else v
        w = w - lr * g
    return w


def adam_reference(lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0) -> np.ndarray:
    w, m, s = START.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        w = w - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)
    return w


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.5, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
        {"lr": 0.3, "weight_decay": 0.1},
    ],
)
def test_sgd_follows_the_update_rule(options) -> None:
    np.testing.assert_allclose(run(lambda p: optim.SGD(p, **options)), sgd_reference(**options))


@pytest.mark.parametrize(
    "options",
    [{"lr": 0.01}, {"lr": 0.1, "beta1": 0.5, "beta2": 0.9}, {"lr": 0.01, "weight_decay": 0.1}],
)
def test_adam_follows_the_update_rule(options) -> None:
    betas = (options.get("beta1", 0.9), options.get("beta2", 0.999))
    make = lambda p: optim.Adam(  # noqa: E731
        p, lr=options["lr"], betas=betas, weight_decay=options.get("weight_decay", 0.0)
    )
    np.testing.assert_allclose(run(make), adam_reference(**options))


@given(hnp.arrays(np.float64, 4, elements=st.floats(-100, 100).filter(lambda x: abs(x) > 1e-3)))
def test_adams_first_step_has_size_lr_whatever_the_gradient_scale(g) -> None:
    w = run(lambda p: optim.Adam(p, lr=0.01), grads=[g], start=np.zeros(4))
    np.testing.assert_allclose(w, -0.01 * np.sign(g), rtol=1e-4)


def test_step_updates_data_in_place_and_builds_no_graph() -> None:
    model = MLP(2, [3, 1], seed=0)
    arrays = [p.data for p in model.parameters()]
    opt = optim.Adam(model.parameters(), lr=0.1)
    losses.mse(model(np.ones((2, 2))), np.zeros(2)).backward()
    opt.step()
    for p, before in zip(model.parameters(), arrays):
        assert p.data is before  # same array, changed in place
        assert p.is_leaf and p.requires_grad
    assert not np.array_equal(model.layers[0].W.data, MLP(2, [3, 1], seed=0).layers[0].W.data)


def test_a_parameter_without_gradient_is_left_alone() -> None:
    used, unused = Value(np.ones(2)), Value(np.ones(2))
    opt = optim.SGD([used, unused], lr=0.5, momentum=0.9)
    (used * 2.0).sum().backward()
    opt.step()
    np.testing.assert_array_equal(used.data, [0.0, 0.0])
    np.testing.assert_array_equal(unused.data, [1.0, 1.0])


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), optim.Adam])
def test_scalar_parameters_are_updated_too(make) -> None:
    w = Value(3.0)
    opt = make([w])
    (w * w).backward()
    opt.step()
    assert isinstance(w.data, float) and w.data < 3.0


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), optim.Adam])
def test_float32_parameters_stay_float32(make) -> None:
    model = MLP(2, [3, 1], dtype="float32", seed=0)
    opt = make(model.parameters())
    for _ in range(2):
        opt.zero_grad()
        losses.mse(model(np.ones((2, 2))), np.zeros(2)).backward()
        opt.step()
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_zero_grad_clears_the_gradients_it_holds() -> None:
    w = Value(np.ones(2))
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize(
    "make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: optim.Adam(p, lr=0.05)]
)
def test_gradient_descent_finds_the_minimum_of_a_quadratic(make) -> None:
    w = Value(np.array([4.0, -3.0]))
    opt = make([w])
    for _ in range(2000):
        opt.zero_grad()
        ((w - np.array([1.0, 2.0])) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.data, [1.0, 2.0], atol=1e-3)


def test_a_parameter_listed_twice_is_updated_once() -> None:
    w = Value(np.ones(1))
    opt = optim.SGD([w, w], lr=1.0)
    w.grad = np.ones(1)
    opt.step()
    np.testing.assert_array_equal(w.data, [0.0])


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: optim.SGD([np.ones(2)], lr=0.1), TypeError, r"params\[0\] is a ndarray"),
        (lambda: optim.SGD([Value(1.0) * 2], lr=0.1), ValueError, "only leaves"),
        (lambda: optim.SGD([Value(1.0)], lr=0.0), ValueError, "lr must lie in"),
        (lambda: optim.SGD([Value(1.0)], lr="fast"), TypeError, "lr must be a number"),
        (lambda: optim.SGD([Value(1.0)], momentum=1.0), ValueError, "momentum"),
        (lambda: optim.SGD([Value(1.0)], nesterov=True), ValueError, "nesterov"),
        (lambda: optim.SGD([Value(1.0)], weight_decay=-1), ValueError, "weight_decay"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
        (lambda: optim.Adam([Value(1.0)], eps=0), ValueError, "eps"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(build, error, message) -> None:
    with pytest.raises(error, match=message):
        build()


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.1),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
        lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1),
    ],
    ids=["sgd-decay", "momentum-decay", "adam-decay"],
)
def test_a_parameter_no_backward_reached_is_left_alone(make) -> None:
    unused_scalar, unused_tensor = Value(1.0), Value(np.ones(2))
    used = Value(2.0)
    opt = make([unused_scalar, unused_tensor, used])
    for _ in range(2):
        opt.zero_grad()
        (used * used).backward()
        opt.step()
    assert unused_scalar.data == 1.0
    np.testing.assert_array_equal(unused_tensor.data, [1.0, 1.0])
    assert used.data != 2.0


def test_a_scalar_whose_gradient_is_exactly_zero_still_decays() -> None:
    w = Value(1.0)
    opt = optim.SGD([w], lr=0.1, weight_decay=0.5)
    (w * 0.0).backward()  # reached, with a gradient of exactly 0
    assert w.has_grad and w.grad == 0.0
    opt.step()
    assert w.data == pytest.approx(1.0 - 0.1 * 0.5)
