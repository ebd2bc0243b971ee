"""`Value`: a number or an array that remembers how it was computed, and its operators.

A Value holds data (a Python float for a scalar, a read-only numpy array for a tensor) and the
operation that made it with the Values it came from. Every Value is made by `new_node`, the one
node constructor: a leaf the user creates (`Value(x)`), a constant, or an op's result.

Two promises shape the code:

* Speed on scalars. A node is an object with `__slots__` and a tuple of parents, with no
  closure (a closure that refers to its own node is a reference cycle, freed only by the cyclic
  garbage collector). Python floats are never turned into numpy scalars.
* No silent wrong gradient from changed data. A tensor's array is read-only, so it cannot be
  changed in place behind the graph's back; assigning `.data` (or `sub_`, what optimizers use)
  stamps the change, and a backward pass through a node recorded before the change raises
  `StaleDataError` naming the Value.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .modes import SCOPE, current_modes

ndarray = np.ndarray
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Creation order is a topological order (a node is always made after its inputs), so a counter
# stamped on each node lets backward sort the nodes it reaches instead of a recursive walk.
next_index = itertools.count().__next__
_new = object.__new__


class StaleDataError(RuntimeError):
    """The data of a Value changed after an operation used it and before backward ran."""


class Reads:
    """Who is told when Python reads the data of a Value (`data`, `item()`, `float()`,
    `numpy()`): nobody (None), except while `compile_step` traces a step, whose hook refuses a
    read that would make the step depend on values (see compile/trace.py). Not on any hot path:
    the engine itself reads `_data`."""

    hook: Any = None


class _Changes:
    """When the data of any Value last changed, as a creation index (see `Value.data`)."""

    latest = -1


def latest_data_change() -> int:
    """The creation index at which the data of some Value was last assigned (-1: never).

    A backward pass whose oldest node is newer than this cannot meet changed data, so it skips
    the per-node check.
    """
    return _Changes.latest


def as_data(x: Any, dtype: Any = None, copy: bool = False) -> float | ndarray:
    """Convert user input into what a Value holds: a Python float or a read-only float array.

    Integers and booleans become floats (float64 unless `dtype` says otherwise). Complex
    numbers, strings and other objects are refused with a `TypeError` that names the type.
    Arrays are copied when `copy` is true (a parameter never shares memory with the caller's
    array) and otherwise wrapped in a read-only view (the caller's array keeps its flags).

    >>> as_data(3)
    3.0
    >>> as_data([1, 2]).dtype, as_data([1, 2]).flags.writeable
    (dtype('float64'), False)
    """
    if dtype is not None:
        dtype = as_float_dtype(dtype)
    if x.__class__ is float and dtype is None:
        return x
    if isinstance(x, Value):
        raise TypeError("Value(...) got a Value; use v.detach() for a constant copy of its data")
    if isinstance(x, (bool, int, float, np.integer, np.floating, np.bool_)) and dtype is None:
        return float(x)
    if isinstance(x, (complex, np.complexfloating)):
        raise TypeError(f"complex numbers are not supported, got {x!r}")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"cannot make a Value from {type(x).__name__}: {exc}") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"complex arrays are not supported, got dtype {arr.dtype}")
    if kind not in "biuf":
        raise TypeError(
            f"a Value holds numbers, got {type(x).__name__} with dtype {arr.dtype} "
            f"(strings and objects cannot be differentiated)"
        )
    if dtype is None:
        dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    if copy or arr.dtype != dtype:
        arr = np.array(arr, dtype=dtype)  # a new array: the caller's is never written
    else:
        arr = arr.view()  # ours to mark read-only, without touching the caller's flags
    arr.setflags(write=False)
    return arr


def as_float_dtype(dtype: Any) -> np.dtype:
    """`dtype` as float32 or float64; anything else is a `TypeError` naming the valid ones."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"Value dtype must be float32 or float64, got {dtype!r}")
    return dt


def new_node(
    data: float | ndarray,
    op: type | None,
    parents: tuple[Value, ...],
    params: dict[str, Any] | None,
    requires_grad: bool,
    scope: Any,
) -> Value:
    """The one node constructor: a Value holding `data`, made by `op` from `parents`.

    A recorded node (`op` given) requires a gradient; a leaf or a constant has no op and no
    parents. `data` must already be what a Value holds (see `as_data`; an op's result is
    normalised by `Function.apply`), `scope` the module call it is made in.
    """
    node = _new(Value)
    node._data = data
    node.grad = 0.0 if data.__class__ is float else None
    node.requires_grad = requires_grad
    node._op = op
    node._prev = parents
    node._params = params
    node._index = next_index()
    node._scope = scope
    node._g = None
    return node


def leaf(data: float | ndarray, requires_grad: bool = False) -> Value:
    """A leaf (a Value the user made) or a constant, in the current module call."""
    return new_node(data, None, (), None, requires_grad, current_modes()[SCOPE])


def op_result(op: type, parents: tuple[Value, ...], data: Any, params: dict | None) -> Value:
    """The node for `op`'s result: recorded when grad mode is on in this thread and some
    parent requires a gradient, else a constant. In anomaly mode the data is checked first."""
    grad_enabled, anomaly, scope = current_modes()
    if anomaly:
        check_finite(op, "forward", data)
    if grad_enabled:
        for v in parents:
            if v.requires_grad:
                return new_node(data, op, parents, params, True, scope)
    return new_node(data, None, (), None, False, scope)


def check_finite(op: type, phase: str, out: Any) -> None:
    """Raise `FloatingPointError` if `out` (data or a Value) holds a nan or inf: anomaly mode."""
    if out is None:
        return
    data = out._data if isinstance(out, Value) else out
    if not np.all(np.isfinite(data)):
        raise FloatingPointError(f"detect_anomaly: {op.__name__}.{phase} produced nan or inf")


class Value:
    """A number or an array that remembers how it was computed, so its gradient can be found.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = (a * b + b ** 2).tanh()
    >>> c.backward()
    >>> round(a.grad, 6), round(b.grad, 6)      # dc/da, dc/db (floats)
    (-0.0, 0.0)

    `data` is a Python float for a scalar and a read-only numpy array (float64, or float32 if
    given one) for a tensor; integer input is converted to float64. A tensor leaf that requires
    gradients copies the array it is given, so training never writes into the caller's array.
    After `backward()`, `grad` holds the derivative of the output with respect to this Value: a
    float (0.0 before) for scalars and an array of the same shape (None before) for tensors.
    Gradients accumulate over calls, as in PyTorch: call `zero_grad()` between steps.
    """

    __slots__ = (
        "_data",
        "grad",
        "requires_grad",
        "_label",  # written only when a label is given: see `label`
        "_op",
        "_prev",
        "_params",
        "_index",
        "_scope",
        "_g",  # this Value's gradient during a backward pass (see backward.py), else None
        "_changed_at",  # set only when data is assigned: see `data`
        "_reached",  # set only on a scalar leaf a backward pass reached: see `has_grad`
        "__weakref__",
    )

    # numpy must hand `ndarray (op) Value` to Value's reflected operators instead of looping
    # over the array and building an array of Values.
    __array_ufunc__ = None

    def __new__(
        cls,
        data: Any,
        requires_grad: bool = True,
        label: str | None = None,
        dtype: Any = None,
    ) -> Value:
        flag = bool(requires_grad)
        node = leaf(as_data(data, dtype, copy=flag), flag)
        if label is not None:
            node._label = label
        return node

    # -- data ---------------------------------------------------------------------------------

    @property
    def data(self) -> Any:
        """A Python float (scalar) or a read-only numpy array (tensor).

        Assign it to change the data (`w.data = w.data - 0.1 * w.grad`): the new data is
        converted (and copied) like `Value(...)`'s, and a backward pass through an operation
        that used the old data raises `StaleDataError` instead of giving a wrong gradient.
        """
        if Reads.hook is not None:
            Reads.hook(self, "data")
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        dtype = None if self._data.__class__ is float else self._data.dtype
        if dtype is not None and isinstance(new, (int, float)):
            new = np.full(self._data.shape, new)
        self._data = as_data(new, dtype, copy=True)
        self._stamp_change()

    def sub_(self, delta: Any) -> Value:
        """Subtract `delta` from the data in place (what optimizers do); returns self.

        Recorded as a change of data like assigning `.data`, but the array is updated without
        a copy when this Value owns it.
        """
        data = self._data
        if data.__class__ is float:
            self._data = data - float(delta)
        elif data.base is None:  # our own array: unlock it for this one update
            data.setflags(write=True)
            try:
                np.subtract(data, delta, out=data, casting="same_kind")
            finally:
                data.setflags(write=False)
        else:  # a view of memory we do not own: never written, replaced instead
            self._data = as_data(data - delta, data.dtype, copy=False)
        self._stamp_change()
        return self

    def _stamp_change(self) -> None:
        self._changed_at = _Changes.latest = next_index()

    def changed_since(self, index: int) -> bool:
        """True when this Value's data was assigned after the node of creation `index` was made."""
        return getattr(self, "_changed_at", -1) > index

    # -- what it looks like ------------------------------------------------------------------

    @property
    def label(self) -> str | None:
        """A name for this Value, shown in drawings and errors (modules name their parameters)."""
        return getattr(self, "_label", None)  # unset on most nodes: one write fewer per node

    @label.setter
    def label(self, name: str | None) -> None:
        self._label = name

    @property
    def shape(self) -> tuple[int, ...]:
        return () if self._data.__class__ is float else self._data.shape

    @property
    def ndim(self) -> int:
        return 0 if self._data.__class__ is float else self._data.ndim

    @property
    def size(self) -> int:
        return 1 if self._data.__class__ is float else self._data.size

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64) if self._data.__class__ is float else self._data.dtype

    @property
    def is_scalar(self) -> bool:
        """True when `data` is a Python float (not a 0-d or 1-element array)."""
        return self._data.__class__ is float

    @property
    def op(self) -> type | None:
        """The operation (a `Function` subclass) that produced this Value; None for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from (empty for a leaf)."""
        return self._prev

    @property
    def params(self) -> dict[str, Any]:
        """Non-differentiable arguments of the operation that made this Value (axis, shape...)."""
        return self._params or {}

    @property
    def scope(self) -> Any:
        """The innermost module call (a `Scope`) this Value was made in, or None."""
        return self._scope

    @property
    def index(self) -> int:
        """Creation order: a Value is always created after the Values it was computed from."""
        return self._index

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def __len__(self) -> int:
        if self._data.__class__ is float or self._data.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return len(self._data)

    def item(self) -> float:
        """The data of a single-element Value as a Python float."""
        if Reads.hook is not None:
            Reads.hook(self, "item()")
        if self._data.__class__ is float:
            return self._data
        if self._data.size != 1:
            raise ValueError(f"item() needs a single element, this Value has shape {self.shape}")
        return float(self._data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def numpy(self) -> ndarray:
        """The data as a new, writable numpy array (a 0-d array for a scalar)."""
        if Reads.hook is not None:
            Reads.hook(self, "numpy()")
        return np.array(self._data)

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        if self._data.__class__ is float:
            return f"Value(data={self._data:.6g}, grad={self.grad!r}{name})"
        preview = np.array2string(
            self._data, precision=4, threshold=6, edgeitems=2, max_line_width=60
        ).replace("\n", "")
        grad = "None" if self.grad is None else type(self.grad).__name__
        return (
            f"Value(shape={self._data.shape}, dtype={self._data.dtype}, data={preview}, "
            f"grad={grad}{name})"
        )

    # -- gradients ---------------------------------------------------------------------------

    def backward(self, grad: Any = None, create_graph: bool = False) -> None:
        """Fill `.grad` of every Value this one depends on with d(self)/d(that Value).

        `grad` is the gradient flowing in from above; it defaults to 1 and may be omitted only
        for a single-element Value. With `create_graph=True` the backward pass is itself
        recorded, so the gradients are Values that can be differentiated again.
        Gradients of leaves accumulate across calls; intermediate Values get this pass's.
        """
        backward(self, grad, create_graph)

    def zero_grad(self) -> None:
        """Reset this Value's gradient (0.0 for a scalar, None for a tensor)."""
        self.grad = 0.0 if self._data.__class__ is float else None
        self._reached = False

    @property
    def has_grad(self) -> bool:
        """True when this Value has a gradient: a backward pass reached it since `zero_grad()`
        or it was given one. A scalar's `.grad` is 0.0 either way before that, so this tells
        "no gradient" (an optimizer leaves it alone) from "a gradient of exactly 0"."""
        g = self.grad
        if g is None:
            return False
        if g.__class__ is float:
            return g != 0.0 or getattr(self, "_reached", False)
        return True

    def detach(self) -> Value:
        """A constant with the same data (shared, not copied) and no history."""
        return leaf(self._data)

    def requires_grad_(self, flag: bool = True) -> Value:
        """Set `requires_grad` in place (leaves only) and return self."""
        if self._op is not None and not flag:
            raise ValueError("requires_grad can only be turned off on a leaf; use detach()")
        self.requires_grad = flag
        return self

    # -- operators (each is one call of an op's `apply`) ---------------------------------------

    def __add__(self, other: Any) -> Value:
        return apply_binary(Add, self, other)

    def __radd__(self, other: Any) -> Value:
        return apply_binary(Add, other, self)

    def __sub__(self, other: Any) -> Value:
        return apply_binary(Sub, self, other)

    def __rsub__(self, other: Any) -> Value:
        return apply_binary(Sub, other, self)

    def __mul__(self, other: Any) -> Value:
        return apply_binary(Mul, self, other)

    def __rmul__(self, other: Any) -> Value:
        return apply_binary(Mul, other, self)

    def __truediv__(self, other: Any) -> Value:
        return apply_binary(Div, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return apply_binary(Div, other, self)

    def __pow__(self, exponent: Any) -> Value:
        if isinstance(exponent, (Value, ndarray)):
            return Pow.apply(self, exponent)
        if isinstance(exponent, (int, float, np.integer, np.floating)) and not isinstance(
            exponent, bool
        ):
            return PowConst.apply(self, exponent=float(exponent))
        raise TypeError(f"exponent must be a number, an array or a Value, got {type(exponent)}")

    def __rpow__(self, base: Any) -> Value:
        return Pow.apply(base, self)

    def __neg__(self) -> Value:
        return apply_unary(Neg, self)

    def __matmul__(self, other: Any) -> Value:
        return MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> Value:
        return MatMul.apply(other, self)

    def __getitem__(self, index: Any) -> Value:
        return GetItem.apply(self, index=index)

    # -- elementwise functions --------------------------------------------------------------

    def exp(self) -> Value:
        return apply_unary(Exp, self)

    def log(self) -> Value:
        return apply_unary(Log, self)

    def tanh(self) -> Value:
        return apply_unary(Tanh, self)

    def relu(self) -> Value:
        return apply_unary(Relu, self)

    def sigmoid(self) -> Value:
        return apply_unary(Sigmoid, self)

    def abs(self) -> Value:
        return apply_unary(Abs, self)

    def sqrt(self) -> Value:
        return apply_unary(Sqrt, self)

    __abs__ = abs

    # -- reductions and shape ---------------------------------------------------------------

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Value:
        return Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Value:
        return LogSoftmax.apply(self, axis=axis)

    def reshape(self, *shape: Any) -> Value:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Reshape.apply(self, shape=tuple(int(n) for n in shape))

    def transpose(self, *axes: Any) -> Value:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, axis1: int, axis2: int) -> Value:
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return Transpose.apply(self, axes=tuple(axes))

    @property
    def T(self) -> Value:
        return Transpose.apply(self, axes=None)


# The package's one import cycle, on purpose: Value's operators need the op classes (and the
# `apply` that runs them, and the backward pass), and those are built on Value. Importing them
# after Value is defined lets each refer to the other; nothing else imports in a circle.
from .function import apply_binary, apply_unary  # noqa: E402
from ..ops import (  # noqa: E402
    Abs,
    Add,
    Div,
    Exp,
    GetItem,
    Log,
    LogSoftmax,
    MatMul,
    Max,
    Mean,
    Mul,
    Neg,
    Pow,
    PowConst,
    Relu,
    Reshape,
    Sigmoid,
    Softmax,
    Sqrt,
    Sub,
    Sum,
    Tanh,
    Transpose,
)
from .backward import backward  # noqa: E402
