"""nn.scalar: micrograd's network, one scalar Value per weight."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import Value
from tinygrad_mlp.nn import ScalarLayer, ScalarMLP, ScalarNeuron


def test_every_weight_is_a_scalar_value_of_its_own() -> None:
    model = ScalarMLP(2, [3, 1], seed=0)
    params = model.parameters()
    assert len(params) == 3 * 3 + 4 and all(p.is_scalar for p in params)
    assert len({id(p) for p in params}) == len(params)


def test_weights_are_micrograds_uniform_draws_neuron_by_neuron_and_biases_zero() -> None:
    import random

    rng = random.Random(7)
    expected = []
    for nin, nout in ((2, 4), (4, 1)):
        for _ in range(nout):
            expected += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert [p.data for p in ScalarMLP(2, [4, 1], seed=7).parameters()] == expected


def test_a_neuron_computes_its_activation_of_the_weighted_sum() -> None:
    neuron = ScalarNeuron(2, "tanh", seed=3)
    w0, w1, b = (p.data for p in neuron.parameters())
    assert neuron([0.5, -2.0]).data == pytest.approx(np.tanh(w0 * 0.5 - 2.0 * w1 + b))


def test_the_last_layer_is_linear_and_hidden_layers_use_the_activation() -> None:
    model = ScalarMLP(2, [3, 1], activation="relu", seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]


def test_a_layer_of_one_neuron_gives_its_value_and_a_wider_one_a_list() -> None:
    assert isinstance(ScalarLayer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(ScalarLayer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_backward_reaches_every_weight() -> None:
    model = ScalarMLP(2, [3, 1], activation="tanh", seed=0)
    (model([0.5, -1.0]) ** 2).backward()
    assert all(p.grad != 0.0 for p in model.parameters())


def test_each_call_is_a_named_module_scope() -> None:
    model = ScalarMLP(2, [2, 1], seed=0)
    out = model([1.0, 1.0])
    assert out.scope.module is model.layers[1].neurons[0]
    assert out.scope.parent.parent.module is model


def test_an_array_input_is_refused_with_a_pointer_to_the_batched_modules() -> None:
    with pytest.raises(TypeError, match="list of scalars"):
        ScalarMLP(2, [1], seed=0)(np.ones(2))


def test_a_wrong_number_of_inputs_is_refused() -> None:
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        ScalarNeuron(2, seed=0)([1.0, 2.0, 3.0])
