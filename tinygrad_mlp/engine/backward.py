"""The backward pass: reverse-mode differentiation over a recorded graph.

One pass serves `Value.backward` and `grad`. It walks the graph outputs-first; each Value's
gradient in the pass is kept in its private `_g` slot (a slot, not a dict: the pass is the hot
loop of a scalar graph) and cleared when the pass ends, so the pass itself changes no `.grad`.
`backward` then stores what it found (intermediate Values get this pass's gradient, leaves
accumulate); `grad` returns it and leaves every `.grad` as it was.

Each op's `backward` is called, and what it returns checked, in one place (`call_backward`);
the loop's fast paths for one- and two-input ops without params (nearly every node of a scalar
graph) only skip the work that plain floats do not need, and hand anything unusual to it.
Two passes over graphs that share Values must not run at the same time in two threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .accumulate import add_gradient, seed_gradient, store_leaf_gradients
from .data import as_data
from .function import PASSES_GRADIENT, PRODUCT_RULE, constant, lift
from .graph import walk
from .modes import enable_grad, is_anomaly_enabled
from .node import StaleDataError, check_finite, latest_data_change
from .value import Value

ndarray = np.ndarray


def backward(root: Value, grad: Any = None, create_graph: bool = False) -> None:
    """`root.backward(grad, create_graph)`: store d(root)/d(v) in `v.grad` for every v behind it.

    Intermediate Values get this pass's gradient; leaves add it to what they hold, each into an
    array of its own (never the caller's `grad`, never another Value's).
    """
    if not root.requires_grad:
        raise ValueError(
            "backward() on a Value that does not require gradients: it is a constant, "
            "or was computed under no_grad() or from constants only"
        )
    order, leaves = backpropagate(root, seed_gradient(root, grad), create_graph, store=True)
    found = []
    for leaf in leaves:
        found.append(leaf._g)
        leaf._g = None
    store_leaf_gradients(leaves, found)


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    grad_output: Any = None,
    create_graph: bool = False,
) -> Any:
    """d(output)/d(input) for each input, returned instead of stored in `.grad`.

    >>> x = Value(3.0)
    >>> (dx,) = grad(x ** 3, [x], create_graph=True)    # 3x^2, as a Value
    >>> (ddx,) = grad(dx, [x])                          # 6x
    >>> dx.item(), ddx
    (27.0, 18.0)

    Returns a tuple (or a single gradient when `inputs` is one Value). An input that `output`
    does not depend on gets a zero gradient, also when `output` is a constant (as in JAX and
    HIPS autograd). No `.grad` anywhere is changed.
    """
    single = isinstance(inputs, Value)
    wanted: list[Value] = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, v in enumerate(wanted):
        if not isinstance(v, Value):
            raise TypeError(f"grad(): inputs[{i}] is {type(v).__name__}, not a Value")
    if not isinstance(output, Value):
        raise TypeError(f"grad(): output is {type(output).__name__}, not a Value")
    seed = seed_gradient(output, grad_output)
    if output.requires_grad:
        order, leaves = backpropagate(output, seed, create_graph, store=False)
        found = [v._g for v in wanted]
        _clear(order, leaves)
    else:  # a constant depends on nothing: only d(output)/d(output) is not zero
        found = [seed if v is output else None for v in wanted]
    results = []
    for v, g in zip(wanted, found):
        if g is None:
            g = 0.0 if v._data.__class__ is float else np.zeros_like(v._data)
        if create_graph and not isinstance(g, Value):
            g = constant(as_data(g, None if g.__class__ is float else v.dtype))
        results.append(g)
    return results[0] if single else tuple(results)


def backpropagate(
    root: Value, seed: Any, create_graph: bool = False, store: bool = True
) -> tuple[list[Value], list[Value]]:
    """Propagate `seed` = d(final)/d(root) to every Value `root` depends on.

    Returns the recorded nodes in the order visited (outputs first) and the leaves that got a
    gradient, in the order reached; each of those leaves holds its gradient in `_g`, for the
    caller to take and clear. With `store`, each node's `.grad` is set to its gradient on the
    way and its `_g` cleared; without, every `_g` is left for the caller (`_clear`). With
    `create_graph`, the pass is recorded: gradients are Values.
    """
    order = walk(root, leaves=False)
    order.reverse()  # outputs first
    leaves: list[Value] = []
    root._g = seed
    if not order:  # backward on a leaf: its own gradient is the seed
        leaves.append(root)
        return order, leaves
    if latest_data_change() > order[-1]._index:  # some data changed since the oldest node
        check_unchanged(order)
    try:
        if create_graph:
            with enable_grad():
                _run_recorded(order, leaves, store)
        else:
            _run(order, leaves, store)
    except BaseException:
        _clear(order, leaves)
        raise
    return order, leaves


def _clear(order: list[Value], leaves: list[Value]) -> None:
    """Forget a pass's gradients, so that the next pass starts from nothing."""
    for v in order:
        v._g = None
    for v in leaves:
        v._g = None


