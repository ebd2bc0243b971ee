"""`gradcheck` and `gradgradcheck`: a whole function's gradients against finite differences."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..engine import Value, as_data, enable_grad, grad, is_grad_enabled, no_grad, unbroadcast
from .differences import compare
from .findings import Finding, GradcheckError, report

__all__ = ["as_gradient", "gradcheck", "gradgradcheck", "shape_words"]

ndarray = np.ndarray


def _outputs(result: Any, caller: str) -> tuple[Value, ...]:
    outs = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    for k, o in enumerate(outs):
        if not isinstance(o, Value):
            which = "it" if len(outs) == 1 else f"output {k}"
            raise TypeError(
                f"{caller}: fn must return a Value or a tuple of Values; {which} is "
                f"{type(o).__name__}"
            )
    return outs


def _flatten(outs: Sequence[Value]) -> ndarray:
    return np.concatenate([np.asarray(o.data, dtype=np.float64).reshape(-1) for o in outs])


def _output_names(outs: Sequence[Value], labels: Sequence[str]) -> list[str]:
    """A name for every output number, e.g. 'output (2, 1)'; '' when there is only one number."""
    if len(outs) == 1 and outs[0].size == 1:
        return [""]
    return [
        f"{label} {idx}" if o.shape else label
        for o, label in zip(outs, labels)
        for idx in np.ndindex(o.shape)
    ]


def _points(inputs: Sequence[Any], caller: str) -> tuple[list[Any], list[bool]]:
    """The inputs as float64 data (float32 with a warning), and which of them require a gradient."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(
            f"{caller}: inputs must be a list or tuple (one entry per argument of fn), "
            f"got {type(inputs).__name__}"
        )
    points, wanted = [], []
    for i, x in enumerate(inputs):
        data: Any = x.data if isinstance(x, Value) else as_data(x)
        if data.__class__ is not float:
            if data.dtype != np.float64:
                warnings.warn(
                    f"{caller}: input {i} is {data.dtype}; it is checked in float64, since finite "
                    f"differences at {data.dtype} precision cannot confirm a gradient",
                    stacklevel=3,
                )
            data = data.astype(np.float64)  # a copy: the caller's array is never touched
        points.append(data)
        wanted.append(x.requires_grad if isinstance(x, Value) else True)
    if not any(wanted):
        raise ValueError(f"{caller}: no input requires a gradient, so there is nothing to check")
    return points, wanted


def _leaves(points: Sequence[Any], wanted: Sequence[bool]) -> list[Value]:
    return [Value(p, requires_grad=w) for p, w in zip(points, wanted)]


def as_gradient(g: Any, like: Any) -> ndarray:
    """A gradient (None, a float, an array or a Value) as a float64 array of `like`'s shape."""
    shape = () if like.__class__ is float else like.shape
    if g is None:
        return np.zeros(shape)
    if isinstance(g, Value):
        g = g.data
    if g.__class__ is float:  # as the engine does: a float gradient for a tensor fills it
        return np.full(shape, g)
    g = np.asarray(g, dtype=np.float64)
    return unbroadcast(g, shape) if g.shape != shape else g


def _jacobians(outs: Sequence[Value], leaves: Sequence[Value]) -> dict[int, ndarray]:
    """d outputs / d each leaf that requires a gradient, by reverse mode: a backward per number."""
    targets = {i: v for i, v in enumerate(leaves) if v.requires_grad}
    rows = []
    for o in outs:
        for k in range(o.size):
            if not o.requires_grad:  # a constant output: no gradient anywhere
                rows.append([np.zeros(v.size) for v in targets.values()])
                continue
            seed = None
            if o.size > 1:
                seed = np.zeros(o.shape, dtype=o.dtype)
                seed.flat[k] = 1.0
            grads = grad(o, list(targets.values()), grad_output=seed)
            rows.append(
                [as_gradient(g, v.data).reshape(-1) for g, v in zip(grads, targets.values())]
            )
    return {i: np.array([row[n] for row in rows]) for n, i in enumerate(targets)}


def _check(
    fn: Callable[..., Any],
    points: list[Any],
    wanted: list[bool],
    labels: Sequence[str] | None,
    caller: str,
    eps: float,
    atol: float,
    rtol: float,
    raise_exception: bool,
) -> bool:
    """gradcheck's work; `labels` name the outputs (by default 'output', or 'output k')."""
    leaves = _leaves(points, wanted)
    outs = _outputs(fn(*leaves), caller)
    jacobians = _jacobians(outs, leaves)

    def evaluate(at: list[Any]) -> ndarray:
        with no_grad():
            return _flatten(_outputs(fn(*_leaves(at, wanted)), caller))

    if labels is None:
        labels = ["output"] if len(outs) == 1 else [f"output {k}" for k in range(len(outs))]
    names = _output_names(outs, labels)
    found = compare(evaluate, points, jacobians, names, eps, atol, rtol)

    def describe(f: Finding) -> str:
        return f.describe(f"input {f.input} ({shape_words(points[f.input])})")

    if not report(found, describe, caller, raise_exception):
        return False
    problem = _nonlinearity(outs, leaves, labels, rtol, atol)
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(f"{caller}: {problem}")
    return False


