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

By kind: `arithmetic` (+ - * / ** neg), `elementwise` (exp, log, tanh, relu, ... softmax),
`reduce` (sum, mean, max, broadcast), `shape` (reshape, transpose, indexing, concat, stack),
`linalg` (@). Users add their own operations the same way (see `Function`).
"""

from __future__ import annotations

from ..engine.function import Function
from .arithmetic import Add, Div, Mul, Neg, Pow, PowConst, Sub
from .elementwise import Abs, Exp, Log, LogSoftmax, Relu, Sigmoid, Softmax, Sqrt, Tanh
from .helpers import data_of, exp, log, power, sign, sqrt, step, tanh
from .linalg import MatMul
from .reduce import BroadcastTo, Max, Mean, Sum, expand
from .shape import Concat, GetItem, IndexAdd, Reshape, Stack, Transpose, concat, stack

__all__ = [
    "Abs",
    "Add",
    "BroadcastTo",
    "Concat",
    "Div",
    "Exp",
    "Function",
    "GetItem",
    "IndexAdd",
    "Log",
    "LogSoftmax",
    "MatMul",
    "Max",
    "Mean",
    "Mul",
    "Neg",
    "Pow",
    "PowConst",
    "Relu",
    "Reshape",
    "Sigmoid",
    "Softmax",
    "Sqrt",
    "Stack",
    "Sub",
    "Sum",
    "Tanh",
    "Transpose",
    "concat",
    "data_of",
    "exp",
    "expand",
    "log",
    "power",
    "sign",
    "sqrt",
    "stack",
    "step",
    "tanh",
]
