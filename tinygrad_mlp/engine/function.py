"""The `Function` base class: an operation's forward beside its backward, its display metadata,
and `apply`, which runs it on Values and makes the result a node (with `new_node`, the one node
constructor). `binary_operator` and `unary_operator` make the operator methods of Value: `apply`
without the generality they do not need, where a scalar graph spends its time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from .data import FLOAT_DTYPES, as_data
from .modes import current_modes
from .node import Unrecorded, check_finite, leaf, new_node, next_index, op_result
from .value import Value

_new = object.__new__

ndarray = np.ndarray

# The ops whose `passes_gradient` (or `product_rule`) is set: the backward pass tests a node's
# op against these sets, which costs a third of reading the class attribute.
PASSES_GRADIENT: set[type] = set()
PRODUCT_RULE: set[type] = set()


class Function:
    """An operation: a forward computation and its gradient rule, side by side.

    Subclass it to add your own operation; built-in operations are defined the same way.

    >>> import numpy as np
    >>> from tinygrad_mlp.ops import exp
    >>> class Softplus(Function):
    ...     @staticmethod
    ...     def forward(x):                    # x: float or array
    ...         return np.logaddexp(0.0, x)
    ...     @staticmethod
    ...     def backward(grad, x, out):        # d/dx softplus(x) = sigmoid(x) = 1 - e^(-out)
    ...         return grad * (1 - exp(-out))      # `exp` from tinygrad_mlp.ops: any type
    >>> y = Softplus.apply(Value(np.zeros(3))).sum()
    >>> round(y.item(), 6), Softplus.symbol            # 3 ln 2
    (2.079442, 'Softplus')

    `forward(*inputs, **params)` gets the inputs' data; keyword `params` (an axis, a shape) are
    passed to both methods and are not differentiated. `backward(grad, *inputs, out, **params)`
    returns the gradient for each input (a tuple; a single gradient for a single input; None for
    an input that needs none). Gradients may keep a broadcast shape: the engine sums them back.
    To support second derivatives (`create_graph=True`), write `backward` with operators and
    Value methods only, since it then receives Values.

    How an op is shown (drawings, reports, the step-through page) is part of its definition:
    `symbol` (`"+"`, `"tanh"`; the class name unless set), `derivative` (a one-line formula
    such as `"d/dx tanh(x) = 1 - tanh(x)²"`, or None) and `describe(params)`.

    An operation whose gradients cost real work may set `skips_unneeded_grads = True`: its
    `backward` then also gets `needs_grad`, one bool per input, in an ordinary backward pass,
    and may return None for an input that needs no gradient. `needs_grad` must default to all
    True. A two-input operation without params whose `backward` returns `(grad, grad)` (a sum)
    may set `passes_gradient = True` in its class body (where the backward pass learns of it):
    an ordinary backward pass then gives both inputs the gradient without calling `backward`
    (nearly half the nodes of a scalar network are sums). One whose `backward` returns
    `(grad * b, grad * a)` (a product) may set `product_rule = True`: the pass then makes those
    two products itself, each only for an input that needs it (`x * 1.001` makes one).
    A subclass inherits neither flag: it is another operation.
    """

    symbol: ClassVar[str] = "Function"
    derivative: ClassVar[str | None] = None
    skips_unneeded_grads: ClassVar[bool] = False
    passes_gradient: ClassVar[bool] = False
    product_rule: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("forward", "backward"):
            if name in cls.__dict__ and not isinstance(cls.__dict__[name], staticmethod):
                raise TypeError(f"{cls.__name__}.{name} must be a @staticmethod")
        if "symbol" not in cls.__dict__:
            cls.symbol = cls.__name__
        if "derivative" not in cls.__dict__:
            cls.derivative = None  # a subclass is another op: its parent's formula may not hold
        for flag, members in (("passes_gradient", PASSES_GRADIENT), ("product_rule", PRODUCT_RULE)):
            if flag not in cls.__dict__:
                setattr(cls, flag, False)  # nor its parent's gradient rule
            if getattr(cls, flag):
                members.add(cls)

    @staticmethod
    def forward(*inputs: Any, **params: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(grad: Any, *inputs_and_out: Any, **params: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def describe(cls, params: dict[str, Any]) -> str:
        """How a node of this op is labelled: its symbol and its params, briefly.

        >>> from tinygrad_mlp.ops import Sum
        >>> Sum.describe({"axis": 0, "keepdims": False})
        'sum axis=0'
        """
        shown = [f"{key}={short_text(value)}" for key, value in params.items() if value is not None]
        return " ".join([cls.symbol, *shown])

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
            out = cls.forward(*[v._data for v in values], **params)
        except (ValueError, TypeError, IndexError) as exc:
            raise forward_error(cls, values, exc) from None
        if out.__class__ is not float:
            out = normalize_output(cls, values, out)
        # {} rather than None tells the backward pass (and compile_step) to pass `needs_grad`;
        # `Value.params` shows {} either way
        return op_result(cls, values, out, params or ({} if cls.skips_unneeded_grads else None))


# `apply` for the operators (`a * b`, `-a`, `a.tanh()`), without the generality they do not
# need: this is where a scalar graph spends its time. Same steps, same node constructor. Each
# factory makes the operator method itself (value.py sets them on Value), so that an operation
# costs one Python call, not a method calling `apply`: a sixth of an operation's cost.


def binary_operator(op: type[Function]) -> Callable[[Any, Any], Value]:
    """The method `a (op) b` for an op without params (+ - * / @) that gives float data from
    float data, if any: `op.apply(a, b)`, faster."""
    skips = op.skips_unneeded_grads  # its nodes get params {}, as `apply` gives them

    def operator(a: Any, b: Any) -> Value:
        if a.__class__ is not Value:
            a = lift(a, b)
        if b.__class__ is not Value:
            b = lift(b, a)
        try:
            out = op.forward(a._data, b._data)
        except (ValueError, TypeError, IndexError) as exc:
            raise forward_error(op, (a, b), exc) from None
        node = _new(Value)
        if out.__class__ is float:
            node.grad = 0.0
        else:
            if not (out.__class__ is ndarray and out.ndim):  # (see `unary_operator`: dtype)
                out = normalize_output(op, (a, b), out)
            node.grad = 0.0 if out.__class__ is float else None
        grad_enabled, anomaly, scope = current_modes()  # `op_result`, for two parents
        if anomaly:
            check_finite(op, "forward", out)
        # The rest of `new_node`'s body, inlined: a Python call per node is about a tenth of a
        # scalar graph's build time (benchmarks/RESULTS.md, scalar rows).
        # tests/engine/test_value.py checks that this fills the same slots as `new_node`.
        node._data = out
        node._index = next_index()
        node._scope = scope
        node._g = None
        if grad_enabled and (a.requires_grad or b.requires_grad):
            node.requires_grad = True
            node._op = op
            node._prev = (a, b)
        else:
            node.requires_grad = False
            node._op = None
            node._prev = ()
            if Unrecorded.hook is not None:
                Unrecorded.hook(node, op, (a, b), None)
        node._params = {} if skips else None
        return node

    return named(operator, op)


def reflected(operator: Callable[[Any, Any], Value]) -> Callable[[Any, Any], Value]:
    """The reflected method of a binary operator: `other (op) self`, as in `2 * x`."""

    def reflected_operator(a: Any, b: Any) -> Value:
        return operator(b, a)

    reflected_operator.__name__ = f"r{operator.__name__}"
    reflected_operator.__qualname__ = f"Value.r{operator.__name__}"
    reflected_operator.__doc__ = operator.__doc__
    return reflected_operator


def unary_operator(op: type[Function]) -> Callable[[Value], Value]:
    """The method `op(a)` for an op without params that computes every gradient, and gives
    float data from float data (`-a`, `a.tanh()`): `op.apply(a)`, faster."""

    def operator(a: Value) -> Value:
        try:
            out = op.forward(a._data)
        except (ValueError, TypeError, IndexError) as exc:
            raise forward_error(op, (a,), exc) from None
        # An array result is kept as it is: these ops, on float32/float64 data (all a Value
        # holds), give float32/float64 arrays, so `normalize_output`'s dtype test is not needed.
        if out.__class__ is not float and not (out.__class__ is ndarray and out.ndim):
            out = normalize_output(op, (a,), out)
        grad_enabled, anomaly, scope = current_modes()  # `op_result`, for one parent
        if anomaly:
            check_finite(op, "forward", out)
        if grad_enabled and a.requires_grad:
            return new_node(out, op, (a,), None, True, scope)
        node = new_node(out, None, (), None, False, scope)
        if Unrecorded.hook is not None:
            Unrecorded.hook(node, op, (a,), None)
        return node

    return named(operator, op)


def named(operator: Any, op: type[Function]) -> Any:
    """`operator`, named and documented after `op` (what `help(Value)` shows)."""
    operator.__name__ = op.__name__.lower()
    operator.__qualname__ = f"Value.{operator.__name__}"
    operator.__doc__ = f"`{op.symbol}`: one {op.__name__} operation, recorded for backward."
    return operator


def normalize_output(op: type, inputs: Sequence[Value], out: Any) -> float | ndarray:
    """Scalars in give a Python float out; anything else a read-only array (never a numpy
    scalar, never a Value)."""
    if out.__class__ is ndarray and out.ndim and out.dtype.char in "fd":  # the usual tensor
        return out
    if out.__class__ is not ndarray or not out.ndim:
        if all(v._data.__class__ is float for v in inputs) and (
            isinstance(out, (float, int, np.floating, np.integer))
            or (out.__class__ is ndarray and out.ndim == 0)
        ):
            return float(out)
        if isinstance(out, Value):
            raise TypeError(f"{op.__name__}.forward must return plain data, not a Value")
        if out.__class__ is not ndarray:
            out = np.asarray(out)
    if out.dtype not in FLOAT_DTYPES:
        dtypes = {v._data.dtype for v in inputs if v._data.__class__ is ndarray}
        out = out.astype(np.float32 if dtypes == {np.dtype(np.float32)} else np.float64)
    return out


def forward_error(op: type, inputs: Sequence[Value], exc: Exception) -> Exception:
    """The forward's own error (same type), restated with the op's name and its inputs' shapes."""
    shapes = ", ".join(describe_value(v) for v in inputs)
    return type(exc)(f"{op.__name__}: cannot apply to {shapes}: {exc}")