def _run(order: list[Value], leaves: list[Value], store: bool) -> None:
    """The ordinary pass, on plain data. A float gradient of a scalar input is added right here
    (the two-input case unrolled: nearly every node of a scalar graph); anything else (arrays,
    broadcasting, a custom op's odd result) goes through `add_gradient`."""
    anomaly = is_anomaly_enabled()
    push_leaf = leaves.append
    passes_gradient, product_rule = PASSES_GRADIENT, PRODUCT_RULE
    for node in order:
        g = node._g
        if store:
            node.grad = g if g is not None else (0.0 if node._data.__class__ is float else None)
            node._g = None
        if g is None:  # no gradient reached this node (an op returned None for it)
            continue
        op = node._op
        parents = node._prev
        params = node._params
        if not params and len(parents) == 2:
            a, b = parents
            if op in passes_gradient:  # a sum: both inputs get g itself, no call needed
                ga = gb = g
            elif op in product_rule:  # a product: g times the other input, where needed
                ga = g * b._data if a.requires_grad else None
                gb = g * a._data if b.requires_grad else None
            else:
                # params {}, not None: an op that skips unneeded gradients (Function.apply)
                if params is not None:
                    params = {"needs_grad": (a.requires_grad, b.requires_grad)}
                try:
                    if params is None:
                        ga, gb = op.backward(g, a._data, b._data, node._data)
                    else:
                        ga, gb = op.backward(g, a._data, b._data, node._data, **params)
                except ArithmeticError:  # Python floats raise where numpy gives inf/nan
                    ga, gb = _backward_like_numpy(op, g, (a._data, b._data), node._data, params)
                except (ValueError, TypeError):  # not two gradients: say so, as in general
                    ga, gb = call_backward(op, g, [a._data, b._data], node._data, params)
            if anomaly:
                _check_needed(op, parents, (ga, gb))
            if a.requires_grad:
                if ga.__class__ is float and a._data.__class__ is float:
                    current = a._g
                    if current is None:
                        a._g = ga
                        if a._op is None:
                            push_leaf(a)
                    else:
                        a._g = current + ga
                elif ga is not None:
                    add_gradient(leaves, op, 0, a, ga, ga is g or ga is gb)
            if b.requires_grad:
                if gb.__class__ is float and b._data.__class__ is float:
                    current = b._g
                    if current is None:
                        b._g = gb
                        if b._op is None:
                            push_leaf(b)
                    else:
                        b._g = current + gb
                elif gb is not None:
                    add_gradient(leaves, op, 1, b, gb, gb is g or gb is ga)
            continue
        if params is None and len(parents) == 1:
            a = parents[0]
            try:
                ga = op.backward(g, a._data, node._data)
            except ArithmeticError:
                (ga,) = _backward_like_numpy(op, g, (a._data,), node._data, None)
            if ga.__class__ is tuple:
                (ga,) = checked_gradients(op, ga, 1)
            if ga is None or not a.requires_grad:
                continue
            if anomaly:
                check_finite(op, "backward", ga)
            if ga.__class__ is float and a._data.__class__ is float:
                current = a._g
                if current is None:
                    a._g = ga
                    if a._op is None:
                        push_leaf(a)
                else:
                    a._g = current + ga
            else:
                add_gradient(leaves, op, 0, a, ga, ga is g)
            continue
        if op.skips_unneeded_grads:
            params = {**params, "needs_grad": tuple([p.requires_grad for p in parents])}
        data = [p._data for p in parents]
        try:
            results = call_backward(op, g, data, node._data, params)
        except ArithmeticError:
            results = _backward_like_numpy(op, g, tuple(data), node._data, params)
        if anomaly:
            _check_needed(op, parents, results)
        n = len(results)
        for i, (p, gp) in enumerate(zip(parents, results)):
            if gp is not None and p.requires_grad:
                # Asked for a leaf only (see add_gradient): is its gradient another Value's too,
                # the gradient `g` passed on, or one array given to two inputs?
                shared = p._op is None and (
                    gp is g
                    or (n == 2 and results[1 - i] is gp)
                    or (n > 2 and sum(r is gp for r in results) > 1)
                )
                add_gradient(leaves, op, i, p, gp, shared)


