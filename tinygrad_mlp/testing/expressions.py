"""Random expression graphs: small programs of library ops whose values stay finite.

An `Expression` is a program: its inputs, then steps that each apply one library op to earlier
results (`v3 = tanh(v0)`, `v4 = v3 * v1`, `v5 = v4.sum(axis=0)`). It is called like a function
of Values, so it can be handed to `gradcheck`, drawn, or run on scalars and tensors alike.

`tinygrad_mlp.testing.strategies.expressions()` draws them. To keep every value finite and away
from each op's domain edges, each result carries `Bounds` on its elements, and an op is used only
where the bounds of its inputs allow it: `log` and `sqrt` of numbers >= 0.1, `exp` of numbers
that keep it below `LIMIT`, division by numbers at least 0.5 away from zero. This module itself
needs no hypothesis.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Value, no_grad

LIMIT = 50.0  # every element of every result stays within [-LIMIT, LIMIT]


@dataclass(frozen=True)
class Bounds:
    """lo <= every element <= hi."""

    lo: float
    hi: float

    @property
    def magnitude(self) -> float:
        return max(-self.lo, self.hi)


def _always(*bounds: Bounds) -> bool:
    return True


def _no_params(ndim: int) -> list[dict[str, Any]]:
    return [{}]


def _axes(ndim: int) -> list[dict[str, Any]]:
    return [{"axis": axis} for axis in range(-ndim, 0)]


def _reductions(ndim: int) -> list[dict[str, Any]]:
    axes = [None, *range(ndim)]
    return [{"axis": a, "keepdims": k} for a in axes for k in (False, True)]


def _monotone(fn: Callable[[float], float]) -> Callable[..., tuple[float, float]]:
    return lambda sizes, a: (fn(a.lo), fn(a.hi))


def _products(sizes: dict[str, int], a: Bounds, b: Bounds) -> tuple[float, float]:
    corners = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
    return min(corners), max(corners)


def _quotients(sizes: dict[str, int], a: Bounds, b: Bounds) -> tuple[float, float]:
    return _products(sizes, a, Bounds(1.0 / b.hi, 1.0 / b.lo))  # b.lo, b.hi share a sign


def _powers(sizes: dict[str, int], a: Bounds, b: Bounds) -> tuple[float, float]:
    corners = [a.lo**b.lo, a.lo**b.hi, a.hi**b.lo, a.hi**b.hi]  # monotone in each, for a > 0
    return min(corners), max(corners)


def _squares(sizes: dict[str, int], a: Bounds) -> tuple[float, float]:
    low = 0.0 if a.lo <= 0.0 <= a.hi else min(a.lo**2, a.hi**2)
    return low, a.magnitude**2


def _absolutes(sizes: dict[str, int], a: Bounds) -> tuple[float, float]:
    return (0.0 if a.lo <= 0.0 <= a.hi else min(abs(a.lo), abs(a.hi))), a.magnitude


def _inner_products(sizes: dict[str, int], a: Bounds, b: Bounds) -> tuple[float, float]:
    largest = sizes["inner"] * a.magnitude * b.magnitude
    return -largest, largest


def _same(sizes: dict[str, int], a: Bounds) -> tuple[float, float]:
    return a.lo, a.hi


def _away_from_zero(a: Bounds, b: Bounds) -> bool:
    return b.lo >= 0.5 or b.hi <= -0.5


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class OpKind:
    """One op an expression may use: how to apply it and how it bounds its result.

    `bounds(sizes, *input_bounds)` gets `sizes`: 'reduced', the number of elements that become
    one (sums, softmax), and 'inner', the length a matmul sums over.
    """

    name: str
    arity: int
    apply: Callable[..., Value]
    bounds: Callable[..., tuple[float, float]]
    allowed: Callable[..., bool] = _always
    params: Callable[[int], list[dict[str, Any]]] = _no_params
    elementwise: bool = True
    kink: bool = False
    # Inputs of one shape only: a kink of a broadcast input is one kink per copy, summed, which
    # a kink-aware finite difference cannot tell apart from a wrong gradient.
    same_shapes: bool = False


OPS: tuple[OpKind, ...] = (
    OpKind("add", 2, operator.add, lambda s, a, b: (a.lo + b.lo, a.hi + b.hi)),
    OpKind("sub", 2, operator.sub, lambda s, a, b: (a.lo - b.hi, a.hi - b.lo)),
    OpKind("mul", 2, operator.mul, _products),
    OpKind("div", 2, operator.truediv, _quotients, _away_from_zero),
    OpKind("pow", 2, operator.pow, _powers, lambda a, b: a.lo >= 0.2 and b.magnitude <= 2.0),
    OpKind("neg", 1, operator.neg, lambda s, a: (-a.hi, -a.lo)),
    OpKind("square", 1, lambda a: a**2, _squares),
    OpKind("tanh", 1, Value.tanh, _monotone(math.tanh)),
    OpKind("sigmoid", 1, Value.sigmoid, _monotone(_sigmoid)),
    OpKind("exp", 1, Value.exp, _monotone(math.exp), lambda a: a.hi <= math.log(LIMIT)),
    OpKind("log", 1, Value.log, _monotone(math.log), lambda a: a.lo >= 0.1),
    OpKind("sqrt", 1, Value.sqrt, _monotone(math.sqrt), lambda a: a.lo >= 0.1),
    OpKind("relu", 1, Value.relu, _monotone(lambda x: max(x, 0.0)), kink=True),
    OpKind("sin", 1, Value.sin, lambda s, a: (-1.0, 1.0)),
    OpKind("cos", 1, Value.cos, lambda s, a: (-1.0, 1.0)),
    OpKind("softplus", 1, Value.softplus, _monotone(lambda x: math.log1p(math.exp(x)))),
    OpKind("log1p", 1, Value.log1p, _monotone(math.log1p), lambda a: a.lo >= -0.5),
    OpKind("expm1", 1, Value.expm1, _monotone(math.expm1), lambda a: a.hi <= math.log(LIMIT)),
    OpKind("gelu", 1, Value.gelu, lambda s, a: (-0.2, max(a.hi, 0.0))),
    OpKind(
        "leaky_relu", 1, Value.leaky_relu, _monotone(lambda x: x if x > 0 else 0.01 * x), kink=True
    ),
    OpKind("elu", 1, Value.elu, _monotone(lambda x: x if x > 0 else math.expm1(x)), kink=True),
    OpKind(
        "maximum",
        2,
        Value.maximum,
        lambda s, a, b: (max(a.lo, b.lo), max(a.hi, b.hi)),
        kink=True,
        same_shapes=True,
    ),
    OpKind("abs", 1, Value.abs, _absolutes, kink=True),
    OpKind(
        "sum",
        1,
        Value.sum,
        lambda s, a: (a.lo * s["reduced"], a.hi * s["reduced"]),
        params=_reductions,
        elementwise=False,
    ),
    OpKind("mean", 1, Value.mean, _same, params=_reductions, elementwise=False),
    OpKind("max", 1, Value.max, _same, params=_reductions, elementwise=False, kink=True),
    OpKind("min", 1, Value.min, _same, params=_reductions, elementwise=False, kink=True),
    OpKind("softmax", 1, Value.softmax, lambda s, a: (0.0, 1.0), params=_axes, elementwise=False),
    OpKind(
        "log_softmax",
        1,
        Value.log_softmax,
        lambda s, a: (a.lo - a.hi - math.log(s["reduced"]), 0.0),
        params=_axes,
        elementwise=False,
    ),
    OpKind("reshape", 1, lambda a: a.reshape(-1), _same, elementwise=False),
    OpKind("transpose", 1, lambda a: a.T, _same, elementwise=False),
    OpKind("getitem", 1, lambda a: a[-1], _same, elementwise=False),
    OpKind("matmul", 2, operator.matmul, _inner_products, elementwise=False),
)
OPS_BY_NAME = {op.name: op for op in OPS}


@dataclass(frozen=True)
class Step:
    """`op` applied to the results numbered `args` (inputs first), with keyword `params`."""

    op: OpKind
    args: tuple[int, ...]
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        args = [f"v{i}" for i in self.args] + [f"{k}={v!r}" for k, v in self.params]
        return f"{self.op.name}({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class Expression:
    """A program of library ops; call it with one Value per input to get its last result.

    >>> import numpy as np
    >>> from tinygrad_mlp import Value
    >>> tanh, mul = OPS_BY_NAME["tanh"], OPS_BY_NAME["mul"]
    >>> expr = Expression(inputs=(np.ones(3),), steps=(Step(tanh, (0,)), Step(mul, (1, 0))))
    >>> expr
    Expression(v0: (3,); 2 ops)
      v1 = tanh(v0)
      v2 = mul(v1, v0)
    >>> expr(Value(expr.inputs[0])).data.round(4)          # tanh(v0) * v0
    array([0.7616, 0.7616, 0.7616])

    `bounds` holds, for each input and each step's result, bounds on its elements.
    """

    inputs: tuple[Any, ...]  # the input data drawn with it (floats or arrays)
    steps: tuple[Step, ...]
    bounds: tuple[Bounds, ...] = ()

    def __call__(self, *values: Value) -> Value:
        return self.trace(*values)[-1]

    def trace(self, *values: Value) -> list[Value]:
        """Every result, inputs first: `trace(*values)[len(inputs) + k]` is step k's."""
        if len(values) != len(self.inputs):
            raise TypeError(f"this expression takes {len(self.inputs)} inputs, got {len(values)}")
        results = list(values)
        for step in self.steps:
            results.append(step.op.apply(*[results[i] for i in step.args], **dict(step.params)))
        return results

    @property
    def ops(self) -> list[str]:
        """The op names, one per step: each step records exactly one node."""
        return [step.op.name for step in self.steps]

    def __repr__(self) -> str:
        shapes = ", ".join(
            f"v{i}: {'scalar' if x.__class__ is float else x.shape}"
            for i, x in enumerate(self.inputs)
        )
        n = len(self.inputs)
        lines = [f"Expression({shapes}; {len(self.steps)} ops)"]
        lines += [f"  v{n + k} = {step}" for k, step in enumerate(self.steps)]
        return "\n".join(lines)


