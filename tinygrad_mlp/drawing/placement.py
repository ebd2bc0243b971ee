"""Where each Value of a drawing belongs (used by `picture.py`): the module call it was made in
or whose module owns it, and whether it is drawn once or beside each of its uses. The graph
itself is read with the engine's one walk (`tinygrad_mlp.engine.walk`).
"""

from __future__ import annotations

from typing import Any

from ..engine import Scope, Value, common_scope, scope_chain

SPREAD_RANKS = 8  # in big pictures, a leaf used further apart than this is drawn beside each use


class Owners:
    """Which module call a parameter (a leaf made outside any call) is drawn in: the innermost
    call of a module whose `parameters()` holds it, common to all its uses."""

    def __init__(self) -> None:
        self._params: dict[int, set[int]] = {}

    def _owns(self, module: Any, v: Value) -> bool:
        key = id(module)
        params = self._params.get(key)
        if params is None:
            getter = getattr(module, "parameters", None)
            items = getter() if callable(getter) else ()
            params = self._params[key] = {id(p) for p in items if isinstance(p, Value)}
        return id(v) in params

    def place(self, v: Value, uses: list[Scope | None]) -> tuple[Scope | None, int | None]:
        """(the call to draw `v` in, or None; when `v` belongs to several calls of its modules
        instead, the depth of the outermost of them: collapsed that deep, they absorb it)."""
        placed: Scope | None = None
        shallowest = None
        for i, scope in enumerate(uses):
            while scope is not None and not self._owns(scope.module, v):
                scope = scope.parent
            if scope is None:
                return None, None
            depth = len(scope_chain(scope)) - 1
            shallowest = depth if shallowest is None else min(shallowest, depth)
            placed = scope if i == 0 else common_scope(placed, scope)
        return placed, (shallowest if placed is None else None)


def spread_leaves(values: list[Value]) -> list[Value]:
    """Leaves whose uses lie more than `SPREAD_RANKS` operations apart (counted from the
    inputs): one node for them would pull edges across the whole picture, which is what makes
    dot slow (or crash) on big graphs, so they are drawn beside each use instead."""
    depth: dict[int, int] = {}
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for v in values:  # inputs first, so parents' depths are known
        prev = v.parents
        d = 0
        for p in prev:
            dp = depth[id(p)]
            if dp >= d:
                d = dp + 1
        depth[id(v)] = d
        for p in prev:
            if p.op is None:
                key = id(p)
                if key not in first:
                    first[key] = last[key] = d
                elif d > last[key]:
                    last[key] = d
                elif d < first[key]:
                    first[key] = d
    return [
        v
        for v in values
        if v.op is None and last.get(id(v), 0) - first.get(id(v), 0) > SPREAD_RANKS
    ]


LEFT_TO_RIGHT_DEPTH = 8  # scalar graphs at most this many operations deep are drawn left to right


def choose_direction(values: list[Value]) -> str:
    """The direction a graph reads best in: "LR" for a small scalar graph (micrograd's lecture
    examples, a neuron: a few operations deep, so the row fits a screen), "TB" for anything
    deeper or holding tensors (an MLP's loss), whose picture would be a long thin strip drawn
    left to right. `values` as `walk` lists them, inputs first.

    >>> from tinygrad_mlp.engine import walk
    >>> x = Value(2.0)
    >>> choose_direction(walk(x * 3 + 1)), choose_direction(walk(Value([1.0, 2.0]).sum()))
    ('LR', 'TB')
    """
    depth: dict[int, int] = {}
    deepest = 0
    for v in values:  # inputs first: a node's parents are measured before it
        if not v.is_scalar:
            return "TB"
        d = 1 + max(depth[id(p)] for p in v.parents) if v.parents else 0
        depth[id(v)] = d
        deepest = max(deepest, d)
    return "LR" if deepest <= LEFT_TO_RIGHT_DEPTH else "TB"