def _check_needed(op: type, parents: tuple[Value, ...], results: Sequence[Any]) -> None:
    """Anomaly mode: check the gradients that are used (a constant's is never looked at)."""
    for p, gp in zip(parents, results):
        if gp is not None and p.requires_grad:
            check_finite(op, "backward", gp)


def _run_recorded(order: list[Value], leaves: list[Value], store: bool) -> None:
    """The pass with Values in place of data, so that it is itself recorded as a graph."""
    anomaly = is_anomaly_enabled()
    for node in order:
        g = node._g
        if g is not None and not isinstance(g, Value):
            g = node._g = lift(g, node)
        if store:
            node.grad = g if g is not None else (0.0 if node._data.__class__ is float else None)
            node._g = None
        if g is None:
            continue
        op = node._op
        try:
            results = call_backward(op, g, list(node._prev), node, node._params)
        except TypeError as exc:
            raise TypeError(
                f"{op.__name__}.backward failed under create_graph=True, where it receives "
                f"Values instead of arrays: to be differentiated again it must use Value "
                f"operations (not numpy functions). The error was: {exc}"
            ) from exc
        if anomaly:
            _check_needed(op, node._prev, results)
        for i, (p, gp) in enumerate(zip(node._prev, results)):
            if gp is not None and p.requires_grad:
                add_gradient(leaves, op, i, p, gp if isinstance(gp, Value) else lift(gp, g))


def call_backward(
    op: Any, g: Any, inputs: list[Any], out: Any, params: dict | None
) -> tuple[Any, ...]:
    """Call `op.backward` and check what it returns: one gradient (or None) per input."""
    result = op.backward(g, *inputs, out, **params) if params else op.backward(g, *inputs, out)
    if result.__class__ is tuple and len(result) == len(inputs):  # as it should be
        return result
    return checked_gradients(op, result, len(inputs))


def checked_gradients(op: type, result: Any, n_inputs: int) -> tuple[Any, ...]:
    """`result` of `op.backward` as a tuple of `n_inputs` gradients, or a `TypeError` saying
    what is wrong with it. (The types of the gradients themselves: `add_gradient`.)"""
    if result.__class__ is not tuple:
        if n_inputs == 1:
            return (result,)
        raise TypeError(
            f"{op.__name__}.backward returned one {type(result).__name__} for {n_inputs} "
            f"inputs; return a tuple of {n_inputs} gradients (None for an input that needs none)"
        )
    if len(result) != n_inputs:
        raise TypeError(
            f"{op.__name__}.backward returned {len(result)} gradients for {n_inputs} "
            f"input{'s' if n_inputs != 1 else ''}"
        )
    return result


def check_unchanged(order: list[Value]) -> None:
    """Raise `StaleDataError` if a node's data, or an input's, changed after it was recorded."""
    for node in order:
        for v in (node, *node._prev):
            if v.changed_since(node._index):
                name = repr(v.label) if v.label else f"of shape {v.shape}"
                raise StaleDataError(
                    f"backward: the data of the Value {name} was assigned after "
                    f"{node._op.__name__} used it, so its gradient would be wrong. Compute the "
                    f"output again from the new data, then call backward()."
                )


def _backward_like_numpy(
    op: type, g: Any, inputs: tuple, out: Any, params: dict | None
) -> tuple[Any, ...]:
    """Redo a scalar backward in numpy float64, so 1/0 is inf with a warning, not an exception."""
    f64 = np.float64
    data = [f64(x) if x.__class__ is float else x for x in inputs]
    results = call_backward(op, f64(g), data, f64(out), params)
    return tuple(None if x is None else float(x) for x in results)
