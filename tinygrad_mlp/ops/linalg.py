"""Matrix multiplication."""

from __future__ import annotations

from ..engine.function import Function


class MatMul(Function):
    symbol = "@"
    derivative = "d(A @ B) = dA @ Bᵀ + Aᵀ @ dB"
    skips_unneeded_grads = True  # a layer's input batch is a constant: its gradient is not made

    @staticmethod
    def forward(a, b):
        if a.__class__ is float or b.__class__ is float:
            raise TypeError("matmul needs tensors, got a scalar")
        return a @ b

    @staticmethod
    def backward(g, a, b, out, needs_grad=(True, True)):  # d(AB) = dA B + A dB
        need_a, need_b = needs_grad
        if a.ndim == 1 and b.ndim == 1:  # inner product
            return g * b, g * a
        if a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            ga = (g2 @ b.swapaxes(-1, -2)).reshape(g.shape[:-1] + (a.shape[0],))
            gb = a.reshape((a.shape[0], 1)) @ g2
            return ga, gb
        if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
            g2 = g.reshape(g.shape + (1,))
            ga = g2 @ b.reshape((1, b.shape[0]))
            gb = (a.swapaxes(-1, -2) @ g2).reshape(g.shape[:-1] + (b.shape[0],))
            return ga, gb
        ga = g @ b.swapaxes(-1, -2) if need_a else None
        gb = a.swapaxes(-1, -2) @ g if need_b else None
        return ga, gb