def describe_value(v: Value) -> str:
    """`a scalar` or `shape (32, 3) (float64)`: how errors name a Value."""
    if v._data.__class__ is float:
        return "a scalar"
    return f"shape {v._data.shape} ({v._data.dtype})"


def short_text(value: Any, limit: int = 24) -> str:
    """A param as a node label shows it: arrays by dtype and shape, never a numpy repr."""
    if isinstance(value, ndarray):
        text = f"{value.dtype}{list(value.shape)}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------------
# Constants

# Scalar code is full of small number constants (`1 - x`, `y * 2`); sharing one constant node
# per number saves an allocation per operation. Constants never get a gradient, so sharing them
# between graphs is safe. Zero is left out (0.0 == -0.0 would merge the signs), nan never matches.
_SHARED_CONSTANTS: dict[float, Value] = {}
_MAX_SHARED_CONSTANTS = 4096


def constant(data: float | ndarray) -> Value:
    """A constant node holding `data` (already what a Value holds), in the current scope."""
    return leaf(data)


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
                # shared between graphs: in no module call
                node = _SHARED_CONSTANTS[x] = new_node(x, None, (), None, False, None)
            else:
                node = constant(x)
        return node
    if like is not None and like._data.__class__ is ndarray and isinstance(x, (ndarray, list)):
        try:
            return constant(as_data(x, like._data.dtype))
        except TypeError:
            pass  # fall through for the error message naming the input
    return constant(as_data(x))


def is_shared_constant(v: Value) -> bool:
    """One of the number constants shared between all graphs (the `2` in `x * 2`)."""
    return v._data.__class__ is float and _SHARED_CONSTANTS.get(v._data) is v
