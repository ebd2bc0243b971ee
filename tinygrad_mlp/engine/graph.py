"""The graph walk: which Values an output depends on, in topological order, and the chains of
module calls they were made in. The backward pass, `grad`, `check_graph`, the drawing code and
the step-through page all read a graph through `walk`.
"""

from __future__ import annotations

from operator import attrgetter

from .scope import Scope
from .value import Value

_by_index = attrgetter("_index")


def walk(
    root: Value, leaves: bool = True, unrecorded: dict[int, tuple[Value, ...]] | None = None
) -> list[Value]:
    """Every Value `root` depends on, `root` included, inputs first (creation order).

    With `leaves=False`, only the recorded nodes (those made by an op that needs a gradient):
    what backward visits. An explicit stack, not recursion (micrograd's recursive sort fails
    past ~1,000 levels), and a sort by creation index instead of a post-order walk: a Value is
    always created after its inputs, and sorting (in C) is cheaper than a walk in Python.

    >>> a = Value(2.0, label="a")
    >>> [v.op.symbol if v.op else v.label for v in walk(a * a + a)]
    ['a', '*', '+']

    Values are kept in a set by identity (`Value.__hash__` is `object.__hash__`, and distinct
    objects never have equal identity hashes), so no Value's `==` is ever called here.

    `unrecorded` gives the inputs of results that were not recorded (made under `no_grad`,
    by id), for a caller that kept them (`compile_step`'s trace): the walk goes through them.
    """
    if not leaves and root._op is None:
        return []
    seen = {root}
    stack = [root]
    found = [root]
    pop, push, add, keep = stack.pop, stack.append, seen.add, found.append
    if leaves:
        hidden = unrecorded or {}
        while stack:
            v = pop()
            for parent in v._prev or hidden.get(id(v), ()):
                if parent not in seen:
                    add(parent)
                    push(parent)
                    keep(parent)
    else:  # the same, without leaves: what backward visits
        while stack:
            for parent in pop()._prev:
                if parent._op is not None and parent not in seen:
                    add(parent)
                    push(parent)
                    keep(parent)
    found.sort(key=_by_index)
    return found


def scope_chain(scope: Scope | None) -> list[Scope]:
    """`scope` and the module calls enclosing it, outermost first."""
    found = []
    while scope is not None:
        found.append(scope)
        scope = scope.parent
    found.reverse()
    return found


def common_scope(a: Scope | None, b: Scope | None) -> Scope | None:
    """The innermost module call enclosing both (None: only the whole graph)."""
    common = None
    for x, y in zip(scope_chain(a), scope_chain(b)):
        if x is not y:
            break
        common = x
    return common


def scope_path(value: Value) -> str:
    """The module calls a Value was made in, outermost first: `'MLP/layers.0'`."""
    return "/".join(scope.title for scope in scope_chain(value.scope))