def try_step(
    op: OpKind,
    args: Sequence[int],
    params: dict[str, Any],
    shapes: Sequence[tuple[int, ...] | None],
    bounds: Sequence[Bounds],
) -> tuple[tuple[int, ...] | None, Bounds] | None:
    """The shape and bounds of `op` applied to results `args`, or None if it must not be used.

    `shapes[i]` is None for a scalar (Python float) result. The shape comes from running the op
    on ones of the right shapes; the op is refused where that fails, where its inputs' bounds do
    not allow it, or where its result could leave [-LIMIT, LIMIT].
    """
    ins = [bounds[i] for i in args]
    if not op.allowed(*ins):
        return None
    if op.same_shapes and len({shapes[i] for i in args}) > 1:
        return None
    with no_grad():
        trial = [Value(1.0 if shapes[i] is None else np.ones(shapes[i])) for i in args]
        try:
            out = op.apply(*trial, **params)
        except (ValueError, TypeError, IndexError):
            return None
    first = shapes[args[0]]
    size = 1 if first is None else math.prod(first)
    sizes = {"reduced": max(1, size // max(1, out.size)), "inner": first[-1] if first else 1}
    if op.name in ("softmax", "log_softmax"):
        sizes["reduced"] = first[params["axis"]]  # type: ignore[index]  # softmax: a tensor
    lo, hi = op.bounds(sizes, *ins)
    if not (-LIMIT <= lo <= hi <= LIMIT):
        return None
    return (None if out.is_scalar else out.shape), Bounds(lo, hi)
