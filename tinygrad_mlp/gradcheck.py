"""Gradient checking: the gradients backpropagation computes, compared with finite differences.

Three checks, from the whole function down to the single operation:

* `gradcheck(fn, inputs)`: every element of every input, d fn / d input by central differences
  in float64 against the engine's reverse-mode gradient (the full Jacobian when `fn` returns more
  than one number).
* `gradgradcheck(fn, inputs)`: the same for second derivatives, through `create_graph=True`.
* `check_graph(output)`: every recorded operation of a graph, its `backward` against finite
  differences of its own `forward` at the inputs it saw, so that a wrong gradient is pinned to the
  one operation that computes it.

All three are kink-aware. Where the function is not differentiable (relu or abs at 0, a max with
ties), here or within two finite-difference steps, the slopes to the left and to the right
differ; the point is then reported as a kink with both slopes (a `KinkWarning`, or
`report.kinks`), not as a wrong gradient, and the gradient the engine chose must lie between them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import (
    Value,
    call_backward,
    as_data,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    unbroadcast,
)
from .graph_walk import walk

ndarray = np.ndarray


class GradcheckError(AssertionError):
    """A gradient that disagrees with finite differences.

    The message names the input (or the operation), the element, and the numerical and
    analytical values; `finding` holds the first of them as data.
    """

    def __init__(self, message: str, finding: Finding | None = None) -> None:
        super().__init__(message)
        self.finding = finding


class KinkWarning(UserWarning):
    """A checked point where the function is not differentiable (its one-sided slopes differ)."""


@dataclass(frozen=True)
class Finding:
    """One element whose gradient is wrong, or where the function has a kink.

    `input` is the position of the input and `element` the index inside it (`()` for a scalar);
    `output` names the output number when there is more than one. `left` and `right` are the
    one-sided slopes, set only at a kink. `wrong` is False for a kink whose gradient lies between
    its slopes (reported, but not a failure).
    """

    input: int
    element: tuple[int, ...]
    numerical: float
    analytical: float
    output: str = ""
    left: float | None = None
    right: float | None = None
    wrong: bool = True

    @property
    def is_kink(self) -> bool:
        return self.left is not None

    def describe(self, what: str) -> str:
        """One readable line; `what` names the input, e.g. 'input 0 (shape (5, 3))'."""
        at = f"{what} at element {self.element}"
        if self.output:
            at = f"d {self.output} / d {at}"
        if not self.is_kink:
            return (
                f"{at}: numerical {self.numerical:.7g} (central differences), "
                f"analytical {self.analytical:.7g} (backward)"
            )
        verdict = "outside them: wrong" if self.wrong else "between them"
        return (
            f"{at}: not differentiable (a kink, here or within two steps): slope "
            f"{self.left + 0.0:.7g} to the left, {self.right + 0.0:.7g} to the right; "
            f"backward gave {self.analytical:.7g}, {verdict}"
        )


# ----------------------------------------------------------------------------------------------
# The comparison every check shares


def _close(analytical: ndarray, numerical: ndarray, atol: float, rtol: float) -> ndarray:
    return np.abs(analytical - numerical) <= atol + rtol * np.abs(numerical)


def _moved(points: list[Any], i: int, j: int, delta: float) -> tuple[list[Any], float]:
    """`points` with element j of input i moved by `delta`, and the step actually taken."""
    x = points[i]
    moved = list(points)
    if x.__class__ is float:
        moved[i] = x + delta
        return moved, moved[i] - x
    y = x.copy()
    y.flat[j] = x.flat[j] + delta
    moved[i] = y
    return moved, float(y.flat[j] - x.flat[j])


def _compare(
    evaluate: Callable[[list[Any]], ndarray],
    points: list[Any],
    jacobians: dict[int, ndarray],
    output_names: Sequence[str],
    eps: float,
    atol: float,
    rtol: float,
) -> list[Finding]:
    """Check the analytical `jacobians` of `evaluate` at `points`, element by element.

    `evaluate(points)` returns every output number as a 1-D float64 array; `jacobians[i]` has
    one column per element of `points[i]`: d outputs / d that element. Returns the wrong
    elements and the kinks, in input and element order.

    The step is h = `eps * max(1, |x|)`. Where the central difference disagrees with the
    analytical value, or where the one-sided differences disagree with each other by more than
    curvature explains, the element is looked at more closely: one-sided slopes to the left and
    to the right, each accurate to second order in h (so curvature does not tell them apart).
    If they still differ, a kink lies at the point or within 2h of it, and the analytical value
    must lie between them; otherwise it must match the central difference.
    """
    f0 = evaluate(points)
    findings: list[Finding] = []
    for i, jacobian in jacobians.items():
        x = points[i]
        shape = () if x.__class__ is float else x.shape
        for j in range(jacobian.shape[1]):
            h = eps * max(1.0, abs(float(x if x.__class__ is float else x.flat[j])))
            up, step_up = _moved(points, i, j, h)
            down, step_down = _moved(points, i, j, -h)
            f_up, f_down = evaluate(up), evaluate(down)
            numerical = (f_up - f_down) / (step_up - step_down)
            analytical = jacobian[:, j]
            tol = atol + rtol * np.abs(numerical)
            jump = np.abs(f_up - 2.0 * f0 + f_down) / h  # h f'' where smooth; the jump at a kink
            if np.all(np.abs(analytical - numerical) <= tol) and np.all(jump <= tol):
                continue
            f_up2, f_down2 = (
                evaluate(_moved(points, i, j, 2 * h)[0]),
                evaluate(_moved(points, i, j, -2 * h)[0]),
            )
            right = (4.0 * f_up - f_up2 - 3.0 * f0) / (2.0 * step_up)
            left = (4.0 * f_down - f_down2 - 3.0 * f0) / (2.0 * step_down)
            element = tuple(int(k) for k in np.unravel_index(j, shape)) if shape else ()
            closer = _Closer(analytical, numerical, left, right)
            findings += closer.findings(i, element, output_names, atol, rtol)
    return findings


@dataclass
class _Closer:
    """One element looked at closely, for every output at once."""

    analytical: ndarray
    numerical: ndarray  # the central difference
    left: ndarray  # one-sided slopes, second-order accurate
    right: ndarray

    def findings(
        self,
        i: int,
        element: tuple[int, ...],
        output_names: Sequence[str],
        atol: float,
        rtol: float,
    ) -> list[Finding]:
        """The kinks of this element, and its first wrong output if any."""
        a, left, right = self.analytical, self.left, self.right
        slack = atol + rtol * np.maximum(np.abs(left), np.abs(right))
        kink = np.abs(right - left) > slack
        between = (np.minimum(left, right) - slack <= a) & (a <= np.maximum(left, right) + slack)
        smooth = _close(a, self.numerical, atol, rtol)
        finite = np.isfinite(self.numerical) & np.isfinite(left) & np.isfinite(right)
        wrong = ~(finite & np.isfinite(a) & np.where(kink, between, smooth))
        found = [
            self._finding(k, i, element, output_names[k], kink[k], wrong[k])
            for k in np.flatnonzero(kink & ~wrong)
        ]
        found += [
            self._finding(k, i, element, output_names[k], kink[k], True)
            for k in np.flatnonzero(wrong)[:1]
        ]
        return found

    def _finding(
        self, k: int, i: int, element: tuple[int, ...], output: str, kink: bool, wrong: bool
    ) -> Finding:
        slopes = (float(self.left[k]), float(self.right[k])) if kink else (None, None)
        return Finding(
            i, element, float(self.numerical[k]), float(self.analytical[k]), output, *slopes, wrong
        )


def _summary(findings: list[Finding], describe: Callable[[Finding], str], title: str) -> str:
    lines = [title + ":"] + ["  " + describe(f) for f in findings[:5]]
    if len(findings) > 5:
        lines.append(f"  ... and {len(findings) - 5} more")
    return "\n".join(lines)


def _report(
    findings: list[Finding], describe: Callable[[Finding], str], caller: str, raise_exception: bool
) -> bool:
    """Warn about the kinks; raise (or return False) for the wrong gradients."""
    kinks = [f for f in findings if not f.wrong]
    failures = [f for f in findings if f.wrong]
    if kinks:
        title = f"{caller}: {len(kinks)} point(s) where the function is not differentiable"
        warnings.warn(_summary(kinks, describe, title), KinkWarning, stacklevel=4)
    if not failures:
        return True
    if raise_exception:
        title = f"{caller}: {len(failures)} gradient element(s) disagree with finite differences"
        raise GradcheckError(_summary(failures, describe, title), failures[0])
    return False


# ----------------------------------------------------------------------------------------------
# gradcheck and gradgradcheck


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
        data = x.data if isinstance(x, Value) else as_data(x)
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


def _as_gradient(g: Any, like: Any) -> ndarray:
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
                [_as_gradient(g, v.data).reshape(-1) for g, v in zip(grads, targets.values())]
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
    found = _compare(evaluate, points, jacobians, names, eps, atol, rtol)

    def describe(f: Finding) -> str:
        return f.describe(f"input {f.input} ({_shape_words(points[f.input])})")

    return _report(found, describe, caller, raise_exception)


def _shape_words(x: Any) -> str:
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


# ----------------------------------------------------------------------------------------------
# check_graph: every recorded operation on its own


def _scope_path(node: Value) -> str:
    """The module calls the node was made in, outermost first: 'MLP/Layer'."""
    names = []
    scope = node._scope
    while scope is not None:
        names.append(scope.name or type(scope.module).__name__)
        scope = scope.parent
    return "/".join(reversed(names))


def describe_node(node: Value, position: int | None = None, count: int | None = None) -> str:
    """How a report names an op node: its operation, label, module and output shape.

    >>> describe_node(Value(2.0) * 3)
    "Mul (output a scalar)"
    """
    words = [node.op.__name__ if node.op is not None else "leaf"]
    if node.label:
        words.append(repr(node.label))
    if position is not None:
        words.append(f"(op {position + 1} of {count})")
    scope = _scope_path(node)
    if scope:
        words.append(f"in {scope}")
    words.append(f"(output {_shape_words(node.data)})")
    return " ".join(words)


@dataclass(frozen=True)
class OpFinding:
    """A `Finding` on one op node of a graph: `node` is the Value the op produced."""

    node: Value
    name: str  # describe_node(node), with its place in the graph
    finding: Finding

    def __str__(self) -> str:
        parent = self.node.parents[self.finding.input]
        return self.finding.describe(f"input {self.finding.input} ({_shape_words(parent.data)})")


@dataclass
class GraphReport:
    """What `check_graph` found: the wrong op nodes, the kinks, and how many ops it checked.

    True when every op's backward agrees with its forward; `str(report)` names those that do
    not. `failed_nodes` (the Values whose op failed) is what `draw_graph(..., highlight=report)`
    draws highlighted.
    """

    checked: int
    failures: list[OpFinding]
    kinks: list[OpFinding]

    @property
    def ok(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok

    def _by_node(self) -> dict[int, list[OpFinding]]:
        groups: dict[int, list[OpFinding]] = {}
        for f in self.failures:
            groups.setdefault(id(f.node), []).append(f)
        return groups

    @property
    def failed_nodes(self) -> list[Value]:
        """The Values whose producing op has a wrong backward, in graph order."""
        return [group[0].node for group in self._by_node().values()]

    @property
    def failed_ops(self) -> list[str]:
        """The names of the failed op nodes, e.g. "Softplus 'h' (op 23 of 50) in MLP/Layer"."""
        return [group[0].name for group in self._by_node().values()]

    def __str__(self) -> str:
        groups = self._by_node()
        if not groups:
            lines = [f"check_graph: all {self.checked} ops agree with finite differences"]
        else:
            lines = [
                f"check_graph: {len(groups)} of {self.checked} ops have a backward that "
                f"disagrees with finite differences of their forward:"
            ]
        for group in groups.values():
            lines.append(f"  {group[0].name}: {len(group)} wrong element(s)")
            lines += [f"    {f}" for f in group[:3]]
            if len(group) > 3:
                lines.append(f"    ... and {len(group) - 3} more")
        if self.kinks:
            lines.append(f"  ({len(self.kinks)} element(s) at a kink, between its slopes: fine)")
        return "\n".join(lines)

    __repr__ = __str__


def _float64(x: Any) -> Any:
    return x if x.__class__ is float else np.asarray(x, dtype=np.float64)


def _check_node(
    node: Value, rng: np.random.Generator, eps: float, atol: float, rtol: float
) -> list[Finding]:
    """The op's backward at the inputs it saw, against finite differences of its forward.

    Checked along a random output gradient w: d sum(w * forward) / d each input element.
    """
    op, params = node.op, node.params
    points = [_float64(p.data) for p in node.parents]
    out = _float64(op.forward(*points, **params))
    w = float(rng.standard_normal()) if out.__class__ is float else rng.standard_normal(out.shape)
    grads = call_backward(op, w, list(points), out, params or None)
    jacobians = {
        i: _as_gradient(g, points[i]).reshape(1, -1)
        for i, (p, g) in enumerate(zip(node.parents, grads))
        if p.requires_grad
    }

    def evaluate(at: list[Any]) -> ndarray:
        return np.array([np.sum(w * np.asarray(op.forward(*at, **params), dtype=np.float64))])

    return _compare(evaluate, points, jacobians, [""], eps, atol, rtol)


def check_graph(
    output: Value,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = False,
) -> GraphReport:
    """Check every recorded op of output's graph on its own, to find the one with a wrong backward.

    >>> x = Value(np.random.randn(3, 2))
    >>> report = check_graph((x.tanh() @ x.T).sum())
    >>> bool(report), report.failed_nodes        # True, []

    Each op's `backward` is called at the inputs the op actually saw (in float64) and compared with
    central differences of its `forward`, along a random output gradient (from `seed`). A wrong
    gradient is pinned to its op, named by its kind, label, module and place in the graph. Returns
    a `GraphReport` (true when all agree); with `raise_exception=True` a failure raises
    `GradcheckError` with the report's text. Kinks are listed in `report.kinks`, not failures.
    """
    if not isinstance(output, Value):
        raise TypeError(f"check_graph: output must be a Value, got {type(output).__name__}")
    nodes = [v for v in walk(output) if v.op is not None]  # inputs before what they feed
    rng = np.random.default_rng(seed)
    failures, kinks = [], []
    for position, node in enumerate(nodes):
        for f in _check_node(node, rng, eps, atol, rtol):
            named = OpFinding(node, describe_node(node, position, len(nodes)), f)
            (failures if f.wrong else kinks).append(named)
    report = GraphReport(len(nodes), failures, kinks)
    if raise_exception and not report.ok:
        raise GradcheckError(str(report), failures[0].finding)
    return report
