"""Making nodes: `new_node`, the one node constructor, and the two kinds of node it makes (a
leaf or constant, and an op's result, recorded or not by the modes of this thread); and the
clock of data changes that lets backward refuse a node whose inputs changed after it was made."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from .data import as_data
from .modes import SCOPE, current_modes
from .value import Notes, Value

ndarray = np.ndarray

# Creation order is a topological order (a node is always made after its inputs), so a counter
# stamped on each node lets backward sort the nodes it reaches instead of a recursive walk.
next_index = itertools.count().__next__
_new = object.__new__


class StaleDataError(RuntimeError):
    """The data of a Value changed after an operation used it and before backward ran."""


# When the data of any Value last changed, as a creation index (see `Value.data`). A module
# global, not a class attribute: assigning a class attribute invalidates the type's attribute
# caches, and an optimizer does this for every weight at every step.
_latest_change = -1


def stamp_changes(values: Iterable[Value]) -> None:
    """Record that the data of these Values was assigned (now, on the clock of creation
    indices): one stamp for all of them, as an optimizer's step changes all its weights."""
    global _latest_change
    index = _latest_change = next_index()
    for v in values:
        notes = v._scope  # `v.note`, inline
        if notes.__class__ is Notes:
            notes["changed_at"] = index
        else:
            v._scope = Notes(scope=notes, changed_at=index)


def subtract_in_place(changes: Iterable[tuple[Value, Any]]) -> None:
    """`value.data -= amount` for each (value, amount) pair: how optimizers move their weights
    (`Value.sub_` for one Value). The changes are stamped as an assignment of `.data` is.

    A Value that owns its array (a parameter's: see `Value.__new__`) is changed in place; any
    other gets a new array, so memory it does not own is never written. `changes` may be a
    generator, each amount made just before it is used: a large model's updates are never all
    held at once. One call, and one stamp, for all of an optimizer's weights: the per-weight
    cost is much of a small model's step.
    """
    changed: list[Value] = []
    try:
        for v, amount in changes:
            data = v._data
            if data.__class__ is float:
                v._data = data - float(amount)
            elif (notes := v._scope).__class__ is Notes and (
                owner := notes.get("owner")  # `v.noted("owner")`, inline
            ) is not None:
                owner -= amount  # into our private array, seen through the read-only `_data`
            else:  # memory we do not own (a constant's): never written, a new array instead
                fresh = as_data(data - amount, data.dtype, copy=True)
                assert isinstance(fresh, ndarray)  # an array in, an array out
                v._data = fresh
                v.note("owner", fresh.base)
            changed.append(v)
    finally:  # stamped after the changes (a node made meanwhile is refused, never trusted),
        stamp_changes(changed)  # also those made before an error


def latest_data_change() -> int:
    """The creation index at which the data of some Value was last assigned (-1: never).

    A backward pass whose oldest node is newer than this cannot meet changed data, so it skips
    the per-node check.
    """
    return _latest_change


def new_node(
    data: float | ndarray,
    op: type | None,
    parents: tuple[Value, ...],
    params: dict[str, Any] | None,
    requires_grad: bool,
    scope: Any,
) -> Value:
    """The one node constructor: a Value holding `data`, made by `op` from `parents`.

    A recorded node (`op` given) requires a gradient; a leaf or a constant has no op and no
    parents. `data` must already be what a Value holds (see `as_data`; an op's result is
    normalised by `Function.apply`), `scope` the module call it is made in.
    """
    node = _new(Value)
    node._data = data
    node.grad = 0.0 if data.__class__ is float else None
    node.requires_grad = requires_grad
    node._op = op
    node._prev = parents
    node._params = params
    node._index = next_index()
    node._scope = scope
    node._g = None
    return node


def leaf(data: float | ndarray, requires_grad: bool = False) -> Value:
    """A leaf (a Value the user made) or a constant, in the current module call."""
    return new_node(data, None, (), None, requires_grad, current_modes()[SCOPE])


class Unrecorded:
    """Who is told of an op's result that is not recorded (made under `no_grad`, or from
    constants alone): nobody (None), except while `compile_step` traces a step, whose hook
    keeps the op and its inputs, so that what `fn` computes under `no_grad` is part of the
    program too (see compile/trace.py). Asked only where a result is not recorded: never on
    the path that records a node."""

    hook: Any = None


def op_result(op: type, parents: tuple[Value, ...], data: Any, params: dict | None) -> Value:
    """The node for `op`'s result: recorded when grad mode is on in this thread and some
    parent requires a gradient, else a constant. In anomaly mode the data is checked first."""
    grad_enabled, anomaly, scope = current_modes()
    if anomaly:
        check_finite(op, "forward", data)
    if grad_enabled:
        for v in parents:
            if v.requires_grad:
                return new_node(data, op, parents, params, True, scope)
    node = new_node(data, None, (), None, False, scope)
    if Unrecorded.hook is not None:
        Unrecorded.hook(node, op, parents, params)
    return node


def check_finite(op: type, phase: str, out: Any) -> None:
    """Raise `FloatingPointError` if `out` (data or a Value) holds a nan or inf: anomaly mode."""
    if out is None:
        return
    data = out._data if isinstance(out, Value) else out
    if not np.all(np.isfinite(data)):
        raise FloatingPointError(f"detect_anomaly: {op.__name__}.{phase} produced nan or inf")
