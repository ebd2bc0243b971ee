"""Custom ops with the classic bugs of a hand-written backward planted in them, and data.

Softplus is right; each subclass breaks its backward one way: a sign flip, a factor of 2, one
wrong element, a backward from plain data (no second derivative), and an AddBias whose bias
gradient is not summed over the batch.
"""

from __future__ import annotations

import numpy as np

from tinygrad_mlp import Function
from tinygrad_mlp.ops import data_of, exp

rng = np.random.default_rng(0)
X = rng.normal(size=(4, 3))
B = rng.normal(size=3)


class Softplus(Function):
    @staticmethod
    def forward(x):
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(g, x, out):  # d/dx softplus(x) = sigmoid(x) = 1 - e^(-out)
        return g * (1 - exp(-out))


class SignFlippedSoftplus(Softplus):
    @staticmethod
    def backward(g, x, out):
        return -g * (1 - exp(-out))


class DoubledSoftplus(Softplus):
    @staticmethod
    def backward(g, x, out):
        return 2.0 * g * (1 - exp(-out))


class OneElementWrong(Softplus):
    @staticmethod
    def backward(g, x, out):
        grad = np.array(g * (1 - exp(-out)))
        grad[1, 2] += 0.5
        return grad


class FrozenSoftplus(Softplus):
    """Right first derivative, but from plain data: nothing to differentiate a second time."""

    @staticmethod
    def backward(g, x, out):
        return g * (1 - exp(-data_of(out)))


class AddBias(Function):
    """x (n, k) + b (k,), with the bias gradient summed over the batch by hand."""

    @staticmethod
    def forward(x, b):
        return x + b

    @staticmethod
    def backward(g, x, b, out):
        return g, g.sum(axis=0)


class UnsummedAddBias(AddBias):
    @staticmethod
    def backward(g, x, b, out):
        return g, g[0]  # the broadcast over the batch is not summed back: only the first row
