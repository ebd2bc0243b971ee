"""Every operation, each written once: its forward next to its backward.

An operation is a `Function` subclass with two static methods:

    forward(*inputs, **params) -> output            inputs: floats or numpy arrays
    backward(grad, *inputs, out, **params) -> one gradient per input (a tuple, or a single one)

In an ordinary backward pass, `backward` receives plain data (floats and arrays). When the
backward pass is itself recorded (`backward(create_graph=True)`), it receives Values instead, and
because a Value supports the operators and methods an array does (`*`, `@`, `.sum(axis,
keepdims)`, `.reshape`, `.T`), the same formula builds the graph of the derivative. So a formula
written here serves floats, arrays and higher-order derivatives at once. Where the math differs by
type (`math.exp` for a float, `np.exp` for an array, `Value.exp` for a Value) it goes through the
small dispatch helpers at the top of this file. Broadcasting is undone once, by the engine
(`unbroadcast`), so backward formulas may return gradients of the broadcast shape.

Users add their own operations the same way (see `Function`).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .engine import Value, _forward_error, lift, record

ndarray = np.ndarray

# ----------------------------------------------------------------------------------------------
# Dispatch helpers: one name for float, array and Value.


def _elementwise(py_fn: Any, np_fn: Any, method: str) -> Any:
    """A function of x that uses `math` for floats, numpy for arrays and the Value op for Values.

    Where the float version fails (log(0), sqrt(-1), exp(1000)) the answer comes from numpy
    instead, with numpy's warning and its inf or nan: a scalar behaves like a 1-element array.
    """

    def fn(x: Any) -> Any:
        if x.__class__ is float:
            try:
                return py_fn(x)
            except (ArithmeticError, ValueError):
                return float(np_fn(np.float64(x)))
        if isinstance(x, Value):
            return getattr(x, method)()
        return np_fn(x)

    fn.__name__ = method
    return fn


exp = _elementwise(math.exp, np.exp, "exp")
log = _elementwise(math.log, np.log, "log")
tanh = _elementwise(math.tanh, np.tanh, "tanh")
sqrt = _elementwise(math.sqrt, np.sqrt, "sqrt")


def data_of(x: Any) -> Any:
    """The plain data of x (x itself unless it is a Value)."""
    return x.data if isinstance(x, Value) else x


def step(x: Any) -> Any:
    """1 where x > 0 else 0, as constant data: the derivative of relu.

    For an array it is a boolean mask: multiplying by it gives the other operand's dtype, with
    no float copy of the mask.
    """
    x = data_of(x)
    if x.__class__ is float:
        return 1.0 if x > 0.0 else 0.0
    return x > 0


def sign(x: Any) -> Any:
    """-1, 0 or 1 as constant data of x's dtype: the derivative of abs (0 at the kink)."""
    x = data_of(x)
    if x.__class__ is float:
        return (x > 0.0) - (x < 0.0) + 0.0
    return np.sign(x)


