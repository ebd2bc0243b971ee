"""`check_graph`: every recorded op of a graph checked on its own, and the report it gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Value, call_backward, scope_path, walk
from .differences import compare
from .findings import Finding, GradcheckError
from .functions import as_gradient, shape_words

__all__ = ["GraphReport", "OpFinding", "check_graph", "describe_node"]

ndarray = np.ndarray


def describe_node(node: Value, position: int | None = None, count: int | None = None) -> str:
    """How a report names an op node: its operation, label, module and output shape.

    >>> from tinygrad_mlp import Value
    >>> describe_node(Value(2.0) * 3)
    'Mul (output a scalar)'
    >>> from tinygrad_mlp import MLP
    >>> out = MLP(2, [3, 1], seed=0)([[1.0, 2.0]])
    >>> describe_node(out, position=4, count=5)
    'Add (op 5 of 5) in MLP/layers.1 (output shape (1, 1))'
    """
    words = [node.op.__name__ if node.op is not None else "leaf"]
    if node.label:
        words.append(repr(node.label))
    if position is not None:
        words.append(f"(op {position + 1} of {count})")
    scope = scope_path(node)
    if scope:
        words.append(f"in {scope}")
    words.append(f"(output {shape_words(node.data)})")
    return " ".join(words)


@dataclass(frozen=True)
class OpFinding:
    """A `Finding` on one op node of a graph: `node` is the Value the op produced."""

    node: Value
    name: str  # describe_node(node), with its place in the graph
    finding: Finding

    def __str__(self) -> str:
        parent = self.node.parents[self.finding.input]
        return self.finding.describe(f"input {self.finding.input} ({shape_words(parent.data)})")


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
        i: as_gradient(g, points[i]).reshape(1, -1)
        for i, (p, g) in enumerate(zip(node.parents, grads))
        if p.requires_grad
    }

    def evaluate(at: list[Any]) -> ndarray:
        return np.array([np.sum(w * np.asarray(op.forward(*at, **params), dtype=np.float64))])

    return compare(evaluate, points, jacobians, [""], eps, atol, rtol)


def check_graph(
    output: Value,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = False,
) -> GraphReport:
    """Check every recorded op of output's graph on its own, to find the one with a wrong backward.

    >>> import numpy as np
    >>> from tinygrad_mlp import Value
    >>> x = Value(np.random.default_rng(0).normal(size=(3, 2)))
    >>> report = check_graph((x.tanh() @ x.T).sum())
    >>> bool(report), report.failed_nodes
    (True, [])
    >>> print(report)
    check_graph: all 4 ops agree with finite differences

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
    failures: list[OpFinding] = []
    kinks: list[OpFinding] = []
    for position, node in enumerate(nodes):
        for f in _check_node(node, rng, eps, atol, rtol):
            named = OpFinding(node, describe_node(node, position, len(nodes)), f)
            (failures if f.wrong else kinks).append(named)
    report = GraphReport(len(nodes), failures, kinks)
    if raise_exception and not report.ok:
        raise GradcheckError(str(report), failures[0].finding)
    return report
