"""Hypothesis strategies for gradient tests: shapes, arrays, Values, op inputs, expressions, MLPs.

>>> from hypothesis import given, settings
>>> from tinygrad_mlp import gradcheck
>>> from tinygrad_mlp.testing import strategies as tst
>>> @settings(max_examples=10, deadline=None)
... @given(tst.values(shape=tst.shapes(max_dims=3)))
... def test_tanh_gradient(x):
...     assert gradcheck(lambda v: v.tanh().sum(), [x])
>>> test_tanh_gradient()          # pytest would call it; here it runs on 10 examples

Every strategy keeps numbers finite and small (within a `Domain`, [-3, 3] by default), so that an
op does not overflow and finite differences stay accurate; a `Domain` can also keep numbers away
from an op's kinks and domain edges (`DOMAINS` holds those of the built-in ops). This module
imports hypothesis; `import tinygrad_mlp` does not.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..engine import Value
from ..nn import ACTIVATIONS
from .domains import DEFAULT_DOMAIN, DOMAINS, Domain
from .expressions import OPS, Bounds, Expression, Step, try_step

__all__ = [
    "DOMAINS",
    "Architecture",
    "Domain",
    "arrays",
    "broadcastable_shapes",
    "elements",
    "expressions",
    "inputs",
    "inputs_for",
    "mlp_architectures",
    "scalars",
    "shapes",
    "values",
]

Shape = tuple[int, ...]
SearchStrategy = st.SearchStrategy


@functools.cache
def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> SearchStrategy[Shape]:
    """Array shapes: `shapes(max_dims=2)` draws (), (3,), (2, 4), ..."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


