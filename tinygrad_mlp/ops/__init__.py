"""Every operation, each written once: its forward next to its backward, and how it is shown.

An operation is a `Function` subclass with two static methods:

    forward(*inputs, **params) -> output            inputs: floats or numpy arrays
    backward(grad, *inputs, out, **params) -> one gradient per input (a tuple, or a single one)

In an ordinary backward pass, `backward` receives plain data (floats and arrays). When the
backward pass is itself recorded (`backward(create_graph=True)`), it receives Values instead, and
because a Value supports the operators and methods an array does (`*`, `@`, `.sum(axis,
keepdims)`, `.reshape`, `.T`), the same formula builds the graph of the derivative. Where the
math differs by type (`math.exp` for a float, `np.exp` for an array, `Value.exp` for a Value) it
goes through the helpers (`exp`, `log`, `tanh`, `sqrt`, `power`). Broadcasting is undone once,
by the engine (`unbroadcast`), so backward formulas may return gradients of the broadcast shape.

By kind: `arithmetic` (+ - * / ** % neg), `elementwise` (exp, log, tanh, relu, sin, ...
softmax), `activations` (leaky_relu, elu, gelu, softplus), `reduce` (sum, mean, max, min, var,
broadcast), `select` (where, maximum, minimum, clip), `shape` (reshape, transpose, indexing,
concat, stack), `linalg` (@). Users add their own operations the same way (see `Function`).
"""

from __future__ import annotations

from ..engine.function import Function
from .activations import Elu, Gelu, LeakyRelu, Softplus
from .arithmetic import Add, Div, Mul, Neg, Pow, PowConst, Remainder, Sub
from .elementwise import (
    Abs,
    Cos,
    Exp,
    Expm1,
    Log,
    Log1p,
    LogSoftmax,
    Relu,
    Sigmoid,
    Sin,
    Softmax,
    Sqrt,
    Tanh,
)
from .helpers import cos, data_of, exp, expm1, log, log1p, power, sign, sin, sqrt, step, tanh
from .linalg import MatMul
from .reduce import BroadcastTo, Max, Mean, Min, Sum, Var, expand
from .select import Clip, Maximum, Minimum, Where, maximum, minimum, where
from .shape import Concat, GetItem, IndexAdd, Reshape, Stack, Transpose, concat, stack

__all__ = [
    "Abs",
    "Add",
    "BroadcastTo",
    "Clip",
    "Concat",
    "Cos",
    "Div",
    "Elu",
    "Exp",
    "Expm1",
    "Function",
    "Gelu",
    "GetItem",
    "IndexAdd",
    "LeakyRelu",
    "Log",
    "Log1p",
    "LogSoftmax",
    "MatMul",
    "Max",
    "Maximum",
    "Mean",
    "Min",
    "Minimum",
    "Mul",
    "Neg",
    "Pow",
    "PowConst",
    "Relu",
    "Remainder",
    "Reshape",
    "Sigmoid",
    "Sin",
    "Softmax",
    "Softplus",
    "Sqrt",
    "Stack",
    "Sub",
    "Sum",
    "Tanh",
    "Transpose",
    "Var",
    "Where",
    "concat",
    "cos",
    "data_of",
    "exp",
    "expand",
    "expm1",
    "log",
    "log1p",
    "maximum",
    "minimum",
    "power",
    "sign",
    "sin",
    "sqrt",
    "stack",
    "step",
    "tanh",
    "where",
]