def expand(g: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast g to `shape` (the backward of a reduction): a new array or a Value op.

    `np.full` (C, about 1 µs) rather than an `np.broadcast_to` view (about 6 µs of Python).
    """
    if isinstance(g, Value):
        return BroadcastTo.apply(g, shape=shape)
    if g.__class__ is float:
        return np.full(shape, g)
    return np.full(shape, g, dtype=g.dtype)


def _keepdims_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The shape a reduction over `axis` gives with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    axes = {a % len(shape) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _shape(x: Any) -> tuple[int, ...]:
    return () if x.__class__ is float else x.shape


# ----------------------------------------------------------------------------------------------
# The base class


class Function:
    """An operation: a forward computation and its gradient rule, side by side.

    Subclass it to add your own operation; built-in operations are defined the same way.

    >>> class Softplus(Function):
    ...     @staticmethod
    ...     def forward(x):                    # x: float or array
    ...         return np.logaddexp(0.0, x)
    ...     @staticmethod
    ...     def backward(grad, x, out):        # d/dx softplus(x) = sigmoid(x) = 1 - e^(-out)
    ...         return grad * (1 - exp(-out))      # `exp` from tinygrad_mlp.ops: any type
    >>> y = Softplus.apply(Value(np.zeros(3))).sum()

    `forward(*inputs, **params)` gets the inputs' data; keyword `params` (an axis, a shape) are
    passed to both methods and are not differentiated. `backward(grad, *inputs, out, **params)`
    returns the gradient for each input (a tuple; a single gradient for a single input; None for
    an input that needs none). Gradients may keep a broadcast shape: the engine sums them back.
    To support second derivatives (`create_graph=True`), write `backward` with operators and
    Value methods only, since it then receives Values.

    An operation whose gradients cost real work may set `skips_unneeded_grads = True`: its
    `backward` then also gets `needs_grad`, one bool per input, in an ordinary backward pass,
    and may return None for an input that needs no gradient (`MatMul` skips the gradient of a
    constant batch of inputs this way). `needs_grad` must default to all True.
    """

    skips_unneeded_grads: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("forward", "backward"):
            if name in cls.__dict__ and not isinstance(cls.__dict__[name], staticmethod):
                raise TypeError(f"{cls.__name__}.{name} must be a @staticmethod")

    @staticmethod
    def forward(*inputs: Any, **params: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(grad: Any, *inputs_and_out: Any, **params: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Value:
        """Run the operation on Values (or numbers and arrays, taken as constants)."""
        if not inputs:
            raise TypeError(f"{cls.__name__}.apply needs at least one input")
        values = inputs
        for x in inputs:
            if x.__class__ is not Value:  # numbers and arrays become constants like the Values
                like = next((v for v in inputs if v.__class__ is Value), None)
                values = tuple(v if v.__class__ is Value else lift(v, like) for v in inputs)
                break
        try:
            out = cls.forward(*[v.data for v in values], **params)
        except (ValueError, TypeError, IndexError) as exc:
            raise _forward_error(cls, values, exc) from None
        if not params:
            # {} rather than None sends the node to the backward pass's general path, which
            # passes `needs_grad`; `Value.params` shows {} either way
            params = {} if cls.skips_unneeded_grads else None
        return record(cls, values, out, params)


# ----------------------------------------------------------------------------------------------
# Arithmetic


class Add(Function):
    forward = staticmethod(operator.add)  # a + b, called without a Python frame

    @staticmethod
    def backward(g, a, b, out):  # d(a+b) = da + db
        return g, g


class Sub(Function):
    forward = staticmethod(operator.sub)  # a - b, called without a Python frame

    @staticmethod
    def backward(g, a, b, out):
        return g, -g


class Mul(Function):
    forward = staticmethod(operator.mul)  # a * b, called without a Python frame

    @staticmethod
    def backward(g, a, b, out):  # d(ab) = b da + a db
        return g * b, g * a


class Div(Function):
    @staticmethod
    def forward(a, b):
        if b.__class__ is float and b == 0.0 and a.__class__ is float:
            return float(np.float64(a) / b)  # inf or nan with numpy's warning, not an error
        return a / b

    @staticmethod
    def backward(g, a, b, out):  # d(a/b) = da/b - a/b^2 db = (da - out db) / b
        gb = g / b
        return gb, -gb * out


class Neg(Function):
    @staticmethod
    def forward(a):
        return -a

    @staticmethod
    def backward(g, a, out):
        return -g


class PowConst(Function):
    """x ** p for a constant number p."""

    @staticmethod
    def forward(a, exponent):
        if a.__class__ is float:
            try:
                result = a**exponent
                if result.__class__ is float:
                    return result
            except (ArithmeticError, ValueError):
                pass  # 0 ** -1, overflow: numpy's inf/nan below
            return float(np.power(np.float64(a), exponent))  # negative ** fraction: nan
        return a**exponent

    @staticmethod
    def backward(g, a, out, exponent):  # d(x^p) = p x^(p-1) dx
        if exponent == 0.0:
            return g * 0.0
        if exponent == 1.0:
            return g
        if exponent == 2.0:
            return g * 2.0 * a
        return g * exponent * a ** (exponent - 1.0)


class Pow(Function):
    """a ** b where the exponent b is differentiated too."""

    @staticmethod
    def forward(a, b):
        if a.__class__ is float and b.__class__ is float:
            return PowConst.forward(a, b)
        return np.power(a, b)

    @staticmethod
    def backward(g, a, b, out):  # d(a^b) = b a^(b-1) da + a^b ln(a) db
        return g * b * a ** (b - 1.0), g * out * log(a)


# ----------------------------------------------------------------------------------------------
# Elementwise functions


class Exp(Function):
    forward = staticmethod(exp)

    @staticmethod
    def backward(g, a, out):  # d/dx e^x = e^x
        return g * out


class Log(Function):
    forward = staticmethod(log)

    @staticmethod
    def backward(g, a, out):  # d/dx ln x = 1/x
        return g / a


class Tanh(Function):
    forward = staticmethod(tanh)

    @staticmethod
    def backward(g, a, out):  # d/dx tanh x = 1 - tanh(x)^2
        return g * (1.0 - out * out)


class Sigmoid(Function):
    @staticmethod
    def forward(a):
        if a.__class__ is float:  # two branches so that exp never overflows
            if a >= 0.0:
                return 1.0 / (1.0 + math.exp(-a))
            e = math.exp(a)
            return e / (1.0 + e)
        return np.exp(-np.logaddexp(0.0, -a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(g, a, out):  # d/dx s(x) = s(x) (1 - s(x))
        return g * out * (1.0 - out)


class Relu(Function):
    @staticmethod
    def forward(a):
        if a.__class__ is float:
            return a if a > 0.0 else 0.0
        return np.maximum(a, 0.0)

    @staticmethod
    def backward(g, a, out):  # 1 where x > 0 (the kink at 0 gets 0)
        return g * step(a)


class Abs(Function):
    @staticmethod
    def forward(a):
        return abs(a)

    @staticmethod
    def backward(g, a, out):  # sign(x) (0 at the kink)
        return g * sign(a)


class Sqrt(Function):
    forward = staticmethod(sqrt)

    @staticmethod
    def backward(g, a, out):  # d/dx sqrt x = 1 / (2 sqrt x)
        return g * 0.5 / out


class Softmax(Function):
    @staticmethod
    def forward(a, axis):
        shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))  # stable: exp(x - max x)
        return shifted / shifted.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(g, a, out, axis):  # J^T g = s * (g - <g, s>)
        return out * (g - (g * out).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(a, axis):
        shifted = a - np.max(a, axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(g, a, out, axis):  # J^T g = g - softmax(x) * sum(g)
        return g - exp(out) * g.sum(axis=axis, keepdims=True)


# ----------------------------------------------------------------------------------------------
# Reductions


class Sum(Function):
    @staticmethod
    def forward(a, axis, keepdims):
        if a.__class__ is ndarray:  # the ufunc itself: np.sum adds microseconds of Python
            return np.add.reduce(a, axis=axis, keepdims=keepdims)
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):  # each input element contributes once
        shape = _shape(a)
        if not keepdims and shape:
            g = g.reshape(_keepdims_shape(shape, axis))
        return expand(g, shape)


def _count(shape: tuple[int, ...], axis: Any) -> int:
    """How many elements a reduction over `axis` of an array of `shape` combines into one."""
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    return math.prod(shape[ax] for ax in axes)


class Mean(Function):
    @staticmethod
    def forward(a, axis, keepdims):
        if a.__class__ is ndarray:  # np.mean's own arithmetic, without its Python wrapper
            return np.add.reduce(a, axis=axis, keepdims=keepdims) / _count(a.shape, axis)
        return np.mean(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):  # each element contributes 1/count
        count = max(1, _count(_shape(a), axis))
        return Sum.backward(g * (1.0 / count), a, out, axis, keepdims)


class Max(Function):
    @staticmethod
    def forward(a, axis, keepdims):
        return np.max(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(g, a, out, axis, keepdims):
        # The gradient goes to the maximum; tied maxima share it equally.
        shape = _shape(a)
        if not shape:
            return g
        a_data = data_of(a)
        winners = a_data == np.max(a_data, axis=axis, keepdims=True)
        share = (winners / winners.sum(axis=axis, keepdims=True)).astype(a_data.dtype)
        return Sum.backward(g, a, out, axis, keepdims) * share


class BroadcastTo(Function):
    @staticmethod
    def forward(a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(g, a, out, shape):
        return g  # the engine sums it back to a's shape


# ----------------------------------------------------------------------------------------------
# Shape and indexing


class Reshape(Function):
    @staticmethod
    def forward(a, shape):
        return np.reshape(a, shape)

    @staticmethod
    def backward(g, a, out, shape):
        return g.reshape(_shape(a))


class Transpose(Function):
    @staticmethod
    def forward(a, axes):
        return np.transpose(a, axes)

    @staticmethod
    def backward(g, a, out, axes):
        if axes is None:
            return g.transpose()
        return g.transpose(tuple(np.argsort([ax % len(axes) for ax in axes])))


def _is_basic_index(index: Any) -> bool:
    """True for ints, slices, None and Ellipsis: positions never repeat, so assignment suffices."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Function):
    @staticmethod
    def forward(a, index):
        if a.__class__ is float:
            raise TypeError("a scalar Value cannot be indexed")
        return a[index]

    @staticmethod
    def backward(g, a, out, index):  # each picked element gets its gradient back (summed)
        if isinstance(g, Value):
            return IndexAdd.apply(g, index=index, shape=a.shape)
        return IndexAdd.forward(g, index, a.shape)


class IndexAdd(Function):
    """zeros(shape) with g added at `index`: the backward of indexing."""

    @staticmethod
    def forward(g, index, shape):
        dtype = g.dtype if isinstance(g, ndarray) else np.float64
        grad = np.zeros(shape, dtype=dtype)
        if _is_basic_index(index):
            grad[index] = g
        else:
            np.add.at(grad, index, g)  # an index may repeat: its gradients add up
        return grad

    @staticmethod
    def backward(g, gin, out, index, shape):
        return g[index]


class MatMul(Function):
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


class Concat(Function):
    @staticmethod
    def forward(*arrays, axis):
        if any(x.__class__ is float for x in arrays):
            raise TypeError("concat needs tensors; use stack() for scalars")
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(g, *inputs_and_out, axis):
        inputs = inputs_and_out[:-1]
        ndim = inputs[0].ndim
        lead = (slice(None),) * (axis % ndim)
        grads, start = [], 0
        for x in inputs:
            stop = start + x.shape[axis]
            grads.append(g[lead + (slice(start, stop),)])
            start = stop
        return tuple(grads)


class Stack(Function):
    @staticmethod
    def forward(*arrays, axis):
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(g, *inputs_and_out, axis):
        inputs = inputs_and_out[:-1]
        lead = (slice(None),) * (axis % g.ndim)
        return tuple(g[lead + (i,)] for i in range(len(inputs)))


__all__ = [
    "Function",
    "exp",
    "log",
    "tanh",
    "sqrt",
    "step",
    "sign",
    "expand",
    "data_of",
]