@functools.cache
def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3
) -> SearchStrategy[tuple[Shape, ...]]:
    """Tuples of shapes that broadcast together: `broadcastable_shapes(2)` draws ((2, 1), (3,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda drawn: drawn.input_shapes)


# Strategies are built once per set of arguments and reused: hypothesis validates every new
# strategy object, which costs more than drawing from it, and a flatmap over shapes would
# otherwise build new ones for every example.


@functools.cache
def elements(domain: Domain = DEFAULT_DOMAIN) -> SearchStrategy[float]:
    """Finite floats in a domain: `elements(Domain(0.1, 5.0))` draws 0.1, 2.75, 5.0, ..."""
    floats = st.floats(domain.low, domain.high, allow_nan=False, allow_infinity=False)
    return floats.map(domain.push) if domain.avoid else floats


def _distinct(shape: Shape, domain: Domain) -> SearchStrategy[np.ndarray]:
    """Every element different: a shuffled, evenly spaced grid across the domain."""
    n = math.prod(shape)
    spacing = (domain.high - domain.low) / n

    def grid(order: list[int], offset: float) -> np.ndarray:
        values = [domain.push(domain.low + spacing * (k + offset)) for k in order]
        return np.array(values, dtype=np.float64).reshape(shape)

    return st.builds(grid, st.permutations(range(n)), st.floats(0.1, 0.9))


def _hashable(shape: Shape | SearchStrategy[Shape] | None) -> Shape | SearchStrategy[Shape] | None:
    return shape if shape is None or isinstance(shape, SearchStrategy) else tuple(shape)


def arrays(
    shape: Shape | SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    domain: Domain = DEFAULT_DOMAIN,
) -> SearchStrategy[np.ndarray]:
    """Finite arrays of a dtype, their shape given or drawn (by default by `shapes()`), their
    elements in `domain`.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, deadline=None)
    ... @given(arrays((3, 2)), arrays(shapes(max_dims=2), np.float32, Domain(0.1, 5.0)))
    ... def test_drawn(a, b):
    ...     assert a.shape == (3, 2) and a.dtype == np.float64 and np.all(abs(a) <= 3)
    ...     assert b.ndim <= 2 and b.dtype == np.float32 and np.all((0.1 <= b) & (b <= 5))
    >>> test_drawn()
    """
    return _arrays(_hashable(shape), np.dtype(dtype), domain)


@functools.cache
def _arrays(
    shape: Shape | SearchStrategy[Shape] | None, dtype: np.dtype, domain: Domain
) -> SearchStrategy[np.ndarray]:
    if shape is None or isinstance(shape, SearchStrategy):
        drawn_shapes = shapes() if shape is None else shape
        return drawn_shapes.flatmap(lambda s: _arrays(tuple(s), dtype, domain))
    if domain.distinct and shape:
        drawn = _distinct(shape, domain)
    else:
        drawn = hnp.arrays(np.float64, shape, elements=elements(domain))
    return drawn.map(lambda a: a.astype(dtype))  # drawn in float64, then rounded


def values(
    shape: Shape | SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    domain: Domain = DEFAULT_DOMAIN,
    requires_grad: bool = True,
) -> SearchStrategy[Value]:
    """Tensor Values holding `arrays(shape, dtype, domain)`.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, deadline=None)
    ... @given(values(shape=shapes(max_dims=3)))
    ... def test_gradient_of_a_sum_is_ones(x):
    ...     x.sum().backward()
    ...     assert np.all(x.grad == 1.0)
    >>> test_gradient_of_a_sum_is_ones()
    """
    return _values(_hashable(shape), np.dtype(dtype), domain, requires_grad)


@functools.cache
def _values(
    shape: Shape | SearchStrategy[Shape] | None,
    dtype: np.dtype,
    domain: Domain,
    requires_grad: bool,
) -> SearchStrategy[Value]:
    return _arrays(shape, dtype, domain).map(lambda a: Value(a, requires_grad=requires_grad))


@functools.cache
def scalars(domain: Domain = DEFAULT_DOMAIN, requires_grad: bool = True) -> SearchStrategy[Value]:
    """Scalar Values (holding a Python float) in `domain`: `scalars(Domain(0.1, 5.0))`."""
    return elements(domain).map(lambda x: Value(float(x), requires_grad=requires_grad))


def inputs(
    domains: Sequence[Domain],
    input_shapes: SearchStrategy[tuple[Shape, ...]] | None = None,
    dtype: Any = np.float64,
) -> SearchStrategy[tuple[np.ndarray, ...]]:
    """A tuple of arrays, one per domain, of shapes drawn by `input_shapes`.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, deadline=None)
    ... @given(inputs((Domain(), Domain(avoid=(0.0,), margin=0.5))))   # a, b for a / b
    ... def test_quotient(ab):
    ...     a, b = ab
    ...     assert np.all(abs(b) >= 0.5) and np.isfinite(a / b).all()
    >>> test_quotient()

    `input_shapes` draws a tuple of shapes, one per domain: by default `shapes()` for one input
    and `broadcastable_shapes` for more.
    """
    return _inputs(tuple(domains), input_shapes, np.dtype(dtype))


@functools.cache
def _inputs(
    domains: tuple[Domain, ...],
    input_shapes: SearchStrategy[tuple[Shape, ...]] | None,
    dtype: np.dtype,
) -> SearchStrategy[tuple[np.ndarray, ...]]:
    if input_shapes is None:
        if len(domains) == 1:
            input_shapes = shapes().map(lambda s: (s,))
        else:
            input_shapes = broadcastable_shapes(len(domains))

    def draw_arrays(drawn: tuple[Shape, ...]) -> SearchStrategy[tuple[np.ndarray, ...]]:
        if len(drawn) != len(domains):
            raise ValueError(f"inputs: {len(drawn)} shapes drawn for {len(domains)} domains")
        return _tuple_of_arrays(tuple(drawn), dtype, domains)

    return input_shapes.flatmap(draw_arrays)


@functools.cache
def _tuple_of_arrays(
    shapes: tuple[Shape, ...], dtype: np.dtype, domains: tuple[Domain, ...]
) -> SearchStrategy[tuple[np.ndarray, ...]]:
    return st.tuples(*[_arrays(s, dtype, d) for s, d in zip(shapes, domains)])


def inputs_for(
    op: type,
    input_shapes: SearchStrategy[tuple[Shape, ...]] | None = None,
    dtype: Any = np.float64,
) -> SearchStrategy[tuple[np.ndarray, ...]]:
    """Arrays for each input of `op`, inside its domain from `DOMAINS`: `inputs_for(Log)`.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from tinygrad_mlp import Function, gradcheck
    >>> from tinygrad_mlp.ops import exp
    >>> class Softplus(Function):
    ...     @staticmethod
    ...     def forward(x):
    ...         return np.logaddexp(0.0, x)
    ...     @staticmethod
    ...     def backward(g, x, out):  # d/dx softplus(x) = sigmoid(x) = 1 - e^(-out)
    ...         return g * (1 - exp(-out))
    >>> DOMAINS[Softplus] = (Domain(-5.0, 5.0),)    # register your own op's domain
    >>> @settings(max_examples=10, deadline=None)
    ... @given(inputs_for(Softplus))
    ... def test_softplus(drawn):
    ...     (x,) = drawn                              # one array per input of the op
    ...     assert np.all(abs(x) <= 5) and gradcheck(lambda v: Softplus.apply(v).sum(), [x])
    >>> test_softplus()
    >>> del DOMAINS[Softplus]
    """
    return inputs(DOMAINS.get(op, (Domain(),)), input_shapes, dtype)


# ----------------------------------------------------------------------------------------------
# Random expression graphs

_INPUT_DOMAINS = (Domain(-2.0, 2.0), Domain(0.5, 2.0))  # any sign, or positive (for log, sqrt)


@st.composite
def expressions(
    draw: Any,
    max_ops: int = 30,
    min_ops: int = 1,
    max_inputs: int = 3,
    kinks: bool = False,
    elementwise: bool = False,
    scalar: bool = False,
    max_side: int = 3,
    input_shapes: Sequence[Shape] | None = None,
    input_domains: Sequence[Domain] | None = None,
) -> Expression:
    """Random graphs of library ops, with input data drawn to go with them.

    >>> from hypothesis import given, settings
    >>> from tinygrad_mlp import gradcheck
    >>> @settings(max_examples=5, deadline=None)
    ... @given(expressions(max_ops=10))
    ... def test_any_graph(expr):
    ...     assert gradcheck(expr, list(expr.inputs))
    >>> test_any_graph()

    Each step applies one op (arithmetic, elementwise functions, reductions, softmax, reshapes,
    indexing, matmul) to the latest result and, for a binary op, to any earlier one of a
    broadcast-compatible shape; every result stays within [-50, 50] and inside each op's domain
    (see `tinygrad_mlp.testing.expressions`). `kinks=True` allows relu, abs and max, which are
    not differentiable everywhere; `elementwise=True` keeps to elementwise ops on inputs of one
    shape; `scalar=True` also makes the inputs Python floats (for scalar Values). `input_shapes`
    fixes the inputs' shapes instead of drawing them (up to `max_inputs`, of `max_side`), and
    `input_domains` their domains (by default [-2, 2] or [0.5, 2]): the expression may then be
    applied to any inputs inside those domains, such as another expression's results.
    """
    n_inputs = draw(_integers(1, max_inputs)) if input_shapes is None else len(input_shapes)
    if input_shapes is not None:
        shapes_now: list[Shape | None] = [tuple(s) for s in input_shapes]
    elif scalar:
        shapes_now = [None] * n_inputs
    elif elementwise:
        shapes_now = [draw(shapes(max_side=max_side))] * n_inputs
    else:
        shapes_now = list(draw(broadcastable_shapes(n_inputs, max_side=max_side)))
    if input_domains is not None and len(input_domains) != n_inputs:
        raise ValueError(f"expressions: {len(input_domains)} input_domains for {n_inputs} inputs")
    data, bounds = [], []
    for k, s in enumerate(shapes_now):
        if input_domains is None:
            domain = _pick(draw, _INPUT_DOMAINS)
        else:
            domain = input_domains[k]
        data.append(draw(elements(domain) if s is None else arrays(s, domain=domain)))
        bounds.append(Bounds(domain.low, domain.high))
    kinds = [
        op
        for op in OPS
        if (kinks or not op.kink) and (op.elementwise or not (elementwise or scalar))
    ]
    n_steps = draw(_integers(min_ops, max_ops))
    steps = [_draw_step(draw, kinds, shapes_now, bounds) for _ in range(n_steps)]
    return Expression(tuple(data), tuple(steps), tuple(bounds))


@functools.cache
def _integers(low: int, high: int) -> SearchStrategy[int]:
    return st.integers(low, high)


def _pick(draw: Any, items: Sequence[Any]) -> Any:
    return items[draw(_integers(0, len(items) - 1))]


def _draw_step(draw: Any, kinds: list, shapes_now: list, bounds: list) -> Step:
    """One more step on the latest result; appends its shape and bounds to the lists."""
    last = len(shapes_now) - 1
    ndim = 0 if shapes_now[last] is None else len(shapes_now[last])
    for _ in range(8):
        op = _pick(draw, kinds)
        choices = op.params(ndim)
        if not choices:
            continue
        params = _pick(draw, choices)
        args: tuple[int, ...] = (last,)
        if op.arity == 2:
            partner = draw(_integers(0, last))
            args = (partner, last) if draw(_integers(0, 1)) else (last, partner)
        result = try_step(op, args, params, shapes_now, bounds)
        if result is not None:
            break
    else:  # nothing fitted: tanh always does
        op, args, params = next(k for k in OPS if k.name == "tanh"), (last,), {}
        result = try_step(op, args, params, shapes_now, bounds)
    shapes_now.append(result[0])  # type: ignore[index]  # tanh always fits: never None
    bounds.append(result[1])  # type: ignore[index]
    return Step(op, args, tuple(params.items()))


# ----------------------------------------------------------------------------------------------
# MLP architectures


@dataclass(frozen=True)
class Architecture:
    """An MLP's shape: `nin` inputs, then layers of `nouts` neurons, hidden ones with `activation`.

    >>> from tinygrad_mlp import MLP
    >>> arch = Architecture(nin=3, nouts=(4, 1), activation="tanh")
    >>> MLP(arch.nin, list(arch.nouts), activation=arch.activation).num_parameters()
    21
    """

    nin: int
    nouts: tuple[int, ...]
    activation: str


def mlp_architectures(
    max_inputs: int = 4,
    max_layers: int = 3,
    max_width: int = 6,
    activations: Sequence[str] = tuple(ACTIVATIONS),
    nout: int | None = None,
) -> SearchStrategy[Architecture]:
    """Small MLP architectures: `Architecture(nin=3, nouts=(4, 4, 1), activation='tanh')`.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> from tinygrad_mlp import MLP
    >>> @settings(max_examples=10, deadline=None)
    ... @given(mlp_architectures(nout=1))     # the last layer's width fixed, e.g. for mse
    ... def test_mlp(arch):
    ...     model = MLP(arch.nin, list(arch.nouts), activation=arch.activation)
    ...     assert model(np.zeros((2, arch.nin))).shape == (2, 1)
    >>> test_mlp()

    The hidden activation is drawn from `activations` (by default every one in nn.ACTIVATIONS).
    """
    widths = st.lists(st.integers(1, max_width), min_size=1, max_size=max_layers)
    if nout is not None:
        widths = widths.map(lambda ws: [*ws[:-1], nout])
    return st.builds(
        Architecture,
        st.integers(1, max_inputs),
        widths.map(tuple),
        st.sampled_from(list(activations)),
    )
