"""micrograd's demo network, written micrograd's way, for any scalar Value class.

`MLP(Value, 2, [16, 16, 1])` is micrograd's `nn.MLP` line for line (a list of scalar weights per
neuron, ReLU hidden layers, a linear output), but takes the Value class to build it from, so the
same code runs over `tinygrad_mlp.Value` and over `micrograd.engine.Value`. `training_step` is the
demo notebook's step: the max-margin loss over the whole batch plus L2 regularisation, backward,
and an SGD update.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


class Neuron:
    def __init__(self, Value: type, nin: int, nonlin: bool, rng: random.Random) -> None:
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Any]:
        return self.w + [self.b]


class Layer:
    def __init__(self, Value: type, nin: int, nout: int, nonlin: bool, rng: random.Random) -> None:
        self.neurons = [Neuron(Value, nin, nonlin, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Any]) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Any]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """micrograd's MLP over `Value`; the same `seed` gives the same weights for any Value class.

    >>> from tinygrad_mlp import Value
    >>> model = MLP(Value, 2, [16, 16, 1], seed=0)
    >>> len(model.parameters())
    337
    """

    def __init__(self, Value: type, nin: int, nouts: list[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        sizes = [nin] + nouts
        self.layers = [
            Layer(Value, sizes[i], sizes[i + 1], i != len(nouts) - 1, rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Any]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.parameters()]


def demo_data(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """n moons samples as Python floats, labels -1 or 1 (the demo notebook's data)."""
    from tinygrad_mlp.data import moons

    X, y = moons(n, noise=0.1, seed=seed)
    return X.tolist(), [float(2 * label - 1) for label in y]


def loss(Value: type, model: MLP, X: list[list[float]], y: list[float], alpha: float = 1e-4) -> Any:
    """The demo's loss: mean max-margin loss of the scores plus alpha * sum of squared weights."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def training_step(
    Value: type, model: MLP, X: list[list[float]], y: list[float], learning_rate: float = 0.1
) -> Any:
    """One full-batch step as in the demo: loss, zero_grad, backward, SGD update.

    Returns the loss Value, so the caller decides when its graph is dropped (and freed).
    """
    total_loss = loss(Value, model, X, y)
    parameters = model.parameters()
    for p in parameters:
        p.grad = 0.0
    total_loss.backward()
    for p in parameters:
        p.data -= learning_rate * p.grad
    return total_loss
