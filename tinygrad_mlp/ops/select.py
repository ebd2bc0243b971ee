"""Choosing between values: `where`, elementwise `maximum` and `minimum`, and `clip`.

The choice itself (the condition, which input is larger, which elements lie inside the bounds)
is constant data: the gradient flows to whichever input was chosen, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.function import Function
from ..engine.value import Value
from .helpers import data_of

ndarray = np.ndarray


def _mask(condition: Any) -> Any:
    """A condition (a Value of 0/1, an array, a bool, a number) as constant data: 1.0 or a bool
    array where it holds."""
    condition = data_of(condition)
    if isinstance(condition, (bool, int, float, np.bool_, np.integer, np.floating)):
        return 1.0 if condition else 0.0
    return np.asarray(condition) != 0


class Where(Function):
    symbol = "where"
    derivative = "d where(c, a, b) = c·da + (1 - c)·db"

    @staticmethod
    def forward(a, b, condition):
        if condition.__class__ is float and a.__class__ is float and b.__class__ is float:
            return a if condition else b
        return np.where(condition, a, b)

    @staticmethod
    def backward(g, a, b, out, condition):  # the gradient goes where the value came from
        return g * condition, g * (1.0 - condition)

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return "where"


def _larger(a: Any, b: Any) -> Any:
    """1 where a > b, 0.5 at ties, 0 where a < b: how maximum shares its gradient."""
    a, b = data_of(a), data_of(b)
    if a.__class__ is float and b.__class__ is float:
        return 1.0 if a > b else (0.5 if a == b else 0.0)
    return np.where(np.greater(a, b), 1.0, np.where(np.equal(a, b), 0.5, 0.0))


class Maximum(Function):
    symbol = "maximum"
    derivative = "d max(a, b) = da where a > b, db where b > a (halved at ties)"

    @staticmethod
    def forward(a, b):
        if a.__class__ is float and b.__class__ is float:
            return a if a > b or a != a else b  # nan wins, as in numpy
        return np.maximum(a, b)

    @staticmethod
    def backward(g, a, b, out):
        share = _larger(a, b)
        return g * share, g * (1.0 - share)


class Minimum(Function):
    symbol = "minimum"
    derivative = "d min(a, b) = da where a < b, db where b < a (halved at ties)"

    @staticmethod
    def forward(a, b):
        if a.__class__ is float and b.__class__ is float:
            return a if a < b or a != a else b
        return np.minimum(a, b)

    @staticmethod
    def backward(g, a, b, out):
        share = _larger(b, a)
        return g * share, g * (1.0 - share)


class Clip(Function):
    """x limited to [low, high] (either bound may be None: no limit on that side)."""

    symbol = "clip"
    derivative = "d clip(x) = 1 where low ≤ x ≤ high, else 0"

    @staticmethod
    def forward(a, low, high):
        if a.__class__ is float:
            if low is not None and a < low:
                a = low
            if high is not None and a > high:
                a = high
            return a
        return np.clip(a, low, high)

    @staticmethod
    def backward(g, a, out, low, high):  # 1 inside the bounds (the bounds included), else 0
        x = data_of(a)
        inside = True if x.__class__ is float else np.ones(x.shape, dtype=bool)
        if low is not None:
            inside = inside & (x >= low)
        if high is not None:
            inside = inside & (x <= high)
        return g * (float(inside) if x.__class__ is float else inside)


def where(condition: Any, a: Any, b: Any) -> Value:
    """`a` where `condition` holds, else `b`, elementwise (like `np.where` / `torch.where`).

    The condition is constant data: a comparison's result (`x > 0`), a bool array or a number.
    The gradient flows to `a` where it holds and to `b` elsewhere.

    >>> x = Value(np.array([-2.0, 3.0]))
    >>> y = where(x > 0, x, 0.1 * x)
    >>> y.data
    array([-0.2,  3. ])
    >>> y.sum().backward(); x.grad
    array([0.1, 1. ])
    """
    mask = _mask(condition)
    if a.__class__ is not Value and b.__class__ is not Value:
        a = Value(a, requires_grad=False)
    return Where.apply(a, b, condition=mask)


def maximum(a: Any, b: Any) -> Value:
    """The larger of a and b, elementwise (like `np.maximum` / `torch.maximum`).

    >>> maximum(Value(np.array([1.0, 5.0])), 2.0).data
    array([2., 5.])
    """
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Value:
    """The smaller of a and b, elementwise (like `np.minimum` / `torch.minimum`).

    >>> minimum(Value(np.array([1.0, 5.0])), 2.0).data
    array([1., 2.])
    """
    return Minimum.apply(a, b)
