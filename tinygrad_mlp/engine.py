"""The engine: `Value`, the graph it records, and reverse-mode differentiation over that graph.

A `Value` holds data (a Python float for a scalar, a numpy array for a tensor) and remembers the
operation that made it and the Values it came from. `backward()` walks that graph from the output
back to the leaves and applies each operation's gradient rule (its `backward`, defined in `ops.py`
right beside its `forward`), so that every Value ends up knowing d(output)/d(itself) in `.grad`.

Two promises shape the code below:

* Speed on scalars. A node is an object with `__slots__` and a tuple of parents, with no closure
  (a closure that refers to its own node is a reference cycle, freed only by the cyclic garbage
  collector). Python floats are never turned into numpy scalars.
* Any depth. The graph walk is iterative, so a chain of a million operations backpropagates
  without `RecursionError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import Any

import numpy as np

ndarray = np.ndarray

# ----------------------------------------------------------------------------------------------
# Global modes. Module-level booleans rather than objects: they are read once per recorded node.

_grad_enabled = True  # False inside `no_grad()`: operations record nothing
_anomaly = False  # True inside `detect_anomaly()`: every forward and backward result is checked
_scope: Scope | None = None  # innermost module call in progress, recorded on each node (boxes)

# Creation order is a topological order (a node is always made after its inputs), so a counter
# stamped on each node lets backward sort the nodes it reaches instead of doing a recursive DFS.
_next_index = itertools.count().__next__
_by_index = attrgetter("_index")
_new = object.__new__  # a node without running Value.__init__'s input checks

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def is_grad_enabled() -> bool:
    """True unless inside `no_grad()`."""
    return _grad_enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Record nothing inside this block: results are constants with no history.

    >>> with no_grad():
    ...     y = Value(2.0) * 3          # y.requires_grad is False
    """
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record operations again, even inside an enclosing `no_grad()`."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, True
    try:
        yield
    finally:
        _grad_enabled = previous


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `FloatingPointError` at the first operation whose forward or backward gives nan/inf.

    Off by default because it checks every result. The error names the operation, so a nan that
    would otherwise surface ten layers later is pinned to the op that made it.
    """
    global _anomaly
    previous, _anomaly = _anomaly, True
    try:
        yield
    finally:
        _anomaly = previous


class Scope:
    """One call of a module in progress: the nodes it creates are drawn in a box named after it.

    `module` is whatever opened the scope (a `Module` from nn.py, or any object), `parent` the
    scope that was open when this one started, so nested calls rebuild as nested boxes.
    """

    __slots__ = ("module", "name", "parent")

    def __init__(self, module: Any, name: str | None, parent: Scope | None) -> None:
        self.module = module
        self.name = name
        self.parent = parent

    def __repr__(self) -> str:
        return f"Scope({self.name or type(self.module).__name__})"


class module_scope:  # lower case: used like the function-style context managers above
    """Tag every node created inside this block with a new `Scope` (drawn as a labelled box).

    >>> with module_scope(model, "layers.0") as scope:
    ...     y = x @ W           # y._scope is scope

    Scopes nest: each node records the innermost one, and each scope its parent. A class rather
    than a `@contextmanager` generator: every module call opens one, and this is 3x cheaper.
    """

    __slots__ = ("module", "name", "previous")

    def __init__(self, module: Any, name: str | None = None) -> None:
        self.module = module
        self.name = name

    def __enter__(self) -> Scope:
        global _scope
        self.previous = _scope
        _scope = Scope(self.module, self.name, _scope)
        return _scope

    def __exit__(self, *exc: object) -> None:
        global _scope
        _scope = self.previous


def current_scope() -> Scope | None:
    """The innermost `module_scope` in progress, or None."""
    return _scope


# ----------------------------------------------------------------------------------------------
# Turning user input into node data


def as_data(x: Any, dtype: Any = None) -> float | ndarray:
    """Convert user input into what a Value holds: a Python float or a float32/float64 array.

    Integers and booleans become floats (float64 unless `dtype` says otherwise). Complex
    numbers, strings and other objects are refused with a `TypeError` that names the type.
    """
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in _FLOAT_DTYPES:
            raise TypeError(f"Value dtype must be float32 or float64, got {dtype}")
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
        dtype = arr.dtype if arr.dtype in _FLOAT_DTYPES else np.dtype(np.float64)
    return arr.astype(dtype, copy=False)


# ----------------------------------------------------------------------------------------------
# The node


class Value:
    """A number or an array that remembers how it was computed, so its gradient can be found.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = (a * b + b ** 2).tanh()
    >>> c.backward()
    >>> a.grad, b.grad      # dc/da, dc/db (floats)

    `data` is a Python float for a scalar and a numpy array (float64, or float32 if given one)
    for a tensor; integer input is converted to float64. After `backward()`, `grad` holds the
    derivative of the output with respect to this Value: a float (0.0 before) for scalars and an
    array of the same shape (None before) for tensors. Gradients accumulate over calls, as in
    PyTorch: call `zero_grad()` (or an optimizer's) between steps.
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "label",
        "_op",
        "_prev",
        "_params",
        "_index",
        "_scope",
        "__weakref__",
    )

    # numpy must hand `ndarray (op) Value` to Value's reflected operators instead of looping
    # over the array and building an array of Values.
    __array_ufunc__ = None

    def __init__(
        self,
        data: Any,
        requires_grad: bool = True,
        label: str | None = None,
        dtype: Any = None,
    ) -> None:
        self.data = as_data(data, dtype)
        self.grad = 0.0 if self.data.__class__ is float else None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._op = None
        self._prev = ()
        self._params = None
        self._index = _next_index()
        self._scope = _scope

    # -- what it looks like ------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return () if self.data.__class__ is float else self.data.shape

    @property
    def ndim(self) -> int:
        return 0 if self.data.__class__ is float else self.data.ndim

    @property
    def size(self) -> int:
        return 1 if self.data.__class__ is float else self.data.size

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64) if self.data.__class__ is float else self.data.dtype

    @property
    def is_scalar(self) -> bool:
        """True when `data` is a Python float (not a 0-d or 1-element array)."""
        return self.data.__class__ is float

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
    def is_leaf(self) -> bool:
        return self._op is None

    def __len__(self) -> int:
        if self.data.__class__ is float or self.data.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return len(self.data)

    def item(self) -> float:
        """The data of a single-element Value as a Python float."""
        if self.data.__class__ is float:
            return self.data
        if self.data.size != 1:
            raise ValueError(f"item() needs a single element, this Value has shape {self.shape}")
        return float(self.data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def numpy(self) -> ndarray:
        """The data as a numpy array (a 0-d array for a scalar)."""
        return np.asarray(self.data)

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        if self.data.__class__ is float:
            return f"Value(data={self.data:.6g}, grad={self.grad!r}{name})"
        preview = np.array2string(
            self.data, precision=4, threshold=6, edgeitems=2, max_line_width=60
        ).replace("\n", "")
        grad = "None" if self.grad is None else type(self.grad).__name__
        return (
            f"Value(shape={self.data.shape}, dtype={self.data.dtype}, data={preview}, "
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
        seed = _seed_gradient(self, grad)
        backpropagate(self, seed, create_graph)

    def zero_grad(self) -> None:
        """Reset this Value's gradient (0.0 for a scalar, None for a tensor)."""
        self.grad = 0.0 if self.data.__class__ is float else None

    def detach(self) -> Value:
        """A constant with the same data (shared, not copied) and no history."""
        return _constant(self.data)

    def requires_grad_(self, flag: bool = True) -> Value:
        """Set `requires_grad` in place (leaves only) and return self."""
        if self._op is not None and not flag:
            raise ValueError("requires_grad can only be turned off on a leaf; use detach()")
        self.requires_grad = flag
        return self

    # -- operators (each is one call into ops.py) ---------------------------------------------

    def __add__(self, other: Any) -> Value:
        return binary(Add, self, other)

    def __radd__(self, other: Any) -> Value:
        return binary(Add, other, self)

    def __sub__(self, other: Any) -> Value:
        return binary(Sub, self, other)

    def __rsub__(self, other: Any) -> Value:
        return binary(Sub, other, self)

    def __mul__(self, other: Any) -> Value:
        return binary(Mul, self, other)

    def __rmul__(self, other: Any) -> Value:
        return binary(Mul, other, self)

    def __truediv__(self, other: Any) -> Value:
        return binary(Div, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return binary(Div, other, self)

    def __pow__(self, exponent: Any) -> Value:
        if isinstance(exponent, Value):
            return binary(Pow, self, exponent)
        if isinstance(exponent, (int, float, np.integer, np.floating)) and not isinstance(
            exponent, bool
        ):
            return PowConst.apply(self, exponent=float(exponent))
        if isinstance(exponent, ndarray):
            return binary(Pow, self, exponent)
        raise TypeError(f"exponent must be a number, an array or a Value, got {type(exponent)}")

    def __rpow__(self, base: Any) -> Value:
        return binary(Pow, base, self)

    def __neg__(self) -> Value:
        return unary(Neg, self)

    def __matmul__(self, other: Any) -> Value:
        return MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> Value:
        return MatMul.apply(other, self)

    def __getitem__(self, index: Any) -> Value:
        return GetItem.apply(self, index=index)

    # -- elementwise functions --------------------------------------------------------------

    def exp(self) -> Value:
        return unary(Exp, self)

    def log(self) -> Value:
        return unary(Log, self)

    def tanh(self) -> Value:
        return unary(Tanh, self)

    def relu(self) -> Value:
        return unary(Relu, self)

    def sigmoid(self) -> Value:
        return unary(Sigmoid, self)

    def abs(self) -> Value:
        return unary(Abs, self)

    def sqrt(self) -> Value:
        return unary(Sqrt, self)

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


# ----------------------------------------------------------------------------------------------
# Making nodes. `record` is the one place a node is created; `unary` and `binary` are its fast
# paths for the operators, `Function.apply` (ops.py) the general one.


def _constant(data: float | ndarray, shared: bool = False) -> Value:
    """A constant node, in the current module scope unless it is `shared` between graphs."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0 if data.__class__ is float else None
    node.requires_grad = False
    node.label = None
    node._op = None
    node._prev = ()
    node._params = None
    node._index = _next_index()
    node._scope = None if shared else _scope
    return node


# Scalar code is full of small number constants (`1 - x`, `y * 2`); sharing one constant node
# per number saves an allocation per operation. Constants never get a gradient, so sharing them
# between graphs is safe. Zero is left out (0.0 == -0.0 would merge the signs), nan never matches.
_SHARED_CONSTANTS: dict[float, Value] = {}
_MAX_SHARED_CONSTANTS = 4096


def lift(x: Any, like: Value | None = None) -> Value:
    """Make `x` (a number or array) a constant Value; arrays take the dtype of `like`'s data."""
    if x.__class__ is Value:
        return x
    if x.__class__ is int:
        x = float(x)
    if x.__class__ is float:
        node = _SHARED_CONSTANTS.get(x)
        if node is None:
            if x != 0.0 and len(_SHARED_CONSTANTS) < _MAX_SHARED_CONSTANTS:
                node = _SHARED_CONSTANTS[x] = _constant(x, shared=True)
            else:
                node = _constant(x)
        return node
    if like is not None and like.data.__class__ is ndarray and isinstance(x, (ndarray, list)):
        try:
            return _constant(as_data(x, like.data.dtype))
        except TypeError:
            pass  # fall through for the error message naming the input
    return _constant(as_data(x))


def record(op: type, inputs: tuple[Value, ...], out: Any, params: dict | None) -> Value:
    """Wrap the result of `op.forward` in a node that remembers `op` and its inputs."""
    if out.__class__ is not float:
        out = _normalize_output(op, inputs, out)
    if _anomaly:
        _check_finite(op, "forward", out)
    node = _new(Value)
    node.data = out
    node.grad = 0.0 if out.__class__ is float else None
    node.label = None
    node._index = _next_index()
    node._scope = _scope
    if _grad_enabled:
        for v in inputs:
            if v.requires_grad:
                node.requires_grad = True
                node._op = op
                node._prev = inputs
                node._params = params
                return node
    node.requires_grad = False
    node._op = None
    node._prev = ()
    node._params = None
    return node


def unary(op: type, a: Value) -> Value:
    return record(op, (a,), op.forward(a.data), None)


def binary(op: type, a: Any, b: Any) -> Value:
    """`record` for the operators, inlined: this is where a scalar graph spends its time."""
    if a.__class__ is not Value:
        a = lift(a, b)
    if b.__class__ is not Value:
        b = lift(b, a)
    try:
        out = op.forward(a.data, b.data)
    except (ValueError, TypeError) as exc:
        raise _forward_error(op, (a, b), exc) from None
    node = _new(Value)
    if out.__class__ is float:
        node.grad = 0.0
    else:
        out = _normalize_output(op, (a, b), out)
        node.grad = 0.0 if out.__class__ is float else None
    if _anomaly:
        _check_finite(op, "forward", out)
    node.data = out
    node.label = None
    node._params = None
    node._index = _next_index()
    node._scope = _scope
    if _grad_enabled and (a.requires_grad or b.requires_grad):
        node.requires_grad = True
        node._op = op
        node._prev = (a, b)
    else:
        node.requires_grad = False
        node._op = None
        node._prev = ()
    return node


def _normalize_output(op: type, inputs: tuple[Value, ...], out: Any) -> float | ndarray:
    """Scalars in give a Python float out; anything else gives an ndarray (never a numpy scalar)."""
    if out.__class__ is ndarray and out.ndim:  # the usual tensor result, as it is
        return out
    if all(v.data.__class__ is float for v in inputs):
        if isinstance(out, (float, int, np.floating, np.integer)):
            return float(out)
        if isinstance(out, ndarray) and out.ndim == 0:
            return float(out)
    if out.__class__ is ndarray:
        return out
    if isinstance(out, Value):
        raise TypeError(f"{op.__name__}.forward must return plain data, not a Value")
    arr = np.asarray(out)
    if arr.dtype not in _FLOAT_DTYPES:
        dtypes = {v.data.dtype for v in inputs if v.data.__class__ is ndarray}
        arr = arr.astype(np.float32 if dtypes == {np.dtype(np.float32)} else np.float64)
    return arr


def _forward_error(op: type, inputs: Sequence[Value], exc: Exception) -> Exception:
    """The forward's own error (same type), restated with the op's name and its inputs' shapes."""
    shapes = ", ".join(_describe(v) for v in inputs)
    return type(exc)(f"{op.__name__}: cannot apply to {shapes}: {exc}")


def _describe(v: Value) -> str:
    if v.data.__class__ is float:
        return "a scalar"
    return f"shape {v.data.shape} ({v.data.dtype})"


def _check_finite(op: type, phase: str, out: Any) -> None:
    if out is None:
        return
    data = out.data if isinstance(out, Value) else out
    if not np.all(np.isfinite(data)):
        raise FloatingPointError(f"detect_anomaly: {op.__name__}.{phase} produced nan or inf")


# ----------------------------------------------------------------------------------------------
# The backward pass


def _seed_gradient(out: Value, grad: Any) -> Any:
    """The gradient to start from: 1 for a single-element output, else the caller's `grad=`."""
    if grad is None:
        if out.data.__class__ is float:
            return 1.0
        if out.data.size != 1:
            raise ValueError(
                f"backward() needs a single-element output or a grad= of its shape; this "
                f"Value has shape {out.data.shape}. Reduce it first (e.g. .sum() or .mean())."
            )
        return np.array(1, dtype=out.data.dtype).reshape(out.data.shape)
    if isinstance(grad, Value):
        if grad.shape != out.shape:
            raise ValueError(
                f"backward(grad=...) has shape {grad.shape}, the output has {out.shape}"
            )
        return grad
    if out.data.__class__ is float:
        g = np.asarray(grad, dtype=np.float64)
        if g.size != 1:
            raise ValueError(f"backward(grad=...) has shape {g.shape}, the output is a scalar")
        return float(g.reshape(()))
    g = as_data(grad, out.data.dtype)
    g = np.asarray(g, dtype=out.data.dtype)
    if g.shape != out.data.shape:
        raise ValueError(
            f"backward(grad=...) has shape {g.shape}, the output has shape {out.data.shape}"
        )
    return g


def _graph_order(root: Value) -> list[Value]:
    """Every recorded node that `root` depends on, outputs before inputs. Leaves excluded.

    An explicit stack, not recursion (micrograd's recursive sort fails past ~1,000 levels), and
    reverse creation order instead of a post-order walk: inputs are always created first, and
    sorting by creation index (in C; linear time on a chain, whose nodes come out in order) is
    cheaper than a post-order walk in Python.
    Each node's gradient is reset here, so backward twice on one graph does not double count.
    """
    if root._op is None:
        return []
    seen = {root}
    stack = [root]
    order = [root]
    pop, push, add, keep = stack.pop, stack.append, seen.add, order.append
    while stack:
        for parent in pop()._prev:
            if parent._op is not None and parent not in seen:
                add(parent)
                push(parent)
                keep(parent)
                parent.grad = 0.0 if parent.data.__class__ is float else None
    order.sort(key=_by_index, reverse=True)
    return order


def backpropagate(root: Value, seed: Any, create_graph: bool = False) -> None:
    """Propagate `seed` = d(final)/d(root) from `root` to every Value it depends on."""
    order = _graph_order(root)
    if root._op is None:  # backward on a leaf: its own gradient is the seed
        if not root.requires_grad:
            raise ValueError(
                "backward() on a Value that does not require gradients: it is a constant, "
                "or was computed under no_grad() or from constants only"
            )
        _accumulate(root, seed)
        return
    root.grad = seed
    if create_graph:
        with enable_grad():
            _run_recorded(order)
        return
    anomaly = _anomaly
    # Fast paths for the one- and two-input ops without params (nearly every node of a scalar
    # graph): a float gradient is added to a float .grad right here; anything else (arrays,
    # broadcasting, a Value left by create_graph) goes through `_accumulate`.
    for node in order:
        g = node.grad
        if g is None:  # no gradient reached this node (an op returned None for it)
            continue
        parents = node._prev
        if node._params is None and len(parents) == 2:
            a, b = parents
            try:
                ga, gb = node._op.backward(g, a.data, b.data, node.data)
            except ArithmeticError:  # Python floats raise where numpy gives inf/nan
                ga, gb = _backward_like_numpy(node._op, g, (a.data, b.data), node.data)
            if anomaly:
                _check_finite(node._op, "backward", ga)
                _check_finite(node._op, "backward", gb)
            if a.requires_grad:
                if ga.__class__ is float and a.grad.__class__ is float:
                    a.grad += ga
                elif ga is not None:
                    _accumulate(a, ga)
            if b.requires_grad:
                if gb.__class__ is float and b.grad.__class__ is float:
                    b.grad += gb
                elif gb is not None:
                    _accumulate(b, gb)
        elif node._params is None and len(parents) == 1:
            a = parents[0]
            try:
                ga = node._op.backward(g, a.data, node.data)
            except ArithmeticError:
                ga = _backward_like_numpy(node._op, g, (a.data,), node.data)
            if ga.__class__ is tuple:
                ga = ga[0]
            if anomaly:
                _check_finite(node._op, "backward", ga)
            if a.requires_grad:
                if ga.__class__ is float and a.grad.__class__ is float:
                    a.grad += ga
                elif ga is not None:
                    _accumulate(a, ga)
        else:
            op = node._op
            params = node._params
            if op.skips_unneeded_grads:
                params = {**params, "needs_grad": tuple(p.requires_grad for p in parents)}
            grads = _call_backward(op, g, [p.data for p in parents], node.data, params)
            for parent, gp in zip(parents, grads):
                if anomaly:
                    _check_finite(op, "backward", gp)
                if parent.requires_grad and gp is not None:
                    _accumulate(parent, gp)


def _backward_like_numpy(op: type, g: Any, inputs: tuple, out: Any) -> tuple[Any, ...]:
    """Redo a scalar backward in numpy float64, so 1/0 is inf with a warning, not an exception."""
    f64 = np.float64
    grads = op.backward(f64(g), *[f64(x) for x in inputs], f64(out))
    if grads.__class__ is not tuple:
        grads = (grads,)
    return tuple(None if x is None else float(x) for x in grads)


def _run_recorded(order: list[Value]) -> None:
    """The backward pass with Values in place of data, so that it is recorded as a graph."""
    for node in order:
        g = node.grad
        if g is None:
            continue
        if not isinstance(g, Value):
            g = node.grad = _constant(g)
        parents = node._prev
        try:
            grads = _call_backward(node._op, g, list(parents), node, node._params)
        except TypeError as exc:
            if "does not support ufuncs" in str(exc) or "Value" in str(exc):
                raise TypeError(
                    f"{node._op.__name__}.backward cannot be differentiated again: with "
                    f"create_graph=True it receives Values, so it must use Value operations "
                    f"(not numpy functions). Original error: {exc}"
                ) from None
            raise
        for parent, gp in zip(parents, grads):
            if _anomaly:
                _check_finite(node._op, "backward", gp)
            if parent.requires_grad and gp is not None:
                _accumulate(parent, lift(gp, g) if not isinstance(gp, Value) else gp)


def _call_backward(
    op: type, g: Any, inputs: list[Any], out: Any, params: dict | None
) -> tuple[Any, ...]:
    grads = op.backward(g, *inputs, out, **params) if params else op.backward(g, *inputs, out)
    if len(inputs) == 1 and grads.__class__ is not tuple:
        grads = (grads,)
    if len(grads) != len(inputs):
        raise ValueError(
            f"{op.__name__}.backward returned {len(grads)} gradients for {len(inputs)} inputs"
        )
    return grads


def _accumulate(v: Value, g: Any) -> None:
    """Add gradient `g` into `v.grad`, summing away any broadcasting the forward pass did."""
    data = v.data
    if g.__class__ is ndarray and data.__class__ is ndarray:  # the usual tensor case, first
        if g.shape == data.shape and g.dtype == data.dtype:
            _add_array_grad(v, g)
            return
    target_shape = v.shape
    if isinstance(g, Value):
        if g.shape != target_shape:
            g = unbroadcast(g, target_shape)
        cur = v.grad
        v.grad = g if cur is None or (cur.__class__ is float and cur == 0.0) else cur + g
        return
    if g.__class__ is float:
        if v.data.__class__ is float:
            v.grad += g
            return
        g = np.full(target_shape, g, dtype=v.data.dtype)
    elif not isinstance(g, ndarray):
        g = np.asarray(g, dtype=v.dtype)
    if g.shape != target_shape:
        g = unbroadcast(g, target_shape)
    if v.data.__class__ is float:
        if isinstance(v.grad, Value):
            v.grad = v.grad + float(g)
        else:
            v.grad += float(g)
        return
    if g.dtype != v.data.dtype:
        g = g.astype(v.data.dtype)
    _add_array_grad(v, g)


def _add_array_grad(v: Value, g: ndarray) -> None:
    """v.grad += g for a tensor, as a new array (v.grad may be shared with another node)."""
    cur = v.grad
    total = g if cur is None else cur + g
    # numpy turns 0-d results (sums, 0-d + 0-d) into numpy scalars; a tensor's grad is an array
    v.grad = total if total.__class__ is ndarray else np.asarray(total)


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum `g` (an array or a Value) down to `shape`, undoing numpy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of length 1, so its
    gradient is the sum over those axes. Every op relies on this one function instead of
    handling broadcasting itself.
    """
    if g.shape == shape:
        return g
    extra = len(g.shape) - len(shape)
    if extra < 0:
        raise ValueError(f"gradient of shape {g.shape} cannot be summed to shape {shape}")
    # np.add.reduce on arrays: the ufunc itself, without ndarray.sum's Python wrapper
    total = np.add.reduce if g.__class__ is ndarray else _value_sum
    if extra:
        g = total(g, axis=tuple(range(extra)))
    if 1 in shape:
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if axes:
            g = total(g, axis=axes, keepdims=True)
    if g.shape != shape:
        raise ValueError(f"gradient of shape {g.shape} does not match its input's shape {shape}")
    return g


def _value_sum(v: Value, axis: tuple[int, ...], keepdims: bool = False) -> Value:
    return v.sum(axis=axis, keepdims=keepdims)


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    grad_output: Any = None,
    create_graph: bool = False,
) -> Any:
    """d(output)/d(input) for each input, returned instead of stored in `.grad`.

    >>> x = Value(3.0)
    >>> (dx,) = grad(x ** 3, [x], create_graph=True)    # 3x^2 = 27, as a Value
    >>> (ddx,) = grad(dx, [x])                          # 6x = 18

    Returns a tuple (or a single gradient when `inputs` is one Value). An input that `output`
    does not depend on gets a zero gradient. No `.grad` anywhere is changed.
    """
    single = isinstance(inputs, Value)
    wanted = [inputs] if single else list(inputs)
    for i, v in enumerate(wanted):
        if not isinstance(v, Value):
            raise TypeError(f"grad(): inputs[{i}] is {type(v).__name__}, not a Value")
    seed = _seed_gradient(output, grad_output)
    # Run an ordinary backward pass, but save and restore every .grad it could touch.
    touched = {id(v): v for v in _graph_order(output)}
    for node in list(touched.values()):
        for p in node._prev:
            touched.setdefault(id(p), p)
    for v in wanted:
        touched.setdefault(id(v), v)
    touched.setdefault(id(output), output)
    saved = [(v, v.grad) for v in touched.values()]
    try:
        for v, _ in saved:
            v.grad = 0.0 if v.data.__class__ is float else None
        backpropagate(output, seed, create_graph)
        results = []
        for v in wanted:
            g = v.grad
            if g is None:
                g = np.zeros_like(v.data)
            if create_graph and not isinstance(g, Value):
                g = _constant(g)
            results.append(g)
    finally:
        for v, g in saved:
            v.grad = g
    return results[0] if single else tuple(results)


def concat(values: Sequence[Any], axis: int = 0) -> Value:
    """Join tensors along an existing axis, like `np.concatenate`."""
    return Concat.apply(*values, axis=axis)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Join tensors (or scalars) along a new axis, like `np.stack`."""
    return Stack.apply(*values, axis=axis)


# ops.py builds on Value and the node-making functions above, and Value's operators dispatch to
# the ops it defines; importing it last lets both refer to each other without a cycle at import.
from .ops import (  # noqa: E402
    Abs,
    Add,
    Concat,
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
    Stack,
    Sub,
    Sum,
    Tanh,
    Transpose,
)
