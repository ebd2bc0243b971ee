"""Constructors of tensor Values, named and shaped as in numpy and PyTorch.

`zeros`, `ones`, `full`, `arange`, `eye`, `zeros_like`, `ones_like`, `rand` (uniform in [0, 1))
and `randn` (standard normal), each with `dtype=` (float64 or float32) and `requires_grad=`
(False: a constant, as in PyTorch). `rand` and `randn` draw from `seed=` (an int or a numpy
Generator; None: fresh entropy).

>>> zeros(2, 3).shape, ones((2,), requires_grad=True).requires_grad
((2, 3), True)
>>> arange(4).tolist(), eye(2, dtype="float32").dtype
([0.0, 1.0, 2.0, 3.0], dtype('float32'))
>>> randn(3, seed=0).data.round(3)
array([ 0.126, -0.132,  0.64 ])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import Value, as_float_dtype

__all__ = [
    "arange",
    "eye",
    "full",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "zeros",
    "zeros_like",
]


def _shape(shape: tuple[Any, ...], caller: str) -> tuple[int, ...]:
    """`zeros(2, 3)` and `zeros((2, 3))` alike; every side a non-negative int."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"{caller}: a shape is non-negative integers, got {shape!r}")
    return tuple(int(n) for n in shape)


def _make(data: np.ndarray, dtype: Any, requires_grad: bool) -> Value:
    return Value(data, requires_grad=requires_grad, dtype=as_float_dtype(dtype))


def zeros(*shape: Any, dtype: Any = "float64", requires_grad: bool = False) -> Value:
    """A Value of zeros: `zeros(2, 3)` or `zeros((2, 3))`."""
    return _make(np.zeros(_shape(shape, "zeros")), dtype, requires_grad)


def ones(*shape: Any, dtype: Any = "float64", requires_grad: bool = False) -> Value:
    """A Value of ones: `ones(2, 3)` or `ones((2, 3))`."""
    return _make(np.ones(_shape(shape, "ones")), dtype, requires_grad)


def full(
    shape: Any, fill_value: float, dtype: Any = "float64", requires_grad: bool = False
) -> Value:
    """A Value of `shape` filled with `fill_value`.

    >>> full((2,), 7.5).tolist()
    [7.5, 7.5]
    """
    shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
    return _make(np.full(_shape((shape,), "full"), float(fill_value)), dtype, requires_grad)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1.0,
    dtype: Any = "float64",
    requires_grad: bool = False,
) -> Value:
    """Evenly spaced numbers in [start, stop) (or [0, start)), like `np.arange`.

    >>> arange(1, 2, 0.25).tolist()
    [1.0, 1.25, 1.5, 1.75]
    """
    if step == 0:
        raise ValueError("arange: step must not be 0")
    values = np.arange(start, step=step) if stop is None else np.arange(start, stop, step)
    return _make(values, dtype, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = "float64", requires_grad: bool = False) -> Value:
    """The n x n identity matrix (n x m: ones on the diagonal)."""
    rows, cols = _shape((n,) if m is None else (n, m), "eye") * (2 if m is None else 1)
    return _make(np.eye(rows, cols), dtype, requires_grad)


def _like(v: Any, dtype: Any) -> tuple[tuple[int, ...], Any]:
    if isinstance(v, Value):
        return v.shape, v.dtype if dtype is None else dtype
    arr = np.asarray(v)
    found = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64
    return arr.shape, found if dtype is None else dtype


def zeros_like(v: Any, dtype: Any = None, requires_grad: bool = False) -> Value:
    """Zeros of v's shape and (unless given) dtype; v a Value or an array."""
    shape, dtype = _like(v, dtype)
    return _make(np.zeros(shape), dtype, requires_grad)


def ones_like(v: Any, dtype: Any = None, requires_grad: bool = False) -> Value:
    """Ones of v's shape and (unless given) dtype; v a Value or an array."""
    shape, dtype = _like(v, dtype)
    return _make(np.ones(shape), dtype, requires_grad)


def rand(
    *shape: Any,
    seed: int | np.random.Generator | None = None,
    dtype: Any = "float64",
    requires_grad: bool = False,
) -> Value:
    """Uniform random numbers in [0, 1), drawn from `seed`."""
    rng = np.random.default_rng(seed)
    return _make(rng.random(_shape(shape, "rand")), dtype, requires_grad)


def randn(
    *shape: Any,
    seed: int | np.random.Generator | None = None,
    dtype: Any = "float64",
    requires_grad: bool = False,
) -> Value:
    """Standard normal random numbers, drawn from `seed`."""
    rng = np.random.default_rng(seed)
    return _make(rng.standard_normal(_shape(shape, "randn")), dtype, requires_grad)
