"""Reading a recorded graph for drawing (used by `graph_picture.py`): every Value behind an
output, and where each belongs: the module call it was made in or whose module owns it, and
whether it is drawn once or beside each of its uses.
"""

from __future__ import annotations

from typing import Any

from .engine import Scope, Value
from .engine import is_shared_constant as is_shared_constant

SPREAD_RANKS = 8  # in big pictures, a leaf used further apart than this is drawn beside each use


def walk(output: Value) -> list[Value]:
    """Every Value `output` depends on (itself included), inputs first. Iterative: any depth."""
    seen = {id(output)}
    stack = [output]
    found = []
    while stack:
        v = stack.pop()
        found.append(v)
        for p in v._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    found.sort(key=lambda v: v._index)
    return found


def chain(scope: Scope | None) -> list[Scope]:
    """`scope` and its enclosing scopes, outermost first."""
    found = []
    while scope is not None:
        found.append(scope)
        scope = scope.parent
    found.reverse()
    return found


def common_scope(a: Scope | None, b: Scope | None) -> Scope | None:
    """The innermost call enclosing both (None: only the whole graph)."""
    common = None
    for x, y in zip(chain(a), chain(b)):
        if x is not y:
            break
        common = x
    return common


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
            depth = len(chain(scope)) - 1
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
        prev = v._prev
        d = 0
        for p in prev:
            dp = depth[id(p)]
            if dp >= d:
                d = dp + 1
        depth[id(v)] = d
        for p in prev:
            if p._op is None:
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
        if v._op is None and last.get(id(v), 0) - first.get(id(v), 0) > SPREAD_RANKS
    ]
