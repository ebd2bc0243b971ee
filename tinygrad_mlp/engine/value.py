"""`Value`: a number or an array that remembers how it was computed, and its operators.

A Value holds data (a Python float for a scalar, a read-only numpy array for a tensor) and the
operation that made it with the Values it came from: a leaf the user creates (`Value(x)`), a
constant, or an op's result.

The one node constructor is `node.new_node`; user input becomes node data in `data.py`.
Two promises shape the code:

* Speed on scalars. A node is an object with `__slots__` and a tuple of parents, with no
  closure (a closure that refers to its own node is a reference cycle, freed only by the cyclic
  garbage collector). Python floats are never turned into numpy scalars.
* No silent wrong gradient from changed data. A tensor's array is read-only wherever code
  outside the engine can reach it (a leaf's from the start, an op result's from the first
  read of `.data`), so it cannot be changed in place behind the graph's back; assigning
  `.data` (or `sub_`, what optimizers use) stamps the change, and a backward pass through a
  node recorded before the change raises `StaleDataError` naming the Value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .data import as_data
from .methods import TensorMethods
from .protocols import PythonProtocols, Reads, told_of_read

ndarray = np.ndarray


class Notes(dict):
    """The facts few Values have, by name, with the module call the Value was made in under
    "scope": what a Value's `_scope` slot holds once one of them is noted."""

    __slots__ = ()


class Value(PythonProtocols, TensorMethods):
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
    Python's protocols are in `PythonProtocols`; `min`, `var`, `clip`, ... in `TensorMethods`.
    """

    __slots__ = (
        "_data",
        "grad",
        "requires_grad",
        "_op",
        "_prev",
        "_params",
        "_index",
        # The module call this Value was made in (a `Scope`, or None); or, once one of the
        # facts few Values have is noted, a `Notes` holding that call and those facts (a slot
        # of their own would make every node bigger, and 8 bytes more moves a node into the
        # allocator's next size class): "label"; "changed_at" (when its data was assigned, see
        # `data`); "reached" (a backward pass reached this scalar leaf, see `has_grad`);
        # "owner" (the private array behind a parameter's read-only data, see `sub_`).
        # Read through `scope`, `note` and `noted`.
        "_scope",
        "_g",  # this Value's gradient during a backward pass (see backward.py), else None
        "__weakref__",
    )
    # The slots' types, for the type checker only (annotations make no class attributes).
    # `_data` is a float or an ndarray; Any, because the hot paths test which with
    # `__class__ is float`, a test mypy cannot narrow on.
    _data: Any
    grad: Any
    requires_grad: bool
    _op: Any  # the Function subclass that made this node, or None for a leaf
    _prev: tuple[Value, ...]
    _params: Any
    _index: int
    _scope: Any  # a Scope, None, or Notes
    _g: Any

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
        if flag and node._data.__class__ is not float:
            node.note("owner", node._data.base)  # the private array behind the read-only view
        if label is not None:
            node.note("label", label)
        return node

    def note(self, key: str, value: Any) -> None:
        """Remember one of the facts few Values have (see `__slots__`: `_scope`)."""
        notes = self._scope
        if notes.__class__ is not Notes:  # the first: made now, around the module call
            notes = self._scope = Notes(scope=notes)
        notes[key] = value

    def noted(self, key: str, default: Any = None) -> Any:
        """One of the facts few Values have, or `default`."""
        notes = self._scope
        return notes.get(key, default) if notes.__class__ is Notes else default

    # -- data ---------------------------------------------------------------------------------

    @property
    def data(self) -> Any:
        """A Python float (scalar) or a read-only numpy array (tensor).

        Assign it to change the data (`w.data = w.data - 0.1 * w.grad`): the new data is
        converted (and copied) like `Value(...)`'s, and a backward pass through an operation
        that used the old data raises `StaleDataError` instead of giving a wrong gradient.
        """
        if Reads.hook is not None:  # inline: `data` is read often
            Reads.hook(self, "data")
        data = self._data
        if data.__class__ is not float and (self._op is not None or not self.requires_grad):
            # Locked here, where the array leaves the engine (which never writes an array it
            # made): an op's result stays writable inside, at no cost per node. A parameter's
            # array is locked from the start (`as_data`, `sub_`, `requires_grad_`).
            data.setflags(write=False)
        return data

    @data.setter
    def data(self, new: Any) -> None:
        if isinstance(new, Value):
            raise TypeError("data must be numbers or an array, got a Value; use v.data")
        dtype = None if self._data.__class__ is float else self._data.dtype
        if dtype is not None and isinstance(new, (int, float)):
            new = np.full(self._data.shape, new)
        self._data = data = as_data(new, dtype, copy=True)
        if isinstance(data, ndarray):  # (a scalar's data stays a float: it has no owner)
            self.note("owner", data.base)
        stamp_changes((self,))

    def sub_(self, delta: Any) -> Value:
        """Subtract `delta` from the data in place (what optimizers do); returns self.

        Recorded as a change of data like assigning `.data`, but the array is updated without
        a copy when this Value owns it (see `subtract_in_place`).
        """
        subtract_in_place(((self, delta),))
        return self

    def changed_since(self, index: int) -> bool:
        """True when this Value's data was assigned after the node of creation `index` was made."""
        return self.noted("changed_at", -1) > index

    # -- what it looks like ------------------------------------------------------------------

    @property
    def label(self) -> str | None:
        """A name for this Value, shown in drawings and errors (modules name their parameters)."""
        return self.noted("label")

    @label.setter
    def label(self, name: str | None) -> None:
        self.note("label", name)

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
    def op(self) -> Any:  # a Function subclass, or None; Any: callers use its methods
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
        scope = self._scope
        return scope["scope"] if scope.__class__ is Notes else scope

    @property
    def index(self) -> int:
        """Creation order: a Value is always created after the Values it was computed from."""
        return self._index

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def item(self) -> float:
        """The data of a single-element Value as a Python float."""
        if Reads.hook is not None:  # `told_of_read`, inline: a training step ends with item()
            Reads.hook(self, "item()")
        if self._data.__class__ is float:
            return self._data
        if self._data.size != 1:
            raise ValueError(f"item() needs a single element, this Value has shape {self.shape}")
        return float(self._data.reshape(()))

    def numpy(self) -> ndarray:
        """The data as a new, writable numpy array (a 0-d array for a scalar)."""
        told_of_read(self, "numpy()")
        return np.array(self._data)

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
        if self._data.__class__ is float:
            self.grad = 0.0
            if self.noted("reached"):
                self.note("reached", False)
        else:
            self.grad = None

    @property
    def has_grad(self) -> bool:
        """True when this Value has a gradient: a backward pass reached it since `zero_grad()`
        or it was given one. A scalar's `.grad` is 0.0 either way before that, so this tells
        "no gradient" (an optimizer leaves it alone) from "a gradient of exactly 0"."""
        g = self.grad
        if g is None:
            return False
        if g.__class__ is float:
            return g != 0.0 or self.noted("reached", False)
        return True

    def detach(self) -> Value:
        """A constant with the same data (shared, not copied) and no history."""
        return leaf(self._data)

    def requires_grad_(self, flag: bool = True) -> Value:
        """Set `requires_grad` in place (leaves only) and return self."""
        if self._op is not None and not flag:
            raise ValueError("requires_grad can only be turned off on a leaf; use detach()")
        if self._data.__class__ is not float:
            self._data.setflags(write=False)  # a parameter's array is locked: see `data`
        self.requires_grad = flag
        return self

    # -- operators --------------------------------------------------------------------------
    # + - * / @ and the elementwise functions are each made by `binary_operator` or
    # `unary_operator` (function.py) and set at the end of this file, once the op classes
    # exist: each method is the op's `apply` itself, one Python call per operation.
    __add__: ClassVar[Callable[[Value, Any], Value]]
    __radd__: ClassVar[Callable[[Value, Any], Value]]
    __sub__: ClassVar[Callable[[Value, Any], Value]]
    __rsub__: ClassVar[Callable[[Value, Any], Value]]
    __mul__: ClassVar[Callable[[Value, Any], Value]]
    __rmul__: ClassVar[Callable[[Value, Any], Value]]
    __truediv__: ClassVar[Callable[[Value, Any], Value]]
    __rtruediv__: ClassVar[Callable[[Value, Any], Value]]
    __matmul__: ClassVar[Callable[[Value, Any], Value]]
    __rmatmul__: ClassVar[Callable[[Value, Any], Value]]
    __neg__: ClassVar[Callable[[Value], Value]]
    exp: ClassVar[Callable[[Value], Value]]
    log: ClassVar[Callable[[Value], Value]]
    tanh: ClassVar[Callable[[Value], Value]]
    relu: ClassVar[Callable[[Value], Value]]
    sigmoid: ClassVar[Callable[[Value], Value]]
    abs: ClassVar[Callable[[Value], Value]]
    sqrt: ClassVar[Callable[[Value], Value]]
    __abs__: ClassVar[Callable[[Value], Value]]

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

    def __getitem__(self, index: Any) -> Value:
        return GetItem.apply(self, index=index)


