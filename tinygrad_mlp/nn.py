"""Neurons, layers and multilayer perceptrons, written only in terms of `Value` operations.

A module's forward pass is an ordinary composition of Value operations (`@`, `+`, `relu`, ...),
so backpropagation through it is the engine's job: no module here holds a gradient rule.

- `Neuron(nin, activation)`: the textbook unit, activation(x @ w + b) with weights w of shape
  (nin,) and a bias b.
- `Layer(nin, nout, activation)`: nout neurons side by side, computed for the whole batch at once
  as activation(x @ W + b) with W of shape (nin, nout); no Python loop over neurons.
- `MLP(nin, nouts, activation, output_activation=None)`: layers in a feed-forward chain; the last
  layer is linear unless `output_activation` says otherwise.

Every module call opens a `module_scope` so a graph renderer can draw a box around the nodes it
made, and every parameter Value is labelled with its `named_parameters()` name (`layers.0.W`).

>>> model = MLP(2, [16, 16, 1], activation="relu", seed=0)
>>> model(np.zeros((5, 2))).shape
(5, 1)
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .engine import Value, module_scope, no_grad

if TYPE_CHECKING:
    from .train import History

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "init_weights",
]

# An activation is a function of a Value; "linear" adds no node to the graph.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
    "softmax": Value.softmax,  # over the last axis: one distribution per example
}

INITS = ("he", "xavier", "glorot", "uniform01")


def _check_activation(activation: str | None, where: str) -> str:
    name = "linear" if activation is None else activation
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return name


def _check_size(n: Any, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be a positive int, got {n}")
    return int(n)


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return dt


def init_weights(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    activation: str,
    init: str | None,
    rng: np.random.Generator,
    dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray]:
    """Initial weights of `shape` and a bias of shape `shape[1:]`, drawn from `rng`.

    - ``"he"`` (default for relu): normal, standard deviation sqrt(2 / fan_in), bias 0.
    - ``"xavier"`` / ``"glorot"`` (default otherwise): uniform in ±sqrt(6 / (fan_in + fan_out)),
      bias 0.
    - ``"uniform01"``: weights and bias uniform in [0, 1), the "small random values" of the
      classic textbook description. All-positive weights saturate tanh and sigmoid units and
      make relu units grow layer after layer: try it to see why the schemes above exist.

    >>> W, b = init_weights((3, 4), 3, 4, "relu", None, np.random.default_rng(0), np.float64)
    >>> W.shape, b.tolist()
    ((3, 4), [0.0, 0.0, 0.0, 0.0])
    """
    if init is None:
        init = "he" if activation == "relu" else "xavier"
    if init == "he":
        weights = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
        bias = np.zeros(shape[1:])
    elif init in ("xavier", "glorot"):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights = rng.uniform(-limit, limit, size=shape)
        bias = np.zeros(shape[1:])
    elif init == "uniform01":
        weights = rng.uniform(0.0, 1.0, size=shape)
        bias = rng.uniform(0.0, 1.0, size=shape[1:])
    else:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)} (or None)")
    return weights.astype(dtype), bias.astype(dtype)


# ----------------------------------------------------------------------------------------------
# The base class


class Module:
    """Base of every model: a forward pass over Values, and the parameters it learns.

    A subclass assigns its parameters (Values) and sub-modules (Modules, or lists of them) as
    attributes in `__init__` and defines `forward(x)`. Attribute names give the parameter names:
    `self.layers = [Layer(...), ...]` in an MLP gives `layers.0.W`, `layers.0.b`, ...; each
    parameter's `label` is set to that name, and each sub-module remembers its name, which
    labels the box a graph renderer draws around the nodes it made.

    >>> model = MLP(2, [3, 1], seed=0)
    >>> [name for name, _ in model.named_parameters()]
    ['layers.0.W', 'layers.0.b', 'layers.1.W', 'layers.1.b']
    """

    dtype: np.dtype = np.dtype(np.float64)
    _name: str | None = None  # this module's name in its parent (None for a root)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name.startswith("_"):
            return
        if isinstance(value, Value):
            value.label = name
        elif isinstance(value, Module):
            _adopt(value, name)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, Module):
                    _adopt(item, f"{name}.{i}")
                elif isinstance(item, Value):
                    item.label = f"{name}.{i}"

    # -- structure ------------------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their names (`layers.0`, ...), in definition order."""
        for name, value in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name (`layers.0.W`), each parameter once.

        >>> [(n, p.shape) for n, p in Layer(2, 3).named_parameters()]
        [('W', (2, 3)), ('b', (3,))]
        """
        found: list[tuple[str, Value]] = []
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            prefix, module = stack.pop()
            children = []
            for name, value in vars(module).items():
                if name.startswith("_"):
                    continue
                items = enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]
                for i, item in items:
                    full = prefix + (name if i is None else f"{name}.{i}")
                    if isinstance(item, Value) and id(item) not in seen:
                        seen.add(id(item))
                        found.append((full, item))
                    elif isinstance(item, Module):
                        children.append((full + ".", item))
            stack.extend(reversed(children))
        return found

    def parameters(self) -> list[Value]:
        """Every parameter (a Value), in `named_parameters()` order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter (gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.zero_grad()

    def num_parameters(self) -> int:
        """How many numbers the model learns."""
        return sum(p.size for p in self.parameters())

    # -- the forward pass -----------------------------------------------------------------

    def forward(self, x: Value) -> Value:
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, x: Any) -> Value:
        """Run `forward` on `x` (an array, batch first, or a Value) inside this module's scope."""
        if not isinstance(x, Value):
            x = _as_input(x, self.dtype)
        with module_scope(self, self._name or type(self).__name__):
            return self.forward(x)

    def predict(self, X: Any) -> np.ndarray:
        """The outputs for `X` as an array, computed under `no_grad` (nothing is recorded)."""
        with no_grad():
            return np.asarray(self(X).data)

    # -- state ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's data, by name: what `save` writes."""
        return {name: np.array(p.data) for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy weights into this model; names and shapes must match exactly.

        Values are converted to each parameter's dtype; gradients are reset.
        """
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in state]
        unexpected = [n for n in state if n not in params]
        if missing or unexpected:
            raise ValueError(
                f"state does not fit {type(self).__name__}: missing {missing or 'nothing'}, "
                f"unexpected {unexpected or 'nothing'}"
            )
        arrays = {}
        for name, p in params.items():
            arr = np.asarray(state[name])
            if arr.shape != p.shape:
                raise ValueError(
                    f"state[{name!r}] has shape {arr.shape}, the parameter has shape {p.shape}"
                )
            arrays[name] = arr
        for name, p in params.items():  # all checked first: a failed load changes nothing
            p.data = float(arrays[name]) if p.is_scalar else arrays[name].astype(p.dtype)
            p.zero_grad()

    # The constructor arguments that rebuild a module, read back from its attributes.
    _architecture: tuple[str, ...] = ()

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module (saved beside the weights).

        >>> Layer(2, 3, "tanh").architecture()
        {'class': 'Layer', 'nin': 2, 'nout': 3, 'activation': 'tanh', 'dtype': 'float64'}
        """
        if not self._architecture:
            raise NotImplementedError(f"{type(self).__name__} does not describe its architecture")
        spec: dict[str, Any] = {"class": type(self).__name__}
        for name in self._architecture:
            value = getattr(self, name)
            if isinstance(value, np.dtype):
                value = value.name
            spec[name] = list(value) if isinstance(value, list) else value  # a copy, not ours
        return spec

    # -- training and files (thin wrappers over train.py and serialize.py) -----------------

    def fit(self, X: Any, y: Any, **options: Any) -> History:
        """Train on (X, y); see `tinygrad_mlp.train.fit` for the options. Returns the history."""
        from .train import fit

        return fit(self, X, y, **options)

    def evaluate(self, X: Any, y: Any, **options: Any) -> dict[str, float]:
        """Loss and accuracy on (X, y) under `no_grad`; see `tinygrad_mlp.train.evaluate`."""
        from .train import evaluate

        return evaluate(self, X, y, **options)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write architecture and weights to a `.npz` file, atomically; see `serialize.save`."""
        from .serialize import save

        save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Module:
        """Rebuild a model saved with `save`; the file must hold this class (or a subclass)."""
        from .serialize import load

        return load(path, expect=cls)

    # -- display --------------------------------------------------------------------------

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        summary = ", ".join(
            filter(
                None, [self.extra_repr(), f"{self.num_parameters()} parameters", str(self.dtype)]
            )
        )
        lines.append(f")  # {summary}")
        return "\n".join(lines)


def _adopt(child: Module, name: str) -> None:
    """Record `child`'s name in its parent, and prefix its parameters' labels with it."""
    object.__setattr__(child, "_name", name)
    for sub, p in child.named_parameters():
        p.label = f"{name}.{sub}"


def _as_input(x: Any, dtype: np.dtype) -> Value:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"a model takes an array or a Value, got {type(x).__name__}")
    return Value(np.asarray(x), requires_grad=False, dtype=dtype)


def _activate(activation: str, z: Value) -> Value:
    act = ACTIVATIONS[activation]
    return z if act is None else act(z)


def _check_features(module: Module, x: Value, nin: int) -> None:
    if x.ndim == 0 or x.shape[-1] != nin:
        raise ValueError(
            f"{module!r} expects inputs with {nin} features on the last axis "
            f"(shape (batch, {nin})), got shape {x.shape}"
        )


# ----------------------------------------------------------------------------------------------
# The modules


class Neuron(Module):
    """One neuron: activation(x @ w + b), weights w of shape (nin,) and a bias b.

    Given a batch X of shape (n, nin) it returns the n outputs, shape (n,).

    >>> neuron = Neuron(3, "tanh", seed=0)
    >>> neuron(np.ones((4, 3))).shape
    (4,)
    """

    _architecture = ("nin", "activation", "dtype")

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = "float64",
    ) -> None:
        self.nin = _check_size(nin, "nin")
        self.activation = _check_activation(activation, "Neuron")
        if self.activation == "softmax":
            raise ValueError("Neuron: softmax needs several outputs to normalise over; use a Layer")
        self.dtype = _check_dtype(dtype)
        w, b = init_weights(
            (self.nin, 1),
            self.nin,
            1,
            self.activation,
            init,
            np.random.default_rng(seed),
            self.dtype,
        )
        self.w = Value(w[:, 0].copy())
        self.b = Value(b.reshape(()))

    def forward(self, x: Value) -> Value:
        _check_features(self, x, self.nin)
        return _activate(self.activation, x @ self.w + self.b)

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.activation}"


class Layer(Module):
    """`nout` neurons fed by the same `nin` inputs: activation(x @ W + b), W of shape (nin, nout).

    The whole batch goes through at once: x of shape (n, nin) gives (n, nout).

    >>> layer = Layer(2, 3, "tanh", seed=0)
    >>> layer(np.ones((5, 2))).shape
    (5, 3)
    """

    _architecture = ("nin", "nout", "activation", "dtype")

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = "float64",
    ) -> None:
        self.nin = _check_size(nin, "nin")
        self.nout = _check_size(nout, "nout")
        self.activation = _check_activation(activation, "Layer")
        self.dtype = _check_dtype(dtype)
        W, b = init_weights(
            (self.nin, self.nout),
            self.nin,
            self.nout,
            self.activation,
            init,
            np.random.default_rng(seed),
            self.dtype,
        )
        self.W = Value(W)
        self.b = Value(b)

    def forward(self, x: Value) -> Value:
        _check_features(self, x, self.nin)
        return _activate(self.activation, x @ self.W + self.b)

    def extra_repr(self) -> str:
        return f"{self.nin} -> {self.nout}, {self.activation}"


class MLP(Module):
    """A multilayer perceptron: `Layer`s in a feed-forward chain, nin -> nouts[0] -> ... .

    Hidden layers use `activation`; the last layer uses `output_activation` (None: linear, so
    the outputs are scores or logits, as the losses expect). `init` picks the weight
    initialisation (see `init_weights`), `seed` makes it reproducible, `dtype` is float32 or
    float64.

    >>> model = MLP(2, [16, 16, 1], activation="relu", seed=0)   # last layer linear
    >>> model(np.random.randn(8, 2)).shape
    (8, 1)
    """

    _architecture = ("nin", "nouts", "activation", "output_activation", "dtype")

    def __init__(
        self,
        nin: int,
        nouts: list[int] | tuple[int, ...],
        activation: str = "relu",
        output_activation: str | None = None,
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = "float64",
    ) -> None:
        self.nin = _check_size(nin, "nin")
        if isinstance(nouts, (int, np.integer)) or not hasattr(nouts, "__len__") or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [_check_size(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = _check_activation(activation, "MLP")
        self.output_activation = _check_activation(output_activation, "MLP output")
        self.dtype = _check_dtype(dtype)
        rng = np.random.default_rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                init=init,
                seed=rng,
                dtype=self.dtype,
            )
            for i in range(len(self.nouts))
        ]

    def forward(self, x: Value) -> Value:
        for layer in self.layers:
            x = layer(x)
        return x

    def extra_repr(self) -> str:
        return f"{self.nin} -> {' -> '.join(map(str, self.nouts))}"


# The classes `serialize.load` may rebuild, by the name `architecture()` gives.
MODULES: dict[str, type[Module]] = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}
