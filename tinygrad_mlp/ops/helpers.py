"""Math helpers the ops' formulas are written with: one name for a float, an array and a Value.

A formula such as `g * (1 - exp(-out))` then serves the ordinary backward pass (floats and
arrays) and the recorded one (`create_graph=True`, Values) alike. Where the float version fails
(log(0), sqrt(-1), exp(1000), 0 ** -1, (-4) ** 0.5) the answer comes from numpy instead, with
numpy's warning and its inf or nan: a scalar behaves exactly like a one-element array.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.value import Value

ndarray = np.ndarray


def _elementwise(py_fn: Callable, np_fn: Callable, method: str) -> Callable[[Any], Any]:
    """A function of x: `math` for floats, numpy for arrays, the Value method for Values."""

    def fn(x: Any) -> Any:
        if x.__class__ is float:
            try:
                return py_fn(x)
            except (ArithmeticError, ValueError):
                return float(np_fn(np.float64(x)))
        if isinstance(x, Value):
            return getattr(x, method)()
        return np_fn(x)

    fn.__name__ = method
    fn.__doc__ = f"{method}(x) for a float, an array or a Value."
    return fn


exp = _elementwise(math.exp, np.exp, "exp")
log = _elementwise(math.log, np.log, "log")
tanh = _elementwise(math.tanh, np.tanh, "tanh")
sqrt = _elementwise(math.sqrt, np.sqrt, "sqrt")
sin = _elementwise(math.sin, np.sin, "sin")
cos = _elementwise(math.cos, np.cos, "cos")
log1p = _elementwise(math.log1p, np.log1p, "log1p")
expm1 = _elementwise(math.expm1, np.expm1, "expm1")


def power(x: Any, p: float) -> Any:
    """x ** p for a constant p, with numpy's inf or nan (and warning) where floats fail.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     power(0.0, -1.0), power(-4.0, 0.5), power(2.0, 3.0)
    (inf, nan, 8.0)
    """
    if x.__class__ is float:
        try:
            result = x**p
            if result.__class__ is float:
                return result
        except ArithmeticError:
            pass  # 0 ** -1, overflow: numpy's inf below
        return float(np.power(np.float64(x), p))  # a negative number ** a fraction: nan
    return x**p


def data_of(x: Any) -> Any:
    """The plain data of x (x itself unless it is a Value)."""
    return x.data if isinstance(x, Value) else x


def step(x: Any) -> Any:
    """0 where x <= 0 else 1, as constant data: the derivative of relu (1 at nan, as PyTorch).

    For an array it is a boolean mask: multiplying by it gives the other operand's dtype, with
    no float copy of the mask.
    """
    x = data_of(x)
    if x.__class__ is float:
        return 0.0 if x <= 0.0 else 1.0
    return ~(x <= 0)


def sign(x: Any) -> Any:
    """-1, 0 or 1 as constant data of x's dtype: the derivative of abs (0 at the kink)."""
    x = data_of(x)
    if x.__class__ is float:
        return (x > 0.0) - (x < 0.0) + 0.0
    return np.sign(x)


def positive_part(x: Any, slope: float = 0.0) -> Any:
    """1 where x > 0, else `slope`, as constant data of x's kind (a float or an array)."""
    x = data_of(x)
    if x.__class__ is float:
        return 1.0 if x > 0.0 else slope
    return np.where(x > 0, 1.0, slope).astype(x.dtype, copy=False)


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a float (`()`), an array or a Value."""
    return () if x.__class__ is float else x.shape


def keepdims_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The shape a reduction over `axis` gives with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    axes = {a % len(shape) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduced_count(shape: tuple[int, ...], axis: Any) -> int:
    """How many elements a reduction over `axis` of an array of `shape` combines into one."""
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    return math.prod(shape[ax] for ax in axes)


def short_number(x: Any) -> str:
    """A number as labels show it: three significant digits."""
    return f"{float(x):.3g}"