def _nonlinearity(
    outs: Sequence[Value], leaves: Sequence[Value], labels: Sequence[str], rtol: float, atol: float
) -> str | None:
    """What is wrong if the backward is not linear in the incoming gradient, else None.

    As `torch.autograd.gradcheck` does: with grad_output = 0 every gradient must be exactly 0
    (a backward that adds a constant, however small, or ignores the incoming gradient fails),
    and doubling a random grad_output must double every gradient (a backward that squares it
    fails, though it agrees with finite differences for the unit grad_outputs used above).
    """
    targets = [(i, v) for i, v in enumerate(leaves) if v.requires_grad]
    rng = np.random.default_rng(0)
    for o, label in zip(outs, labels):
        if not o.requires_grad or o.size == 0:
            continue
        zero: Any = 0.0 if o.is_scalar else np.zeros(o.shape, dtype=o.dtype)
        u: Any = rng.uniform(0.5, 1.5, size=o.shape).astype(o.dtype)
        if o.is_scalar:
            u = float(u)
        for seed, check in ((zero, "zero"), (u, "double")):
            grads = grad(o, [v for _, v in targets], grad_output=seed)
            if check == "double":
                doubled = grad(o, [v for _, v in targets], grad_output=2 * u)
            for n, ((i, v), g) in enumerate(zip(targets, grads)):
                g = as_gradient(g, v.data)
                name = f"input {i} ({shape_words(v.data)})"
                if check == "zero" and np.any(g != 0):
                    return (
                        f"backward not multiplied by grad_output: with a zero gradient flowing "
                        f"into {label}, the gradient of {name} is not zero (largest |value| "
                        f"{np.max(np.abs(g)):.3g}); a backward must scale with its incoming "
                        f"gradient, adding nothing of its own"
                    )
                if check == "double":
                    g2 = as_gradient(doubled[n], v.data)
                    if not np.allclose(g2, 2 * g, rtol=rtol, atol=atol, equal_nan=True):
                        return (
                            f"backward is not linear in grad_output: doubling the gradient "
                            f"flowing into {label} does not double the gradient of {name} "
                            f"(largest difference {np.max(np.abs(g2 - 2 * g)):.3g})"
                        )
    return None


def shape_words(x: Any) -> str:
    return "a scalar" if x.__class__ is float else f"shape {x.shape}"


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check fn's gradients against central finite differences, for every input element.

    >>> import numpy as np
    >>> gradcheck(lambda x, w: (x @ w).tanh().sum(), [np.random.randn(4, 3), np.random.randn(3)])
    True

    `inputs` holds one entry per argument of `fn`: numbers, arrays or Values. Each number and
    array, and each Value that requires a gradient, is checked (float32 in float64, with a
    warning); the Values given are not changed. `fn` returns a Value or a tuple of Values, and
    every output number is checked against every input element: a gradient `g` is right when
    `|g - numerical| <= atol + rtol * |numerical|`. A failure raises `GradcheckError` naming the
    input, the element and both values (or returns False, with `raise_exception=False`). A point
    where `fn` is not differentiable gives a `KinkWarning` with its one-sided slopes, and passes
    if the gradient lies between them.
    """
    points, wanted = _points(inputs, "gradcheck")
    return _check(fn, points, wanted, None, "gradcheck", eps, atol, rtol, raise_exception)


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    grad_outputs: Sequence[Any] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check fn's second derivatives: `gradcheck` of its gradient, taken with create_graph=True.

    >>> import numpy as np
    >>> gradgradcheck(lambda x: (x ** 3).sum(), [np.array([1.0, -2.0])])    # d2/dx2 = 6x
    True

    The gradient checked is that of `sum(output * grad_output)` with respect to each input that
    requires one; `grad_outputs` (one per output of fn) default to ones for a one-number output
    and to fixed random numbers (from `seed`) otherwise. An op whose backward is not written with
    Value operations gets a wrong (or no) second derivative, and fails here.
    """
    points, wanted = _points(inputs, "gradgradcheck")
    with no_grad():
        outs = _outputs(fn(*_leaves(points, wanted)), "gradgradcheck")
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [1.0 if o.size == 1 else rng.standard_normal(o.shape) for o in outs]
    elif len(grad_outputs) != len(outs):
        raise ValueError(
            f"gradgradcheck: {len(grad_outputs)} grad_outputs given for {len(outs)} outputs of fn"
        )

    def first_derivatives(*values: Value) -> tuple[Value, ...]:
        # Recorded (create_graph) only where gradcheck differentiates them; where it merely
        # evaluates them, under no_grad, a plain backward pass gives the same numbers faster.
        recorded = is_grad_enabled()
        with enable_grad():
            outs = _outputs(fn(*values), "gradgradcheck")
            total = sum((o * g).sum() for o, g in zip(outs, grad_outputs))
            grads = grad(total, [v for v in values if v.requires_grad], create_graph=recorded)
        return grads if recorded else tuple(Value(g, requires_grad=False) for g in grads)

    labels = [f"(d/d input {i})" for i, w in enumerate(wanted) if w]
    return _check(
        first_derivatives,
        points,
        wanted,
        labels,
        "gradgradcheck",
        eps,
        atol,
        rtol,
        raise_exception,
    )
