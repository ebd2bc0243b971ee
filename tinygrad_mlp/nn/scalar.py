"""The micrograd-style network: one scalar `Value` per weight, one multiplication per input.

`nn.layers` computes a whole layer as one `x @ W + b` on arrays; these modules spell it out on
scalars, as the textbook (and micrograd's `nn.py`) draws a neuron: tanh(w1 x1 + w2 x2 + b).
Slow, and the point: every weight is a node of its own in the graph, with its own gradient, so
small ones are the pictures and step-through pages of backpropagation, and a big one is the
scalar engine's benchmark.

Weights start uniform in [-1, 1) from `random.Random(seed)`, drawn neuron by neuron, and biases
at 0, as micrograd's `MLP` does; hidden layers use `activation` (relu, as in micrograd), the
last layer is linear unless `output_activation` says otherwise. A layer of one neuron returns
its Value, a wider one a list (micrograd's convention).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from .. import checks
from ..engine import Value, module_scope
from .init import activate, check_activation
from .module import Module

__all__ = ["ScalarLayer", "ScalarMLP", "ScalarNeuron"]


def _rng(seed: int | random.Random | None) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed)


class _ScalarModule(Module):
    """A module whose input is a list of scalars (Values or numbers), not a batch array."""

    def __call__(self, x: Any) -> Any:
        if isinstance(x, Value) or not isinstance(x, Sequence):
            raise TypeError(
                f"{type(self).__name__} takes a list of scalars (one per input), got "
                f"{type(x).__name__}; for batches of arrays use Neuron, Layer or MLP"
            )
        with module_scope(self, self._name or type(self).__name__):
            return self.forward(x)  # type: ignore[arg-type]


class ScalarNeuron(_ScalarModule):
    """activation(w1 x1 + ... + wn xn + b) on scalar Values.

    >>> neuron = ScalarNeuron(2, "tanh", seed=0)
    >>> [p.label for p in neuron.parameters()]
    ['w.0', 'w.1', 'b']
    >>> out = neuron([1.0, -2.0]); out.backward()
    >>> out.is_scalar, neuron.w[0].grad == 1 - out.data ** 2
    (True, True)
    """

    architecture_args = ("nin", "activation")

    def __init__(
        self, nin: int, activation: str | None = "relu", seed: int | random.Random | None = None
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.activation = check_activation(activation, "ScalarNeuron")
        if self.activation == "softmax":
            raise ValueError("ScalarNeuron: softmax needs several outputs; use an MLP on arrays")
        rng = _rng(seed)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(self.nin)]
        self.b = Value(0.0)

    def forward(self, x: Sequence[Any]) -> Value:  # type: ignore[override]
        if len(x) != self.nin:
            raise ValueError(f"{self!r} takes {self.nin} inputs, got {len(x)}")
        total = self.w[0] * x[0]
        for w, xi in zip(self.w[1:], x[1:]):
            total = total + w * xi
        return activate(self.activation, total + self.b)

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.activation}"


class ScalarLayer(_ScalarModule):
    """`nout` scalar neurons, each fed every input.

    >>> layer = ScalarLayer(2, 3, "tanh", seed=0)
    >>> len(layer([0.5, -1.0])), len(layer.parameters())
    (3, 9)
    """

    architecture_args = ("nin", "nout", "activation")

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        seed: int | random.Random | None = None,
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.nout = checks.count(nout, "nout")
        self.activation = check_activation(activation, "ScalarLayer")
        rng = _rng(seed)
        self.neurons = [ScalarNeuron(self.nin, self.activation, rng) for _ in range(self.nout)]

    def forward(self, x: Sequence[Any]) -> Value | list[Value]:  # type: ignore[override]
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.nout}, {self.activation}"


class ScalarMLP(_ScalarModule):
    """Scalar layers in a chain: micrograd's `MLP(nin, nouts)`, the same weights for a seed.

    >>> model = ScalarMLP(2, [16, 16, 1], seed=0)
    >>> model.num_parameters(), model([1.0, -1.0]).is_scalar
    (337, True)
    """

    architecture_args = ("nin", "nouts", "activation", "output_activation")

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        output_activation: str | None = None,
        seed: int | random.Random | None = None,
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.nouts = [checks.count(n, "nouts entry") for n in nouts]
        if not self.nouts:
            raise ValueError("ScalarMLP: nouts must name at least one layer size")
        self.activation = check_activation(activation, "ScalarMLP")
        self.output_activation = check_activation(output_activation, "ScalarMLP")
        rng = _rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            ScalarLayer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                rng,
            )
            for i in range(len(self.nouts))
        ]

    def forward(self, x: Sequence[Any]) -> Any:  # type: ignore[override]
        for layer in self.layers:
            x = layer(x if isinstance(x, list) else [x])
        return x

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.nouts}, {self.activation}"
