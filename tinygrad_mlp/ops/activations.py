"""Activations beyond relu, tanh and sigmoid: leaky_relu, elu, gelu and softplus.

Each is one op with its gradient, as PyTorch defines it (`torch.nn.functional.leaky_relu`,
`elu`, `gelu(approximate="tanh")` and `softplus`), with PyTorch's default parameters.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.function import Function
from ..engine.value import Value
from .elementwise import Sigmoid
from .helpers import positive_part, tanh

_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def _sigmoid(x):
    """sigmoid(x) for a float, an array or a Value."""
    return x.sigmoid() if isinstance(x, Value) else Sigmoid.forward(x)


class LeakyRelu(Function):
    symbol = "leaky_relu"
    derivative = "d/dx leaky_relu(x) = 1 if x > 0 else slope"

    @staticmethod
    def forward(a, negative_slope):
        if a.__class__ is float:
            return a if a > 0.0 else negative_slope * a
        return np.where(a > 0, a, negative_slope * a)

    @staticmethod
    def backward(g, a, out, negative_slope):  # 1 where x > 0, else the slope (at 0: the slope)
        return g * positive_part(a, negative_slope)


class Elu(Function):
    symbol = "elu"
    derivative = "d/dx elu(x) = 1 if x > 0 else elu(x) + α"

    @staticmethod
    def forward(a, alpha):
        if a.__class__ is float:
            return a if a > 0.0 else alpha * math.expm1(a)
        return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0)))

    @staticmethod
    def backward(g, a, out, alpha):  # x > 0: 1; else α eˣ = out + α
        above = positive_part(a)
        return g * (above + (1.0 - above) * (out + alpha))


class Gelu(Function):
    """x·Φ(x) with Φ in its tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))."""

    symbol = "gelu"
    derivative = "d/dx gelu(x) = ½(1 + t) + ½x(1 - t²)·c(1 + 3kx²)"

    @staticmethod
    def forward(a):
        return 0.5 * a * (1.0 + tanh(_GELU_C * (a + _GELU_K * a * a * a)))

    @staticmethod
    def backward(g, a, out):  # t = tanh(u), u = c (x + k x^3): (1 + t)/2 + x (1 - t^2) u' / 2
        t = tanh(_GELU_C * (a + _GELU_K * a * a * a))
        inner = _GELU_C * (1.0 + 3.0 * _GELU_K * a * a)
        return g * (0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * inner)


class Softplus(Function):
    symbol = "softplus"
    derivative = "d/dx ln(1 + eˣ) = σ(x)"

    @staticmethod
    def forward(a):
        if a.__class__ is float:  # max(x, 0) + ln(1 + e^-|x|): never overflows
            return max(a, 0.0) + math.log1p(math.exp(-abs(a))) if a == a else a
        return np.logaddexp(0.0, a)

    @staticmethod
    def backward(g, a, out):  # d/dx ln(1 + e^x) = sigmoid(x)
        return g * _sigmoid(a)
