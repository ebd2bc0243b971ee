"""`Value`: a number or an array that remembers how it was computed, and its operators.

A Value holds data (a Python float for a scalar, a read-only numpy array for a tensor) and the
operation that made it with the Values it came from: a leaf the user creates (`Value(x)`), a
constant, or an op's result.

The one node constructor is `node.new_node`; user input becomes node data in `data.py`.
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

from typing import Any

import numpy as np

from .data import as_data

ndarray = np.ndarray


class Value:
    """A number or an array that remembers how it was computed, so its gradient can be found.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = (a * b + b ** 2).tanh()
    >>> c.backward()
    >>> round(a.grad, 6), round(b.grad, 6)      # dc/da, dc/db (floats)
    (-0.029598, -0.039464)

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
        if isinstance(data, Value):
            raise TypeError("Value(...) got a Value; use v.detach() for a constant copy of it")
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
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        if isinstance(new, Value):
            raise TypeError("data must be numbers or an array, got a Value; use v.data")
        dtype = None if self._data.__class__ is float else self._data.dtype
        if dtype is not None and isinstance(new, (int, float)):
            new = np.full(self._data.shape, new)
        self._data = as_data(new, dtype, copy=True)
        stamp_change(self)

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
        stamp_change(self)
        return self

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
        if self._data.__class__ is float:
            return self._data
        if self._data.size != 1:
            raise ValueError(f"item() needs a single element, this Value has shape {self.shape}")
        return float(self._data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def numpy(self) -> ndarray:
        """The data as a new, writable numpy array (a 0-d array for a scalar)."""
        return np.array(self._data)

    def tolist(self) -> Any:
        """The data as (nested lists of) Python floats, like `ndarray.tolist`.

        >>> Value([[1, 2], [3, 4]]).tolist(), Value(2.5).tolist()
        ([[1.0, 2.0], [3.0, 4.0]], 2.5)
        """
        return self._data if self._data.__class__ is float else self._data.tolist()

    # -- Python's protocols: as for a numpy array, never a silent wrong answer --------------

    def _single(self, what: str) -> float:
        if self._data.__class__ is float:
            return self._data
        if self._data.size != 1:
            raise TypeError(
                f"{what} needs a single-element Value, this one has shape {self.shape}; "
                f"reduce it first (.sum(), .max(), ...) or read .data"
            )
        return float(self._data.reshape(()))

    def __bool__(self) -> bool:
        """The truth of a single-element Value (`if loss < 0.1:`); any other is ambiguous.

        >>> bool(Value(0.0)), bool(Value([2.0]) > 1)
        (False, True)
        >>> bool(Value([1.0, 2.0]))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        ValueError: the truth value of a Value with 2 elements is ambiguous: use ...
        """
        data = self._data
        if data.__class__ is float:
            return data != 0.0
        if data.size != 1:
            raise ValueError(
                f"the truth value of a Value with {data.size} elements is ambiguous: use "
                f"(v > 0).data.any() or .all(), or reduce it first"
            )
        return bool(data.reshape(()))

    def __int__(self) -> int:
        return int(self._single("int()"))

    def __round__(self, ndigits: int | None = None) -> Any:
        """`round(v)` (an int) or `round(v, n)` (a float) of a single-element Value."""
        return round(self._single("round()"), ndigits)

    def __format__(self, spec: str) -> str:
        """`f"{loss:.4f}"` formats the number of a single-element Value; `f"{v}"` is its repr."""
        if not spec:
            return repr(self)
        return format(self._single(f"format spec {spec!r}"), spec)

    def __array__(self, dtype: Any = None, copy: Any = None) -> ndarray:
        """`np.asarray(v)`: the data of a constant; refused for a Value that requires gradients,
        whose data would silently leave the graph (say `.numpy()` or `.detach()` instead)."""
        if self.requires_grad:
            raise TypeError(
                f"np.asarray() / np.array() of a Value that requires gradients ({describe(self)}) "
                f"would drop it from the graph: use v.numpy() for a copy of its data, or "
                f"v.detach() for a constant"
            )
        if copy:
            return np.array(self._data, dtype=dtype)
        return np.asarray(self._data, dtype=dtype)

    # Comparisons work elementwise, as in numpy and PyTorch, and give constant 0/1 data (a mask
    # for `where`, or a truth for `if`); they are not differentiable. Values stay hashable by
    # identity: the engine keys its sets by Value and never calls `==`.
    __hash__ = object.__hash__

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return _compare(self, other, np.equal)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return _compare(self, other, np.not_equal)

    def __lt__(self, other: Any) -> Any:
        return _compare(self, other, np.less)

    def __le__(self, other: Any) -> Any:
        return _compare(self, other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return _compare(self, other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return _compare(self, other, np.greater_equal)

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

    def __mod__(self, other: Any) -> Value:
        return apply_binary(Remainder, self, other)

    def __rmod__(self, other: Any) -> Value:
        return apply_binary(Remainder, other, self)

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

    def log1p(self) -> Value:
        return apply_unary(Log1p, self)

    def expm1(self) -> Value:
        return apply_unary(Expm1, self)

    def sin(self) -> Value:
        return apply_unary(Sin, self)

    def cos(self) -> Value:
        return apply_unary(Cos, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x where x > 0, else negative_slope * x (PyTorch's default slope, 0.01)."""
        return LeakyRelu.apply(self, negative_slope=float(negative_slope))

    def elu(self, alpha: float = 1.0) -> Value:
        """x where x > 0, else alpha * (e^x - 1)."""
        return Elu.apply(self, alpha=float(alpha))

    def gelu(self) -> Value:
        """x * Φ(x) in its tanh form (PyTorch's `gelu(approximate="tanh")`)."""
        return apply_unary(Gelu, self)

    def softplus(self) -> Value:
        """ln(1 + e^x), computed without overflow."""
        return apply_unary(Softplus, self)

    def clip(self, low: float | None = None, high: float | None = None) -> Value:
        """Each element limited to [low, high] (None: unbounded on that side), like `np.clip`.

        >>> Value([-2.0, 0.5, 3.0]).clip(-1, 1).data
        array([-1. ,  0.5,  1. ])
        """
        if low is None and high is None:
            raise ValueError("clip() needs low, high or both")
        low = None if low is None else float(low)
        high = None if high is None else float(high)
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip(low={low}, high={high}): low is above high")
        return Clip.apply(self, low=low, high=high)

    def maximum(self, other: Any) -> Value:
        """The larger of self and other, elementwise (ties share the gradient)."""
        return Maximum.apply(self, other)

    def minimum(self, other: Any) -> Value:
        """The smaller of self and other, elementwise (ties share the gradient)."""
        return Minimum.apply(self, other)

    # -- reductions and shape ---------------------------------------------------------------

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return Min.apply(self, axis=axis, keepdims=keepdims)

    def var(
        self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, ddof: int = 0
    ) -> Value:
        """The variance over `axis`, dividing by n - ddof (numpy's default ddof=0; PyTorch's
        `var` defaults to the unbiased ddof=1).

        >>> Value([1.0, 2.0, 3.0, 4.0]).var().data, Value([1.0, 2.0, 3.0, 4.0]).var(ddof=1).data
        (array(1.25), array(1.6666...))
        """
        if isinstance(ddof, bool) or not isinstance(ddof, (int, np.integer)) or ddof < 0:
            raise ValueError(f"ddof must be a non-negative integer, got {ddof!r}")
        if self._data.__class__ is not float:
            shape = self._data.shape
            axes = range(len(shape)) if axis is None else (axis,) if isinstance(axis, int) else axis
            count = int(np.prod([shape[a] for a in axes]))
            if count - ddof <= 0:
                raise ValueError(
                    f"var(ddof={ddof}) of {count} element(s) per result divides by zero "
                    f"(shape {shape}, axis {axis})"
                )
        return Var.apply(self, axis=axis, keepdims=keepdims, ddof=int(ddof))

    def std(
        self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, ddof: int = 0
    ) -> Value:
        """The standard deviation: `sqrt(var(axis, keepdims, ddof))`."""
        return self.var(axis=axis, keepdims=keepdims, ddof=ddof).sqrt()

    def argmax(self, axis: int | None = None) -> Any:
        """Where the maximum is, as a plain int (or an int array along `axis`), like numpy."""
        found = np.argmax(self._data, axis=axis)
        return int(found) if np.ndim(found) == 0 else found

    def argmin(self, axis: int | None = None) -> Any:
        """Where the minimum is, as a plain int (or an int array along `axis`), like numpy."""
        found = np.argmin(self._data, axis=axis)
        return int(found) if np.ndim(found) == 0 else found

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

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Value:
        """Axes start_dim..end_dim merged into one (all of them by default), like PyTorch's.

        >>> Value(np.ones((2, 3, 4))).flatten(1).shape
        (2, 12)
        """
        shape = self.shape or (1,)
        start, end = start_dim % len(shape), end_dim % len(shape)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = int(np.prod(shape[start : end + 1]))
        return Reshape.apply(self, shape=(*shape[:start], merged, *shape[end + 1 :]))

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Value:
        """The axes of length 1 removed (only `axis`, if given; it must have length 1)."""
        try:
            shape = np.empty(self.shape, dtype=np.bool_).squeeze(axis).shape
        except ValueError as exc:
            raise ValueError(f"squeeze(axis={axis}) of shape {self.shape}: {exc}") from None
        return Reshape.apply(self, shape=shape)

    def unsqueeze(self, axis: int) -> Value:
        """A new axis of length 1 at `axis` (like `torch.unsqueeze`, `np.expand_dims`)."""
        shape = np.expand_dims(np.empty(self.shape, dtype=np.bool_), axis).shape
        return Reshape.apply(self, shape=shape)

    def broadcast_to(self, shape: tuple[int, ...]) -> Value:
        """The data repeated to `shape` by numpy's broadcasting rules; gradients are summed back."""
        return BroadcastTo.apply(self, shape=tuple(int(n) for n in shape))


def describe(v: Value) -> str:
    return "a scalar" if v._data.__class__ is float else f"shape {v._data.shape}"


_COMPARABLE = (int, float, bool, np.number, np.bool_, ndarray, list)


def _compare(a: Value, other: Any, ufunc: Any) -> Any:
    """`a (op) other` elementwise, as a constant Value of 1.0 (true) and 0.0 (false)."""
    if isinstance(other, Value):
        b = other._data
    elif isinstance(other, _COMPARABLE):
        b = other
    else:
        return NotImplemented  # `v == None`, `v == "text"`: Python's default (False for ==)
    x = a._data
    if x.__class__ is float and b.__class__ is float:
        return leaf(1.0 if ufunc(x, b) else 0.0)
    return leaf(as_data(ufunc(x, b)))


# The package's one import cycle, on purpose: Value's operators need the op classes (and the
# `apply` that runs them, the backward pass and the node constructor), and those are built on
# Value. Importing them after Value is defined lets each refer to the other; nothing else in
# the package imports in a circle.
from ..ops import (  # noqa: E402
    Abs,
    Add,
    BroadcastTo,
    Clip,
    Cos,
    Div,
    Elu,
    Exp,
    Expm1,
    Gelu,
    GetItem,
    LeakyRelu,
    Log,
    Log1p,
    LogSoftmax,
    MatMul,
    Max,
    Maximum,
    Mean,
    Min,
    Minimum,
    Mul,
    Neg,
    Pow,
    PowConst,
    Relu,
    Remainder,
    Reshape,
    Sigmoid,
    Sin,
    Softmax,
    Softplus,
    Sqrt,
    Sub,
    Sum,
    Tanh,
    Transpose,
    Var,
)
from .backward import backward  # noqa: E402
from .function import apply_binary, apply_unary  # noqa: E402
from .node import leaf, stamp_change  # noqa: E402
