"""Shape and indexing: reshape, transpose, indexing and its backward, concat and stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.function import Function
from ..engine.value import Value
from .helpers import shape_of

ndarray = np.ndarray


class Reshape(Function):
    symbol = "reshape"
    derivative = "d reshape(x) = the gradient reshaped back"

    @staticmethod
    def forward(a, shape):
        return np.reshape(a, shape)

    @staticmethod
    def backward(g, a, out, shape):
        return g.reshape(shape_of(a))

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return f"reshape {tuple(params['shape'])}"


class Transpose(Function):
    symbol = "T"
    derivative = "d xᵀ = the gradient transposed back"

    @staticmethod
    def forward(a, axes):
        return np.transpose(a, axes)

    @staticmethod
    def backward(g, a, out, axes):
        if axes is None:
            return g.transpose()
        return g.transpose(tuple(np.argsort([ax % len(axes) for ax in axes])))

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        axes = params.get("axes")
        return "T" if axes is None else f"transpose {tuple(axes)}"


def _is_basic_index(index: Any) -> bool:
    """True for ints, slices, None and Ellipsis: positions never repeat, so assignment suffices."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


def index_text(index: Any) -> str:
    """An index as Python source would write it, briefly: `[arange(8), labels(8)]`, `[:, 0]`.

    >>> index_text((np.arange(8), np.array([1, 0, 2, 1, 0, 0, 2, 1])))
    '[arange(8), int64[8]]'
    >>> index_text((slice(None), 0))
    '[:, 0]'
    """
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(_index_part(p) for p in parts) + "]"


def _index_part(p: Any) -> str:
    if p is None:
        return "None"
    if p is Ellipsis:
        return "..."
    if isinstance(p, slice):
        text = ":".join("" if x is None else str(x) for x in (p.start, p.stop, p.step))
        return text.rstrip(":") or ":" if p.step is None else text
    if isinstance(p, (int, np.integer)):
        return str(int(p))
    arr = np.asarray(p)
    if arr.ndim == 1 and arr.dtype.kind in "iu" and np.array_equal(arr, np.arange(arr.size)):
        return f"arange({arr.size})"
    if arr.size <= 3 and arr.ndim == 1:
        return "[" + ", ".join(str(x) for x in arr.tolist()) + "]"
    return f"{arr.dtype}{list(arr.shape)}"


class GetItem(Function):
    symbol = "[ ]"
    derivative = "d x[i] = the gradient put back at the positions i (summed where repeated)"

    @staticmethod
    def forward(a, index):
        if a.__class__ is float:
            raise TypeError("a scalar Value cannot be indexed")
        return a[index]

    @staticmethod
    def backward(g, a, out, index):  # each picked element gets its gradient back (summed)
        if isinstance(g, Value):
            return IndexAdd.apply(g, index=index, shape=a.shape)
        return IndexAdd.forward(g, index, a.shape)

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return index_text(params["index"])


class IndexAdd(Function):
    """zeros(shape) with g added at `index`: the backward of indexing."""

    symbol = "index_add"
    derivative = "d index_add(g)[i] = the gradient at the positions i"

    @staticmethod
    def forward(g, index, shape):
        dtype = g.dtype if isinstance(g, ndarray) else np.float64
        grad = np.zeros(shape, dtype=dtype)
        if _is_basic_index(index):
            grad[index] = g
        else:
            np.add.at(grad, index, g)  # an index may repeat: its gradients add up
        return grad

    @staticmethod
    def backward(g, gin, out, index, shape):
        return g[index]

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return f"index_add {index_text(params['index'])}"


class Concat(Function):
    symbol = "concat"
    derivative = "d concat(xs) = the gradient split back into pieces"

    @staticmethod
    def forward(*arrays, axis):
        if any(x.__class__ is float for x in arrays):
            raise TypeError("concat needs tensors; use stack() for scalars")
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(g, *inputs_and_out, axis):
        inputs = inputs_and_out[:-1]
        ndim = inputs[0].ndim
        lead = (slice(None),) * (axis % ndim)
        grads, start = [], 0
        for x in inputs:
            stop = start + x.shape[axis]
            grads.append(g[lead + (slice(start, stop),)])
            start = stop
        return tuple(grads)


class Stack(Function):
    symbol = "stack"
    derivative = "d stack(xs) = the gradient's slices, one per input"

    @staticmethod
    def forward(*arrays, axis):
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(g, *inputs_and_out, axis):
        inputs = inputs_and_out[:-1]
        lead = (slice(None),) * (axis % g.ndim)
        return tuple(g[lead + (i,)] for i in range(len(inputs)))


def concat(values: Sequence[Any], axis: int = 0) -> Value:
    """Join tensors along an existing axis, like `np.concatenate`.

    >>> concat([Value(np.ones(2)), Value(np.zeros(1))]).data
    array([1., 1., 0.])
    """
    return Concat.apply(*values, axis=axis)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Join tensors (or scalars) along a new axis, like `np.stack`.

    >>> stack([Value(1.0), Value(2.0)]).data
    array([1., 2.])
    """
    return Stack.apply(*values, axis=axis)
