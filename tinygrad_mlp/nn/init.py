"""Activations by name, and the schemes that draw a layer's initial weights.

>>> sorted(ACTIVATIONS)
['elu', 'gelu', 'leaky_relu', 'linear', 'relu', 'sigmoid', 'softmax', 'softplus', 'tanh']
>>> INITS
('he', 'xavier', 'glorot', 'uniform01')
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from contextvars import ContextVar

import numpy as np

from ..engine import Value

__all__ = ["ACTIVATIONS", "INITS", "WeightBudgetError", "activate", "init_weights", "weight_budget"]

# An activation is a function of a Value; "linear" adds no node to the graph.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
    "softmax": Value.softmax,  # over the last axis: one distribution per example
    "leaky_relu": Value.leaky_relu,  # slope 0.01 below 0, as PyTorch's default
    "elu": Value.elu,
    "gelu": Value.gelu,
    "softplus": Value.softplus,
}

# Activations of the relu family, whose layers start from He's initialisation by default.
RELU_LIKE = ("relu", "leaky_relu", "elu", "gelu")

INITS = ("he", "xavier", "glorot", "uniform01")

# How many more numbers `init_weights` may draw (None: no limit); see `weight_budget`.
_BUDGET: ContextVar[list[int] | None] = ContextVar("weight_budget", default=None)


class WeightBudgetError(ValueError):
    """A model asked for more weights than the `weight_budget` allows."""


@contextlib.contextmanager
def weight_budget(numbers: int) -> Iterator[None]:
    """Within the block, `init_weights` refuses, before allocating, to draw more than `numbers`
    weights in all: how `serialize.load` rebuilds a model whose file may lie about its size.

    >>> from tinygrad_mlp import MLP
    >>> with weight_budget(100):
    ...     MLP(2, [10**9, 1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    tinygrad_mlp.nn.init.WeightBudgetError: weights of shape (2, 1000000000) and their bias ...
    """
    token = _BUDGET.set([numbers, numbers])
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _spend(shape: tuple[int, ...]) -> None:
    budget = _BUDGET.get()
    if budget is None:
        return
    needed = math.prod(shape) + math.prod(shape[1:])
    if needed > budget[0]:
        raise WeightBudgetError(
            f"weights of shape {tuple(shape)} and their bias need {needed} numbers, more than "
            f"the {budget[1]} allowed"
        )
    budget[0] -= needed


def activate(activation: str, z: Value) -> Value:
    """`z` through the named activation (the same Value for "linear").

    >>> activate("relu", Value(-2.0)).data, activate("linear", Value(-2.0)).data
    (0.0, -2.0)
    """
    act = ACTIVATIONS[activation]
    return z if act is None else act(z)


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

    - ``"he"`` (default for relu, leaky_relu, elu, gelu): normal, standard deviation
      sqrt(2 / fan_in), bias 0.
    - ``"xavier"`` / ``"glorot"`` (default otherwise): uniform in ±sqrt(6 / (fan_in + fan_out)),
      bias 0.
    - ``"uniform01"``: weights and bias uniform in [0, 1), the "small random values" of the
      classic textbook description. All-positive weights saturate tanh and sigmoid units and
      make relu units grow layer after layer: try it to see why the schemes above exist.

    >>> import numpy as np
    >>> W, b = init_weights((3, 4), 3, 4, "relu", None, np.random.default_rng(0), np.float64)
    >>> W.shape, b.tolist()
    ((3, 4), [0.0, 0.0, 0.0, 0.0])
    """
    _spend(shape)
    if init is None:
        init = "he" if activation in RELU_LIKE else "xavier"
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


def check_activation(activation: str | None, where: str) -> str:
    """The activation's name (None means "linear"), if `ACTIVATIONS` has it."""
    name = "linear" if activation is None else activation
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return name