# The package's one import cycle, on purpose: Value's operators need the op classes (and the
# `apply` that runs them, the backward pass and the node constructor), and those are built on
# Value. Importing them after Value is defined lets each refer to the other; nothing else in
# the package imports in a circle.
from ..ops import (  # noqa: E402
    Abs,
    Add,
    Div,
    Exp,
    GetItem,
    Log,
    MatMul,
    Mul,
    Neg,
    Pow,
    PowConst,
    Relu,
    Sigmoid,
    Sqrt,
    Sub,
    Tanh,
)
from .backward import backward  # noqa: E402
from .function import binary_operator, reflected, unary_operator  # noqa: E402
from .node import leaf, stamp_changes, subtract_in_place  # noqa: E402

Value.__add__ = binary_operator(Add)
Value.__radd__ = reflected(Value.__add__)
Value.__sub__ = binary_operator(Sub)
Value.__rsub__ = reflected(Value.__sub__)
Value.__mul__ = binary_operator(Mul)
Value.__rmul__ = reflected(Value.__mul__)
Value.__truediv__ = binary_operator(Div)
Value.__rtruediv__ = reflected(Value.__truediv__)
Value.__matmul__ = binary_operator(MatMul)
Value.__rmatmul__ = reflected(Value.__matmul__)
Value.__neg__ = unary_operator(Neg)
Value.exp = unary_operator(Exp)
Value.log = unary_operator(Log)
Value.tanh = unary_operator(Tanh)
Value.relu = unary_operator(Relu)
Value.sigmoid = unary_operator(Sigmoid)
Value.abs = Value.__abs__ = unary_operator(Abs)
Value.sqrt = unary_operator(Sqrt)
