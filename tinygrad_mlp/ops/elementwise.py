"""Elementwise functions (exp, log, tanh, relu, sin, ...) and the softmaxes."""

from __future__ import annotations

import math

import numpy as np

from ..engine.function import Function
from .helpers import cos, data_of, exp, expm1, log, log1p, sign, sin, sqrt, tanh


class Exp(Function):
    symbol = "exp"
    derivative = "d/dx eˣ = eˣ"
    forward = staticmethod(exp)

    @staticmethod
    def backward(g, a, out):  # d/dx e^x = e^x
        return g * out


class Log(Function):
    symbol = "log"
    derivative = "d/dx ln(x) = 1 / x"
    forward = staticmethod(log)

    @staticmethod
    def backward(g, a, out):  # d/dx ln x = 1/x
        return g / a


class Tanh(Function):
    symbol = "tanh"
    derivative = "d/dx tanh(x) = 1 - tanh(x)²"
    forward = staticmethod(tanh)

    @staticmethod
    def backward(g, a, out):  # d/dx tanh x = 1 - tanh(x)^2
        return g * (1.0 - out * out)


class Sigmoid(Function):
    symbol = "sigmoid"
    derivative = "d/dx σ(x) = σ(x)·(1 - σ(x))"

    @staticmethod
    def forward(a):
        if a.__class__ is float:  # two branches so that exp never overflows
            if a >= 0.0:
                return 1.0 / (1.0 + math.exp(-a))
            if a != a:  # nan
                return a
            e = math.exp(a)
            return e / (1.0 + e)
        return np.exp(-np.logaddexp(0.0, -a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(g, a, out):  # d/dx s(x) = s(x) (1 - s(x))
        return g * out * (1.0 - out)


class Relu(Function):
    symbol = "relu"
    derivative = "d/dx relu(x) = 1 if x > 0 else 0"

    @staticmethod
    def forward(a):
        if a.__class__ is float:
            return 0.0 if a <= 0.0 else a  # not `a > 0`: nan stays nan, as in numpy
        return np.maximum(a, 0.0)

    @staticmethod
    def backward(g, a, out):
        # `step(a)`, read off the output in one comparison instead of two: out is 0 where
        # x <= 0 (the kink gets 0) and x or nan elsewhere (nan gets 1, as in PyTorch)
        return g * (data_of(out) != 0)


class Abs(Function):
    symbol = "abs"
    derivative = "d/dx |x| = sign(x)"

    @staticmethod
    def forward(a):
        return abs(a)

    @staticmethod
    def backward(g, a, out):  # sign(x) (0 at the kink)
        return g * sign(a)


class Sqrt(Function):
    symbol = "sqrt"
    derivative = "d/dx √x = 1 / (2√x)"
    forward = staticmethod(sqrt)

    @staticmethod
    def backward(g, a, out):  # d/dx sqrt x = 1 / (2 sqrt x)
        return g * 0.5 / out


class Log1p(Function):
    symbol = "log1p"
    derivative = "d/dx ln(1 + x) = 1 / (1 + x)"
    forward = staticmethod(log1p)

    @staticmethod
    def backward(g, a, out):  # d/dx ln(1 + x) = 1 / (1 + x)
        return g / (1.0 + a)


class Expm1(Function):
    symbol = "expm1"
    derivative = "d/dx (eˣ - 1) = eˣ"
    forward = staticmethod(expm1)

    @staticmethod
    def backward(g, a, out):  # d/dx (e^x - 1) = e^x = out + 1
        return g * (out + 1.0)


class Sin(Function):
    symbol = "sin"
    derivative = "d/dx sin(x) = cos(x)"
    forward = staticmethod(sin)

    @staticmethod
    def backward(g, a, out):  # d/dx sin x = cos x
        return g * cos(a)


class Cos(Function):
    symbol = "cos"
    derivative = "d/dx cos(x) = -sin(x)"
    forward = staticmethod(cos)

    @staticmethod
    def backward(g, a, out):  # d/dx cos x = -sin x
        return -g * sin(a)


class Softmax(Function):
    symbol = "softmax"
    derivative = "d softmax(x) = s·(g - Σ g·s)"

    @staticmethod
    def forward(a, axis):
        shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))  # stable: exp(x - max x)
        return shifted / shifted.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(g, a, out, axis):  # J^T g = s * (g - <g, s>)
        return out * (g - (g * out).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    symbol = "log_softmax"
    derivative = "d log_softmax(x) = g - softmax(x)·Σ g"

    @staticmethod
    def forward(a, axis):
        shifted = a - np.max(a, axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(g, a, out, axis):  # J^T g = g - softmax(x) * sum(g)
        return g - exp(out) * g.sum(axis=axis, keepdims=True)
