"""`Module`: structure and names, labels, scopes, repr, state, architecture, and walks that
survive modules referring back to themselves."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers.drawing import all_values
from tinygrad_mlp import MLP, Layer, Module, Neuron, Value, losses


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
    scope = out.scope  # made by the last layer's add (its activation is linear)
    assert scope.name == "layers.1" and scope.module is model.layers[1]
    assert scope.parent.name == "MLP" and scope.parent.module is model
    assert scope.parent.parent is None
    first = {n.scope.name for n in graph_nodes(out) if n.scope is not None}
    assert first == {"layers.0", "layers.1"}


# ----------------------------------------------------------------------------------------------
# A module that refers back to itself, or two that refer to each other


def test_a_module_that_refers_to_itself_is_walked_once() -> None:
    model = MLP(2, [3, 1], seed=0)
    model.me = model
    assert [n for n, _ in model.named_parameters()] == [
        "layers.0.W",
        "layers.0.b",
        "layers.1.W",
        "layers.1.b",
    ]
    assert len(model.parameters()) == 4 and model.num_parameters() == 13
    assert [n for n, _ in model.named_children()] == ["layers.0", "layers.1"]
    assert [n for n, _ in model.named_modules()] == ["", "layers.0", "layers.1"]
    assert model._name is None  # `m.me = m` does not rename the root
    model.zero_grad()


def test_two_modules_that_refer_to_each_other_are_walked_once() -> None:
    a, b = Layer(2, 3, seed=0), Layer(3, 1, seed=1)
    a.partner = b
    b.partner = a
    assert len(a.parameters()) == 4 and len(b.parameters()) == 4
    assert [n for n, _ in a.named_modules()] == ["", "partner"]
    a.zero_grad()


def test_repr_of_a_cycle_names_the_module_above_instead_of_opening_it() -> None:
    model = MLP(2, [3, 1], seed=0)
    model.me = model
    model.layers[0].owner = model
    text = repr(model)
    assert "(me)" not in text  # a module is not its own child
    assert "(owner): <MLP, shown above>" in text
    assert text.count("(layers.1): Layer(3 -> 1, linear)") == 1


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
# The registry that `load` reads


def test_every_subclass_is_registered_by_its_class_name_when_defined() -> None:
    from tinygrad_mlp.nn import MODULES, module_class

    class RegisteredHere(Module):
        pass

    assert MODULES["RegisteredHere"] is RegisteredHere
    assert module_class("RegisteredHere") is RegisteredHere
    assert module_class("MLP") is MLP


def test_an_undefined_class_name_is_refused_naming_it() -> None:
    from tinygrad_mlp.nn import module_class

    with pytest.raises(ValueError, match="no Module class named 'NeverDefined'"):
        module_class("NeverDefined")
    with pytest.raises(ValueError, match="no Module class named"):
        module_class(["MLP"])  # not even a name


def test_a_subclass_without_architecture_args_says_how_to_describe_it() -> None:
    class Bare(Module):
        pass

    with pytest.raises(NotImplementedError, match="architecture_args"):
        Bare().architecture()


def test_architecture_reads_the_attributes_architecture_args_names() -> None:
    class Sized(Module):
        architecture_args = ("n", "sizes", "dtype")

        def __init__(self, n: int, sizes: list[int], dtype: str = "float64") -> None:
            self.n, self.sizes, self.dtype = n, tuple(sizes), np.dtype(dtype)

    spec = Sized(np.int64(3), [1, 2]).architecture()
    assert spec == {"class": "Sized", "n": 3, "sizes": [1, 2], "dtype": "float64"}
    assert type(spec["n"]) is int  # numpy scalars become Python numbers (JSON)
