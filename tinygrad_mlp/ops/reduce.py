"""Reductions (sum, mean, max, min, var) and their inverse, broadcasting."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.function import Function
from ..engine.value import Value
from .helpers import data_of, keepdims_shape, reduced_count, shape_of

ndarray = np.ndarray


def expand(g: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast g to `shape` (the backward of a reduction): a new array or a Value op.

    `np.full` (C, about 1 µs) rather than an `np.broadcast_to` view (about 6 µs of Python).
    """
    if isinstance(g, Value):
        return BroadcastTo.apply(g, shape=shape)
    if g.__class__ is float:
        return np.full(shape, g)
    return np.full(shape, g, dtype=g.dtype)


class _Reduction(Function):
    """Shared display of sum, mean and max: `sum axis=0`, `keepdims` only when set."""

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        words = [cls.symbol]
        if params.get("axis") is not None:
            words.append(f"axis={params['axis']}")
        if params.get("keepdims"):
            words.append("keepdims")
        return " ".join(words)


class Sum(_Reduction):
    symbol = "sum"
    derivative = "d/dxᵢ Σ x = 1"

    @staticmethod
    def forward(a, axis, keepdims):
        if a.__class__ is ndarray:  # the ufunc itself: np.sum adds microseconds of Python
            return np.add.reduce(a, axis=axis, keepdims=keepdims)
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):  # each input element contributes once
        shape = shape_of(a)
        if not keepdims and shape:
            g = g.reshape(keepdims_shape(shape, axis))
        return expand(g, shape)


class Mean(_Reduction):
    symbol = "mean"
    derivative = "d/dxᵢ mean(x) = 1 / n"

    @staticmethod
    def forward(a, axis, keepdims):
        if a.__class__ is ndarray:  # np.mean's own arithmetic, without its Python wrapper
            return np.add.reduce(a, axis=axis, keepdims=keepdims) / reduced_count(a.shape, axis)
        return np.mean(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):  # each element contributes 1/count
        count = max(1, reduced_count(shape_of(a), axis))
        return Sum.backward(g * (1.0 / count), a, out, axis, keepdims)


class Max(_Reduction):
    symbol = "max"
    derivative = "d/dxᵢ max(x) = 1 at the maximum (shared by ties), else 0"

    @staticmethod
    def forward(a, axis, keepdims):
        return np.max(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):  # to the maximum; tied maxima share it equally
        return _to_extremes(np.max, g, a, out, axis, keepdims)


class Min(_Reduction):
    symbol = "min"
    derivative = "d/dxᵢ min(x) = 1 at the minimum (shared by ties), else 0"

    @staticmethod
    def forward(a, axis, keepdims):
        return np.min(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):  # to the minimum; tied minima share it equally
        return _to_extremes(np.min, g, a, out, axis, keepdims)


def _to_extremes(extreme: Any, g: Any, a: Any, out: Any, axis: Any, keepdims: bool) -> Any:
    """The backward of max and min: the gradient goes to the elements where `extreme` is
    reached, shared equally between ties."""
    shape = shape_of(a)
    if not shape:
        return g
    a_data = data_of(a)
    winners = a_data == extreme(a_data, axis=axis, keepdims=True)
    share = (winners / winners.sum(axis=axis, keepdims=True)).astype(a_data.dtype)
    return Sum.backward(g, a, out, axis, keepdims) * share


def _centered(a: Any, axis: Any) -> Any:
    """a minus its mean over `axis` (kept), for a float, an array or a Value."""
    if isinstance(a, Value):
        return a - a.mean(axis=axis, keepdims=True)
    if a.__class__ is float:
        return 0.0
    return a - np.mean(a, axis=axis, keepdims=True)


class Var(_Reduction):
    """The variance over `axis`: the mean squared distance from the mean, divided by n - ddof."""

    symbol = "var"
    derivative = "d/dxᵢ var(x) = 2(xᵢ - mean(x)) / (n - ddof)"

    @staticmethod
    def forward(a, axis, keepdims, ddof):
        return np.var(a, axis=axis, keepdims=keepdims, ddof=ddof)

    @staticmethod
    def backward(g, a, out, axis, keepdims, ddof):  # d var / dx_i = 2 (x_i - mean) / (n - ddof)
        scale = 2.0 / (reduced_count(shape_of(a), axis) - ddof)
        return Sum.backward(g, a, out, axis, keepdims) * (_centered(a, axis) * scale)

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        text = super().describe(params)
        return f"{text} ddof={params['ddof']}" if params.get("ddof") else text


class BroadcastTo(Function):
    symbol = "broadcast"
    derivative = "d broadcast(x) = the sum over the copies"

    @staticmethod
    def forward(a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(g, a, out, shape):
        return g  # the engine sums it back to a's shape

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return f"broadcast {tuple(params['shape'])}"
