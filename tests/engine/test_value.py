"""What a Value holds: its own read-only data, changes that backward notices, and the one node
constructor."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, StaleDataError, Value, losses, optim
from tinygrad_mlp.engine import module_scope
from tinygrad_mlp.engine.node import new_node, subtract_in_place


def test_a_parameter_never_shares_memory_with_the_callers_array() -> None:
    mine = np.ones((2, 3))
    w = Value(mine)
    opt = optim.SGD([w], lr=0.5, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert not np.shares_memory(mine, w.data)
    np.testing.assert_array_equal(mine, np.ones((2, 3)))
    assert not np.allclose(w.data, 1.0)


def test_a_constant_keeps_the_callers_array_writable() -> None:
    mine = np.ones(3)
    Value(mine, requires_grad=False)
    mine[0] = 5.0  # the caller's array is still the caller's
    assert mine.flags.writeable


def test_tensor_data_cannot_be_changed_in_place() -> None:
    w = Value(np.ones(3))
    with pytest.raises(ValueError, match="read-only"):
        w.data[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        (w * 2).data[...] = 0.0


def test_assigning_data_after_use_makes_backward_raise_naming_the_value() -> None:
    w = Value(np.ones(3), label="w")
    loss = (w * w).sum()
    w.data = np.full(3, 2.0)
    with pytest.raises(StaleDataError, match="'w'"):
        loss.backward()


def test_a_scalar_assigned_after_use_makes_backward_raise() -> None:
    a = Value(3.0, label="a")
    out = a * a
    a.data = 4.0
    with pytest.raises(StaleDataError, match="'a'"):
        out.backward()


def test_a_graph_built_after_the_change_backpropagates() -> None:
    w = Value(np.ones(3))
    w.data = np.full(3, 2.0)
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 4.0, 4.0])


def test_optimizer_steps_after_backward_keep_training() -> None:
    X = np.random.default_rng(0).normal(size=(32, 2))
    y = (X[:, 0] > 0).astype(float)
    model = MLP(2, [8, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    first = None
    for _ in range(30):
        loss = losses.mse(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first


def test_sub_updates_a_parameters_own_array_in_place() -> None:
    w = Value(np.ones(3))
    before = w.data
    w.sub_(np.full(3, 0.5))
    assert w.data is before and not w.data.flags.writeable
    np.testing.assert_array_equal(w.data, [0.5, 0.5, 0.5])


def test_sub_after_use_makes_backward_raise() -> None:
    w = Value(np.ones(3), label="w")
    loss = (w * w).sum()
    w.sub_(1.0)
    with pytest.raises(StaleDataError):
        loss.backward()


@pytest.mark.parametrize("scalar", [True, False], ids=["scalar", "tensor"])
def test_an_optimizer_step_after_use_makes_backward_raise_naming_the_weight(scalar: bool) -> None:
    w = Value(2.0 if scalar else np.ones(3), label="w")
    loss = w * w if scalar else (w * w).sum()
    loss.backward()
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(StaleDataError, match="'w'"):
        loss.backward()


def test_weights_changed_before_an_optimizer_fails_are_still_stamped() -> None:
    a, b = Value(np.ones(3), label="a"), Value(np.ones(3), label="b")
    loss = (a * b).sum()

    def updates():
        yield a, np.full(3, 0.5)
        raise RuntimeError("planted")

    with pytest.raises(RuntimeError, match="planted"):
        subtract_in_place(updates())
    np.testing.assert_array_equal(a.data, [0.5, 0.5, 0.5])
    with pytest.raises(StaleDataError, match="'a'"):
        loss.backward()


def test_sub_on_a_constant_never_writes_the_memory_it_shares() -> None:
    shared = np.ones(3)
    c = Value(shared, requires_grad=False)
    c.sub_(0.5)
    np.testing.assert_array_equal(shared, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(c.data, [0.5, 0.5, 0.5])


def test_the_operator_fast_path_fills_the_slots_new_node_fills() -> None:
    a, b = Value(2.0), Value(3.0)
    fast = a * b  # binary_operator's inlined copy of new_node
    slow = new_node(6.0, fast.op, (a, b), None, True, None)
    filled = [s for s in Value.__slots__ if s != "__weakref__" and hasattr(slow, s)]
    assert filled == [s for s in Value.__slots__ if s != "__weakref__" and hasattr(fast, s)]
    for s in filled:
        if s not in ("_index", "_scope"):
            assert getattr(fast, s) == getattr(slow, s), s


def test_numpy_gives_a_writable_copy() -> None:
    v = Value(np.ones(2))
    out = v.numpy()
    out[0] = 3.0
    np.testing.assert_array_equal(v.data, [1.0, 1.0])


def test_rare_facts_and_the_module_call_share_a_slot_without_losing_either() -> None:
    marker = object()
    with module_scope(marker, "layer") as scope:
        y = Value(np.ones(2)) * 2
    y.label = "y"  # the first fact noted: the slot now holds it beside the module call
    y.data = np.zeros(2)  # a second: when the data changed
    assert y.scope is scope and y.label == "y"
    assert y.noted("changed_at") is not None and y.noted("reached") is None
    assert Value(1.0).scope is None and Value(1.0, label="x").scope is None
