"""`Neuron`, `Layer`, `MLP`: forward passes against numpy, argument errors, and
backpropagation through them against finite differences (no hand-written gradients)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.drawing import all_values
from tests.helpers.numeric import numerical_grads
from tinygrad_mlp import MLP, Layer, Module, Neuron, Value, losses, no_grad
from tinygrad_mlp.nn import ACTIVATIONS

NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "gelu": lambda z: 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "softmax": lambda z: (
        np.exp(z - z.max(-1, keepdims=True))
        / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)
    ),
}


def graph_nodes(out: Value) -> list[Value]:
    """Every recorded (non-leaf) node `out` depends on."""
    return [v for v in all_values(out) if not v.is_leaf]


# ----------------------------------------------------------------------------------------------
# Forward passes


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_layer_computes_activation_of_x_at_w_plus_b(activation: str) -> None:
    layer = Layer(3, 4, activation, seed=1)
    x = np.random.default_rng(0).normal(size=(5, 3))
    expected = NUMPY_ACTIVATIONS[activation](x @ layer.W.data + layer.b.data)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-12)


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "softmax"])
def test_neuron_computes_activation_of_x_dot_w_plus_b(activation: str) -> None:
    neuron = Neuron(3, activation, seed=1)
    x = np.random.default_rng(0).normal(size=(5, 3))
    expected = NUMPY_ACTIVATIONS[activation](x @ neuron.w.data + neuron.b.data)
    assert neuron(x).shape == (5,)
    np.testing.assert_allclose(neuron(x).data, expected, rtol=1e-12)


@given(st.integers(1, 64))
def test_layer_graph_size_does_not_depend_on_its_width(nout: int) -> None:
    x = np.ones((2, 3))
    assert len(graph_nodes(Layer(3, nout, "tanh")(x))) == len(graph_nodes(Layer(3, 1, "tanh")(x)))


def test_mlp_is_layers_in_a_feed_forward_chain() -> None:
    model = MLP(3, [5, 2], activation="tanh", seed=0)
    x = np.random.default_rng(0).normal(size=(4, 3))
    hidden = np.tanh(x @ model.layers[0].W.data + model.layers[0].b.data)
    expected = hidden @ model.layers[1].W.data + model.layers[1].b.data  # last layer linear
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-12)


def test_output_activation_applies_to_the_last_layer_only() -> None:
    model = MLP(2, [4, 3], activation="relu", output_activation="softmax", seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "softmax"]
    np.testing.assert_allclose(model(np.ones((5, 2))).data.sum(axis=1), 1.0)


def test_model_takes_an_array_or_a_value_batch_first_or_one_example() -> None:
    model = MLP(2, [3, 1], seed=0)
    x = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(model(x).data, model(Value(x)).data)
    np.testing.assert_allclose(model(x[0]).data, model(x).data[0])
    assert model([[0.0, 1.0]]).shape == (1, 1)


def test_wrong_number_of_features_names_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"expects inputs with 2 features.*got shape \(5, 3\)"):
        MLP(2, [3, 1])(np.zeros((5, 3)))


def test_predict_records_nothing() -> None:
    model = MLP(2, [3, 1], seed=0)
    out = model.predict(np.ones((4, 2)))
    assert isinstance(out, np.ndarray) and out.shape == (4, 1)
    with no_grad():
        assert not model(np.ones((4, 2))).requires_grad


# ----------------------------------------------------------------------------------------------
# Argument errors


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: MLP(2, [3, 1], activation="swish"), "unknown activation 'swish'"),
        (lambda: MLP(0, [3]), "nin must be >= 1, got 0"),
        (lambda: MLP(2, []), "nouts must be a non-empty list"),
        (lambda: MLP(2, [3, 0]), r"nouts\[1\] must be >= 1, got 0"),
        (lambda: MLP(2, [3], dtype="int32"), "dtype must be one of .float32., .float64."),
        (lambda: Layer(2, 3, init="zeros"), "unknown init 'zeros'"),
        (lambda: Neuron(2, "softmax"), "softmax needs several outputs"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(build, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        build()


# ----------------------------------------------------------------------------------------------
# Backpropagation through modules, against finite differences (no hand-written gradients)


def assert_loss_gradients_match(model: Module, loss_fn, X, y) -> None:
    """d loss / d parameter from backward equals central differences, for every parameter."""
    params = model.parameters()
    originals = [p.data.copy() for p in params]

    def loss_at(*values: Value) -> Value:
        for p, v in zip(params, values):
            p.data = v.data
        return loss_fn(model(X), y)

    numerical = numerical_grads(loss_at, originals)
    for p, data in zip(params, originals):
        p.data = data
    model.zero_grad()
    loss_fn(model(X), y).backward()
    for (name, p), expected in zip(model.named_parameters(), numerical):
        np.testing.assert_allclose(p.grad, expected, rtol=1e-5, atol=1e-8, err_msg=name)


LOSS_CASES = {  # loss -> (output width, targets for 6 examples)
    "sse": (2, np.random.default_rng(1).normal(size=(6, 2))),
    "mse": (1, np.random.default_rng(2).normal(size=6)),
    "cross_entropy": (3, np.array([0, 2, 1, 1, 0, 2])),
    "binary_cross_entropy": (1, np.array([0, 1, 1, 0, 1, 0])),
    "hinge": (1, np.array([-1, 1, 1, -1, 1, -1])),
}


@pytest.mark.parametrize("loss", list(LOSS_CASES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_loss_gradient_of_every_parameter_matches_finite_differences(
    activation: str, loss: str
) -> None:
    width, targets = LOSS_CASES[loss]
    model = MLP(3, [4, 4, width], activation=activation, seed=7)
    X = np.random.default_rng(3).normal(size=(6, 3))
    assert_loss_gradients_match(model, losses.LOSSES[loss], X, targets)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_neuron_gradients_match_finite_differences(activation: str) -> None:
    X = np.random.default_rng(4).normal(size=(5, 3))
    assert_loss_gradients_match(Neuron(3, activation, seed=2), losses.sse, X, np.ones(5))
