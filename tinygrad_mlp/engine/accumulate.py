"""Gradients as the backward pass collects and stores them: where a pass starts (`seed_gradient`),
how a gradient is added into a Value's (`add_gradient`, summing broadcasting away with
`unbroadcast`; a leaf's first gradient in an array of its own), and how leaves receive theirs
(`store_leaf_gradients`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .data import as_data
from .value import Value

ndarray = np.ndarray


def seed_gradient(out: Value, grad: Any) -> Any:
    """The gradient to start from: 1 for a single-element output, else a copy of `grad=`."""
    if grad is None:
        if out._data.__class__ is float:
            return 1.0
        if out._data.size != 1:
            raise ValueError(
                f"backward() needs a single-element output or a grad= of its shape; this "
                f"Value has shape {out._data.shape}. Reduce it first (e.g. .sum() or .mean())."
            )
        data = out._data  # a loss is 0-d: np.array(1.0) is a quarter of np.ones's cost
        return np.array(1.0, data.dtype) if not data.shape else np.ones(data.shape, data.dtype)
    if isinstance(grad, Value):
        if grad.shape != out.shape:
            raise ValueError(
                f"backward(grad=...) has shape {grad.shape}, the output has {out.shape}"
            )
        return grad
    if out._data.__class__ is float:
        g = np.asarray(as_data(grad))
        if g.size != 1:
            raise ValueError(f"backward(grad=...) has shape {g.shape}, the output is a scalar")
        return float(g.reshape(()))
    g = np.array(as_data(grad, out._data.dtype))  # a writable copy: never the caller's array
    if g.shape != out._data.shape:
        raise ValueError(
            f"backward(grad=...) has shape {g.shape}, the output has shape {out._data.shape}"
        )
    return g


def store_leaf_gradients(leaves: Sequence[Value], grads: Sequence[Any]) -> None:
    """Add each gradient into its leaf's `.grad` (None: not reached): the backward pass's and a
    compiled step's. An array gradient must be one of its own, as `add_gradient` makes them and
    a compiled step's program returns them: it is stored as it is."""
    for leaf, g in zip(leaves, grads):
        if g is None:
            continue
        current = leaf.grad
        if g.__class__ is ndarray:
            leaf.grad = g if current is None else array_sum(current, g)
        else:
            if leaf._data.__class__ is float:
                leaf.note("reached", True)  # see Value.has_grad
            if current is None or (current.__class__ is float and current == 0.0):
                leaf.grad = g
            else:
                leaf.grad = current + g


def add_gradient(
    leaves: list[Value], op: type, i: int, parent: Value, g: Any, shared: bool = False
) -> None:
    """Add `g`, the gradient `op.backward` gave for its input `i`, into `parent`'s gradient,
    summing away any broadcasting the forward pass did and matching `parent`'s dtype.

    A leaf's gradient becomes its `.grad`, so the first one it gets must be an array of its
    own: it is copied when it is a view, or when `shared` says it is also another Value's
    gradient in this pass (the gradient the op received, passed on as `Add` does, or one it
    gave another input). An array the backward pass makes (a sum, a product) is nobody else's.
    """
    data = parent._data
    if g.__class__ is ndarray or isinstance(g, Value):
        shape = () if data.__class__ is float else data.shape
        if g.shape != shape:
            g = unbroadcast(g, shape)
            shared = False  # a sum: a new array
            if not isinstance(g, (ndarray, Value)):  # a sum to shape () is a numpy scalar
                g = np.asarray(g)
        if g.__class__ is ndarray:
            if data.__class__ is float:
                g = float(g)
            elif g.dtype is not data.dtype:  # one object per builtin dtype: cheaper than !=
                g = g.astype(data.dtype)
                shared = False
    elif isinstance(g, (float, int, np.floating, np.integer)) and not isinstance(g, bool):
        g = float(g)
        if data.__class__ is not float:
            g = np.full(data.shape, g, dtype=data.dtype)
    else:
        raise TypeError(
            f"{op.__name__}.backward returned a {type(g).__name__} as the gradient of input "
            f"{i}; a gradient is a number, an array or a Value (or None)"
        )
    current = parent._g
    if current is None:
        if parent._op is None:  # a leaf
            if g.__class__ is ndarray and (shared or g.base is not None):
                g = g.copy()
            leaves.append(parent)
        parent._g = g
    else:
        parent._g = array_sum(current, g) if g.__class__ is ndarray else current + g


def array_sum(a: Any, b: ndarray) -> Any:
    """a + b, kept an array: numpy turns the sum of two 0-d arrays into a numpy scalar."""
    total = a + b
    return total if total.__class__ is ndarray or isinstance(total, Value) else np.asarray(total)


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum `g` (an array or a Value) down to `shape`, undoing numpy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of length 1, so its
    gradient is the sum over those axes. Every op relies on this one function instead of
    handling broadcasting itself.

    >>> unbroadcast(np.ones((4, 3)), (3,))
    array([4., 4., 4.])
    """
    if g.shape == shape:
        return g
    extra = len(g.shape) - len(shape)
    if extra < 0:
        raise ValueError(f"gradient of shape {g.shape} cannot be summed to shape {shape}")
    # np.add.reduce on arrays: the ufunc itself, without ndarray.sum's Python wrapper
    total = np.add.reduce if g.__class__ is ndarray else _value_sum
    if extra:
        g = total(g, axis=tuple(range(extra)))
    if 1 in shape:
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if axes:
            g = total(g, axis=axes, keepdims=True)
    if g.shape != shape:
        raise ValueError(f"gradient of shape {g.shape} does not match its input's shape {shape}")
    return g


def _value_sum(v: Value, axis: tuple[int, ...], keepdims: bool = False) -> Value:
    return v.sum(axis=axis, keepdims=keepdims)
