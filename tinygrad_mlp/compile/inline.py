"""The few hot formulas written inline in the generated code, instead of a call of the op.

Each entry writes, as a Python expression, exactly what the op's own `forward` or `backward`
(ops/) computes for these argument types: the same numpy calls on the same operands, or the
same float arithmetic, so the result is bitwise the same. They only save the Python call and
the type checks of the general function. Every program is run once on its traced data and
compared with the eager step bit for bit before it is used (program.py), and the property
tests compare many; an op or an argument type not listed here is called as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops import (
    Add,
    LogSoftmax,
    MatMul,
    Mean,
    Mul,
    Neg,
    PowConst,
    Relu,
    Sigmoid,
    Sub,
    Tanh,
)
from ..ops.helpers import keepdims_shape, reduced_count

ndarray = np.ndarray


def _floats(data: list[Any]) -> bool:
    return all(d.__class__ is float for d in data)


def _arrays(data: list[Any], ndim: int | None = None) -> bool:
    return all(d.__class__ is ndarray and (ndim is None or d.ndim == ndim) for d in data)


def forward(op: type, a: list[str], data: list[Any], params: dict) -> str | None:
    """The forward of `op` on symbols `a` as an expression, or None (call the op)."""
    rule = FORWARD.get(op)
    return rule(a, data, params) if rule is not None else None


def backward(
    op: type, g: str, a: list[str], out: str, data: list[Any], params: dict
) -> list[str] | None:
    """One expression per input for the backward of `op`, or None (call the op)."""
    rule = BACKWARD.get(op)
    return rule(g, a, out, data, params) if rule is not None else None


def _binary(symbol: str) -> Callable[..., str | None]:
    def rule(a: list[str], data: list[Any], params: dict) -> str | None:
        if _floats(data) or _arrays(data):
            return f"{a[0]} {symbol} {a[1]}"  # forward is operator.add/sub/mul: the same call
        return None

    return rule


def _matmul(a: list[str], data: list[Any], params: dict) -> str | None:
    return f"{a[0]} @ {a[1]}" if _arrays(data, 2) else None


def _relu(a: list[str], data: list[Any], params: dict) -> str | None:
    if _floats(data):
        return f"(0.0 if {a[0]} <= 0.0 else {a[0]})"
    return f"np.maximum({a[0]}, 0.0)" if _arrays(data) else None


def _tanh(a: list[str], data: list[Any], params: dict) -> str | None:
    if _floats(data):
        return f"_math.tanh({a[0]})"  # never raises for a float
    return f"np.tanh({a[0]})" if _arrays(data) else None


def _neg(a: list[str], data: list[Any], params: dict) -> str | None:
    return f"-{a[0]}" if _floats(data) or _arrays(data) else None


def _square(a: list[str], data: list[Any], params: dict) -> str | None:
    # x ** 2.0 only: a float power that cannot turn complex; an overflow raises, and the
    # program then gives way to the eager step (which gives numpy's inf)
    if params.get("exponent") == 2.0 and _floats(data):
        return f"{a[0]} ** 2.0"
    return None


def _mean(a: list[str], data: list[Any], params: dict) -> str | None:
    if not _arrays(data):
        return None
    count = reduced_count(data[0].shape, params["axis"])
    return (
        f"np.add.reduce({a[0]}, axis={params['axis']!r}, keepdims={params['keepdims']!r})"
        f" / {count!r}"
    )


def _log_softmax(a: list[str], data: list[Any], params: dict) -> str | None:
    # LogSoftmax.forward with the ufuncs np.max and ndarray.sum call: the same reductions
    if not _arrays(data):
        return None
    axis = params["axis"]
    shifted = f"(_shifted := {a[0]} - np.maximum.reduce({a[0]}, axis={axis!r}, keepdims=True))"
    return f"{shifted} - np.log(np.add.reduce(np.exp(_shifted), axis={axis!r}, keepdims=True))"


FORWARD: dict[type, Callable[..., str | None]] = {
    Mean: _mean,
    LogSoftmax: _log_softmax,
    Add: _binary("+"),
    Sub: _binary("-"),
    Mul: _binary("*"),
    MatMul: _matmul,
    Relu: _relu,
    Tanh: _tanh,
    Neg: _neg,
    PowConst: _square,
}


def _add_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [g, g]


def _sub_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [g, f"-{g}"]


def _mul_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [f"{g} * {a[1]}", f"{g} * {a[0]}"]


def _matmul_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    if not _arrays(data, 2):
        return None
    # MatMul.backward's swapaxes(-1, -2) of a 2-d array is its transpose `.T`: the same view
    return [f"{g} @ {a[1]}.T", f"{a[0]}.T @ {g}"]


def _relu_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    if _floats(data):
        return [f"{g} * (1.0 if {a[0]} > 0.0 else 0.0)"]
    # the mask from relu's output: `out > 0` is `x > 0` for out = max(x, 0), nan included (both
    # False), so the product is the same; x is then not needed after the forward pass, which
    # can write relu into x's memory as hand-written numpy does (buffers.py)
    return [f"{g} * ({out} > 0)"] if _arrays(data) else None


def _tanh_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [f"{g} * (1.0 - {out} * {out})"]


def _sigmoid_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [f"{g} * {out} * (1.0 - {out})"]


def _neg_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [f"-{g}"]


def _square_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    return [f"{g} * 2.0 * {a[0]}"] if params.get("exponent") == 2.0 else None


def _mean_b(g: str, a: list[str], out: str, data: list[Any], params: dict) -> list[str] | None:
    # Mean.backward: Sum.backward(g * (1 / count)): reshaped to keepdims, then np.full
    x = data[0]
    if not _arrays(data) or params["keepdims"] or not x.shape:
        return None
    count = max(1, reduced_count(x.shape, params["axis"]))
    shape = keepdims_shape(x.shape, params["axis"])
    scaled = f"({g} * {1.0 / count!r}).reshape({shape!r})"
    return [f"np.full({x.shape!r}, {scaled}, dtype={scaled}.dtype)"]


def _log_softmax_b(
    g: str, a: list[str], out: str, data: list[Any], params: dict
) -> list[str] | None:
    if not _arrays(data):
        return None
    return [f"{g} - np.exp({out}) * np.add.reduce({g}, axis={params['axis']!r}, keepdims=True)"]


BACKWARD: dict[type, Callable[..., list[str] | None]] = {
    Mean: _mean_b,
    LogSoftmax: _log_softmax_b,
    Add: _add_b,
    Sub: _sub_b,
    Mul: _mul_b,
    MatMul: _matmul_b,
    Relu: _relu_b,
    Tanh: _tanh_b,
    Sigmoid: _sigmoid_b,
    Neg: _neg_b,
    PowConst: _square_b,
}
