"""Arithmetic: + - * / ** %, and negation."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..engine.function import Function
from .helpers import data_of, log, power, short_number


class Add(Function):
    symbol = "+"
    derivative = "d(a + b) = da + db"
    forward = staticmethod(operator.add)  # a + b, called without a Python frame
    passes_gradient = True  # backward returns (g, g): the backward pass skips the call

    @staticmethod
    def backward(g, a, b, out):  # d(a+b) = da + db
        return g, g


class Sub(Function):
    symbol = "-"
    derivative = "d(a - b) = da - db"
    forward = staticmethod(operator.sub)

    @staticmethod
    def backward(g, a, b, out):
        return g, -g


class Mul(Function):
    symbol = "*"
    derivative = "d(a·b) = b·da + a·db"
    forward = staticmethod(operator.mul)
    product_rule = True  # backward returns (g * b, g * a): the backward pass makes them itself

    @staticmethod
    def backward(g, a, b, out):  # d(ab) = b da + a db
        return g * b, g * a


class Div(Function):
    symbol = "/"
    derivative = "d(a / b) = da / b - (a / b²)·db"

    @staticmethod
    def forward(a, b):
        if b.__class__ is float and b == 0.0 and a.__class__ is float:
            return float(np.float64(a) / b)  # inf or nan with numpy's warning, not an error
        return a / b

    @staticmethod
    def backward(g, a, b, out):  # d(a/b) = da/b - a/b^2 db = (da - out db) / b
        gb = g / b
        return gb, -gb * out


class Remainder(Function):
    """a % b with the sign of b (Python's %, numpy's `mod`, PyTorch's `remainder`)."""

    symbol = "%"
    derivative = "d(a mod b) = da - ⌊a / b⌋·db"

    @staticmethod
    def forward(a, b):
        if a.__class__ is float and b.__class__ is float:
            return float(np.mod(np.float64(a), b)) if b == 0.0 else a % b  # 0: nan, not an error
        return np.mod(a, b)

    @staticmethod
    def backward(g, a, b, out):  # a mod b = a - floor(a / b) b, floor constant almost everywhere
        quotient = np.floor(np.divide(data_of(a), data_of(b)))
        if quotient.ndim == 0:
            quotient = float(quotient)
        return g, -g * quotient


class Neg(Function):
    symbol = "neg"
    derivative = "d(-a) = -da"

    @staticmethod
    def forward(a):
        return -a

    @staticmethod
    def backward(g, a, out):
        return -g


class PowConst(Function):
    """x ** p for a constant number p."""

    symbol = "**"
    derivative = "d/dx xᵖ = p·xᵖ⁻¹"

    @staticmethod
    def forward(a, exponent):
        return power(a, exponent)

    @staticmethod
    def backward(g, a, out, exponent):  # d(x^p) = p x^(p-1) dx
        if exponent == 0.0:
            return g * 0.0
        if exponent == 1.0:
            return g
        if exponent == 2.0:
            return g * 2.0 * a
        return g * exponent * power(a, exponent - 1.0)

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        return f"**{short_number(params['exponent'])}"


class Pow(Function):
    """a ** b where the exponent b is differentiated too."""

    symbol = "**"
    derivative = "d(aᵇ) = b·aᵇ⁻¹·da + aᵇ·ln(a)·db"
    skips_unneeded_grads = True  # the exponent's gradient takes a log: not made for a constant

    @staticmethod
    def forward(a, b):
        if a.__class__ is float and b.__class__ is float:
            return power(a, b)
        return np.power(a, b)

    @staticmethod
    def backward(g, a, b, out, needs_grad=(True, True)):
        # As in PyTorch, two places where a formula would give 0 * inf are 0 instead (only
        # there: elsewhere the formula stays exact, so second derivatives stay right):
        # d/da a^b = b a^(b-1) at a == 0, b == 0 (the power is taken to 0 there, not to -1);
        # d/db a^b = a^b ln(a) at a == 0, b >= 0 (ln is taken of 1 there, not of 0).
        a_is_zero = data_of(a) == 0
        ga = None
        if needs_grad[0]:
            ga = g * b * power(a, b - 1.0 + (a_is_zero & (data_of(b) == 0)))
        if not needs_grad[1]:
            return ga, None
        return ga, g * out * log(a + (a_is_zero & (data_of(b) >= 0)))
