"""Modules: structure and names, forward passes against numpy, initialisation, seeds, dtypes,
state, errors, and backpropagation through them against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from drawing import all_values
from hypothesis import given
from hypothesis import strategies as st
from numeric import numerical_grads

from tinygrad_mlp import MLP, Layer, Module, Neuron, Value, losses, no_grad
from tinygrad_mlp.nn import ACTIVATIONS, init_weights

NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
    "softmax": lambda z: (
        np.exp(z - z.max(-1, keepdims=True))
        / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)
    ),
}


def graph_nodes(out: Value) -> list[Value]:
    """Every recorded (non-leaf) node `out` depends on."""
    return [v for v in all_values(out) if not v.is_leaf]


# ----------------------------------------------------------------------------------------------
# Structure, names, labels


def test_named_parameters_are_dotted_attribute_names() -> None:
    model = MLP(2, [3, 4, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"layers.{i}.{p}" for i in range(3) for p in ("W", "b")]
    assert [p.shape for p in model.parameters()] == [(2, 3), (3,), (3, 4), (4,), (4, 1), (1,)]


def test_each_parameter_is_labelled_with_its_name() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert all(p.label == name for name, p in model.named_parameters())
    layer = Layer(2, 3)
    assert (layer.W.label, layer.b.label) == ("W", "b")
    assert [p.label for p in Neuron(2).parameters()] == ["w", "b"]


def test_nested_modules_get_full_names() -> None:
    class Twin(Module):
        def __init__(self) -> None:
            self.left = MLP(2, [3, 1], seed=0)
            self.right = MLP(2, [1], seed=1)

        def forward(self, x: Value) -> Value:
            return self.left(x) + self.right(x)

    twin = Twin()
    names = [name for name, _ in twin.named_parameters()]
    assert names[:2] == ["left.layers.0.W", "left.layers.0.b"]
    assert names[-1] == "right.layers.0.b"
    assert all(p.label == name for name, p in twin.named_parameters())


def test_a_shared_parameter_is_listed_once() -> None:
    class Tied(Module):
        def __init__(self) -> None:
            self.a = Layer(2, 2, seed=0)
            self.b = self.a

    assert len(Tied().parameters()) == 2


def test_num_parameters_counts_every_number() -> None:
    assert MLP(2, [16, 16, 1]).num_parameters() == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_repr_shows_layers_with_names_sizes_and_activations() -> None:
    text = repr(MLP(2, [16, 1], activation="tanh", seed=0))
    assert "(layers.0): Layer(2 -> 16, tanh)" in text
    assert "(layers.1): Layer(16 -> 1, linear)" in text
    assert "65 parameters" in text
    assert repr(Neuron(3, "sigmoid")) == "Neuron(3, sigmoid)"


def test_each_module_call_opens_a_scope_named_as_in_its_parent() -> None:
    model = MLP(2, [3, 1], seed=0)
    out = model(np.ones((4, 2)))
    scope = out._scope  # made by the last layer's add (its activation is linear)
    assert scope.name == "layers.1" and scope.module is model.layers[1]
    assert scope.parent.name == "MLP" and scope.parent.module is model
    assert scope.parent.parent is None
    first = {n._scope.name for n in graph_nodes(out) if n._scope is not None}
    assert first == {"layers.0", "layers.1"}


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
# Initialisation, seeds and dtypes


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    a, b, c = MLP(2, [8, 1], seed=3), MLP(2, [8, 1], seed=3), MLP(2, [8, 1], seed=4)
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
    assert not np.array_equal(a.layers[0].W.data, c.layers[0].W.data)


def test_default_init_is_he_for_relu_and_xavier_otherwise() -> None:
    rng = np.random.default_rng(0)
    relu = Layer(400, 300, "relu", seed=rng).W.data
    assert abs(relu.std() - np.sqrt(2 / 400)) < 0.02 * np.sqrt(2 / 400)
    for activation in ("tanh", "sigmoid"):
        W = Layer(400, 300, activation, seed=rng).W.data
        limit = np.sqrt(6 / 700)
        assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    assert not Layer(4, 3, seed=rng).b.data.any()


def test_uniform01_gives_weights_and_biases_in_zero_one() -> None:
    model = MLP(3, [50, 50], init="uniform01", seed=0)
    for p in model.parameters():
        assert p.data.min() >= 0.0 and p.data.max() < 1.0
    assert model.layers[0].b.data.min() > 0.0  # biases drawn too, not zero


def test_init_weights_rejects_an_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unknown init 'normal'"):
        init_weights((2, 2), 2, 2, "relu", "normal", np.random.default_rng(0), np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32])
def test_dtype_holds_through_forward_and_backward(dtype) -> None:
    model = MLP(2, [4, 1], dtype=dtype, seed=0)
    out = model(np.ones((3, 2)))  # float64 input is converted to the model's dtype
    losses.mse(out, np.zeros(3)).backward()
    assert out.dtype == np.dtype(dtype)
    assert all(p.data.dtype == np.dtype(dtype) == p.grad.dtype for p in model.parameters())


# ----------------------------------------------------------------------------------------------
# State


def test_zero_grad_clears_every_gradient() -> None:
    model = MLP(2, [3, 1], seed=0)
    losses.mse(model(np.ones((2, 2))), np.zeros(2)).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_copies_weights() -> None:
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    state = a.state_dict()
    b.load_state_dict(state)
    x = np.ones((2, 2))
    np.testing.assert_array_equal(a(x).data, b(x).data)
    state["layers.0.W"][:] = 0.0  # a copy: changing it changes neither model
    assert a.layers[0].W.data.any() and b.layers[0].W.data.any()


def test_load_state_dict_refuses_mismatches_and_changes_nothing() -> None:
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    wrong_shape = {**before, "layers.1.W": np.zeros((4, 1))}
    with pytest.raises(ValueError, match=r"'layers.1.W'\] has shape \(4, 1\).*\(3, 1\)"):
        model.load_state_dict(wrong_shape)
    with pytest.raises(ValueError, match=r"missing \['layers.1.b'\]"):
        model.load_state_dict({k: v for k, v in before.items() if k != "layers.1.b"})
    with pytest.raises(ValueError, match=r"unexpected \['extra'\]"):
        model.load_state_dict({**before, "extra": np.zeros(1)})
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_architecture_rebuilds_the_same_shape_of_model() -> None:
    for model in (MLP(3, [4, 2], "tanh", "sigmoid", dtype="float32"), Layer(2, 5), Neuron(4)):
        spec = model.architecture()
        rebuilt = type(model)(**{k: v for k, v in spec.items() if k != "class"})
        assert rebuilt.architecture() == spec
        assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in model.parameters()]


# ----------------------------------------------------------------------------------------------
# Argument errors


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: MLP(2, [3, 1], activation="gelu"), "unknown activation 'gelu'"),
        (lambda: MLP(0, [3]), "nin must be a positive int, got 0"),
        (lambda: MLP(2, []), "nouts must be a non-empty list"),
        (lambda: MLP(2, [3, 0]), r"nouts\[1\] must be a positive int, got 0"),
        (lambda: MLP(2, [3], dtype="int32"), "dtype must be 'float32' or 'float64'"),
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
