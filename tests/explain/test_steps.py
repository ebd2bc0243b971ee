"""explain.steps: the forward and backward steps carry the engine's own numbers, and the words
the page shows for them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from tinygrad_mlp import MLP, Function, Value, losses
from tinygrad_mlp.explain import walkthrough
from tinygrad_mlp.nn import ScalarMLP, ScalarNeuron
from tinygrad_mlp.testing import strategies as tst


def micrograd_neuron() -> Value:
    neuron = ScalarNeuron(2, "tanh")
    for p, number in zip(neuron.parameters(), [-3.0, 1.0, 6.8813735870195432]):
        p.data = number
    o = neuron([Value(2.0, label="x1"), Value(0.0, label="x2")])
    o.label = "o"
    return o


def tensor_loss() -> Value:
    X = np.random.default_rng(0).normal(size=(4, 2))
    return losses.mse(MLP(2, [3, 1], seed=0)(X), np.ones((4, 1)))


GRAPHS = {"neuron": micrograd_neuron, "tensor": tensor_loss}


def same(a, b) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


@pytest.mark.parametrize("name", GRAPHS)
def test_the_gradients_shown_are_those_backward_stores(name) -> None:
    output = GRAPHS[name]()
    steps = walkthrough(output)
    output.backward()
    for v, g in zip(steps.values, steps.grads):
        if v.requires_grad:
            assert same(g, v.grad), steps.names[steps.values.index(v)]
        else:
            assert g is None


@pytest.mark.parametrize("name", GRAPHS)
def test_what_flows_into_each_value_adds_up_to_its_gradient(name) -> None:
    steps = walkthrough(GRAPHS[name]())
    received: dict[int, list] = {}
    for step in steps.steps:
        for flow in step.flows:
            received.setdefault(flow.input, []).append(flow.gradient)
    for i, flows in received.items():
        total = sum(flows[1:], flows[0])
        assert np.allclose(total, steps.grads[i], rtol=1e-12, atol=0), steps.names[i]


@settings(max_examples=30, deadline=None)
@given(tst.expressions(max_ops=12, scalar=True))
def test_flows_add_up_to_the_engines_gradient_on_random_scalar_graphs(expr) -> None:
    out = expr(*[Value(x) for x in expr.inputs])
    steps = walkthrough(out)
    received: dict[int, float] = {}
    for step in steps.steps:
        for flow in step.flows:
            received[flow.input] = received.get(flow.input, 0.0) + flow.gradient
    for i, total in received.items():
        assert np.isclose(total, steps.grads[i], rtol=1e-9, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", GRAPHS)
def test_each_gradient_becomes_final_once_after_everything_it_receives(name) -> None:
    steps = walkthrough(GRAPHS[name]())
    final_at: dict[int, int] = {}
    for k, step in enumerate(steps.steps):
        for i in step.final:
            assert i not in final_at
            final_at[i] = k
    needing = {i for i, v in enumerate(steps.values) if v.requires_grad}
    assert set(final_at) == needing
    for k, step in enumerate(steps.steps):
        for flow in step.flows:
            assert k <= final_at[flow.input]


def test_one_forward_and_one_backward_step_per_operation_and_a_start_and_a_seed() -> None:
    steps = walkthrough(micrograd_neuron())
    n_ops = sum(1 for v in steps.values if v.op is not None)
    phases = [s.phase for s in steps.steps]
    assert phases == ["start"] + ["forward"] * n_ops + ["backward"] * (n_ops + 1)


def test_the_backward_steps_go_in_reverse_topological_order() -> None:
    steps = walkthrough(micrograd_neuron())
    through = [s.node for s in steps.steps if s.phase == "backward"]
    assert through == sorted(through, reverse=True)


def test_explaining_changes_no_grad() -> None:
    o = micrograd_neuron()
    before = [v.grad for v in walkthrough(o).values]
    walkthrough(o)
    assert [v.grad for v in walkthrough(o).values] == before


def test_a_scalar_step_shows_the_local_derivative_times_the_incoming_gradient() -> None:
    o = micrograd_neuron()
    steps = walkthrough(o)
    tanh_step = steps.steps[steps.first_backward + 1]  # after the seed: the output's op
    (flow,) = tanh_step.flows
    assert flow.local == pytest.approx(1 - o.data**2)
    assert tanh_step.lines[1] == "local derivative: d/dx tanh(x) = 1 - tanh(x)²"
    assert tanh_step.lines[2] == "incoming gradient: do/do = 1"
    assert tanh_step.lines[3] == f"to {steps.names[flow.input]}: 1 × 0.5 = 0.5"


def test_a_value_used_twice_says_its_contributions_add_up() -> None:
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    steps = walkthrough(b)
    lines = steps.steps[-1].lines
    assert lines[-1] == (
        "  a is used 2 times: its gradient is the sum of what each use sends, 3 + 3 = 6 (final)"
    )


def test_a_custom_function_is_shown_by_its_name_and_numbers() -> None:
    class Cube(Function):
        @staticmethod
        def forward(x):
            return x**3

        @staticmethod
        def backward(g, x, out):
            return g * 3 * x**2

    x = Value(2.0, label="x")
    steps = walkthrough(Cube.apply(x))
    last = steps.steps[-1]
    assert last.lines[0] == "Backward through #1 = Cube(x)"
    assert "Cube.backward" in last.lines[1]
    assert last.flows[0].gradient == 12.0 == last.flows[0].local


def test_a_tensor_step_shows_shapes_and_a_preview() -> None:
    steps = walkthrough(tensor_loss())
    text = "\n".join(line for s in steps.steps for line in s.lines)
    assert "shape (4, 3) [" in text and "…]" in text


def test_a_constant_output_is_refused() -> None:
    with pytest.raises(ValueError, match="does not require gradients"):
        walkthrough(Value(2.0, requires_grad=False) * 3)


def test_a_tensor_output_is_refused_by_the_engine_naming_its_shape() -> None:
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        walkthrough(Value([1.0, 2.0]) * 3)


def test_a_big_scalar_network_is_walked() -> None:
    model = ScalarMLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -1.0])
    steps = walkthrough(out)
    assert len(steps.steps) == 2 + 2 * sum(1 for v in steps.values if v.op is not None)
