"""The steps of the step-through page: the forward pass one op at a time, then the backward pass
one op at a time, each with the numbers the engine computes and the words that explain them.

The graph is read with the engine's one walk (`engine.walk`), each op is described by its own
metadata (`symbol`, `derivative`, `describe`), and the numbers are the engine's own: the
gradient of every Value from `engine.grad` (one real backward pass, which changes no `.grad`),
and what flows from each op to each of its inputs from that op's `backward`, called through
the engine's `call_backward` and summed back to the input's shape by `unbroadcast`, as the
backward pass does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import Value, call_backward, grad, unbroadcast, walk

PREVIEW = 4  # entries of a tensor written out in the status text


@dataclass
class Flow:
    """What one op sends to one of its inputs in the backward pass (the chain rule)."""

    input: int  # the input's position in `Steps.values`
    gradient: Any  # incoming gradient times the local derivative, in the input's shape
    local: float | None  # d(op)/d(input) at these inputs: scalars only


@dataclass
class Step:
    """One step: the forward pass computing `node`, or the backward pass through it."""

    phase: str  # "start", "forward" or "backward"
    node: int | None  # the Value computed (forward) or whose op is processed (backward)
    inputs: list[int]
    lines: list[str]  # the status text, a line each
    final: list[int] = field(default_factory=list)  # Values whose gradient is final from here
    flows: list[Flow] = field(default_factory=list)


@dataclass
class Steps:
    """Every Value of a graph (inputs first), the engine's gradient of each, and the steps."""

    values: list[Value]
    grads: list[Any]  # d(output)/d(value); None for a constant (no gradient needed)
    steps: list[Step]
    names: list[str]

    @property
    def first_backward(self) -> int:
        """The index of the first backward step."""
        return next(i for i, s in enumerate(self.steps) if s.phase == "backward")


def walkthrough(output: Value) -> Steps:
    """The forward and backward steps of `output`'s graph.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> steps = walkthrough((a * b).tanh())
    >>> [s.phase for s in steps.steps]
    ['start', 'forward', 'forward', 'backward', 'backward', 'backward']
    >>> steps.steps[-1].lines[1]
    'local derivative: d(a·b) = b·da + a·db'
    """
    if not isinstance(output, Value):
        raise TypeError(f"explain() explains a Value's graph, got {type(output).__name__}")
    if not output.requires_grad:
        raise ValueError(
            "explain(): this Value does not require gradients (a constant, or computed under "
            "no_grad()), so there is no backward pass to show"
        )
    values = walk(output)
    position = {id(v): i for i, v in enumerate(values)}
    needing = [v for v in values if v.requires_grad]
    found = grad(output, needing)  # the engine's own pass; raises for a non-scalar output
    by_id = {id(v): g for v, g in zip(needing, found)}
    grads = [by_id.get(id(v)) for v in values]
    names = [value_name(v, i) for i, v in enumerate(values)]
    steps = [_start(values, names)]
    steps += [_forward(v, i, position, names) for i, v in enumerate(values) if v.op is not None]
    steps += _backward(values, grads, position, names)
    return Steps(values, grads, steps, names)


def value_name(v: Value, i: int) -> str:
    """How the page names a Value: its label, else its number in the graph (`#7`)."""
    return v.label or f"#{i}"


INFIX = {"+", "-", "*", "/", "@", "**"}


def formula(v: Value, inputs: list[str]) -> str:
    """How the op that made `v` reads with its inputs named: `a * b`, `#3**2`, `tanh(#4)`.

    >>> x = Value(2.0, label="x")
    >>> formula(x * x, ["x", "x"]), formula(x ** 2, ["x"]), formula(x.sum(), ["x"])
    ('x * x', 'x**2', 'sum(x)')
    """
    op: Any = v.op  # a Function subclass: this is an op node
    text = op.describe(v.params)
    if len(inputs) == 2 and text in INFIX:
        return f"{inputs[0]} {text} {inputs[1]}"
    if len(inputs) == 1 and text.startswith("**"):
        return f"{inputs[0]}{text}"
    return f"{text}({', '.join(inputs)})"


def number_text(x: Any) -> str:
    """A float in full (6 digits); a tensor as its shape and its first few entries."""
    if isinstance(x, Value):
        x = x.data
    if x.__class__ is float or (isinstance(x, np.ndarray) and x.size == 1):
        return f"{float(np.asarray(x).reshape(())):.6g}"
    a = np.asarray(x)
    flat = a.reshape(-1)
    shown = " ".join(f"{float(e):.3g}" for e in flat[:PREVIEW])
    more = " …" if flat.size > PREVIEW else ""
    return f"shape {a.shape} [{shown}{more}]"


def _start(values: list[Value], names: list[str]) -> Step:
    leaves = [i for i, v in enumerate(values) if v.op is None]
    named = [names[i] for i in leaves if values[i].label][:6]
    lines = [
        f"Forward pass: the graph starts from {len(leaves)} inputs, parameters and constants"
        + (f" ({', '.join(named)}{', …' if len(leaves) > len(named) else ''})" if named else ""),
        "Press Next (or →) to compute one operation at a time.",
    ]
    return Step("start", None, [], lines)


def _forward(v: Value, i: int, position: dict[int, int], names: list[str]) -> Step:
    inputs = [position[id(p)] for p in v.parents]
    args = ", ".join(f"{names[j]} = {number_text(p.data)}" for j, p in zip(inputs, v.parents))
    lines = [
        f"Forward: {names[i]} = {formula(v, [names[j] for j in inputs])}",
        f"inputs: {args}",
        f"result: {names[i]} = {number_text(v.data)}",
    ]
    return Step("forward", i, inputs, lines)


def _backward(
    values: list[Value], grads: list[Any], position: dict[int, int], names: list[str]
) -> list[Step]:
    out = len(values) - 1  # walk lists the output last
    uses = [0] * len(values)  # how many times each Value is an input that gets a gradient
    last_use: dict[int, int] = {}  # Value -> the node whose backward step finishes it
    for i, v in enumerate(values):
        for p in v.parents:
            if p.requires_grad:
                j = position[id(p)]
                uses[j] += 1
                last_use.setdefault(j, i)  # inputs first: the earliest user is processed last
    finishes: dict[int, list[int]] = {}
    for j, i in last_use.items():
        finishes.setdefault(i, []).append(j)
    seed = [
        f"Backward pass: start at the output, d{names[out]}/d{names[out]} = "
        f"{number_text(grads[out])}",
        "Each step sends the gradient of an operation's result to its inputs: "
        "incoming gradient × local derivative (the chain rule).",
    ]
    steps = [Step("backward", out, [], seed, final=[out])]
    received: dict[int, list[Any]] = {}
    for i in range(len(values) - 1, -1, -1):
        v = values[i]
        if v.op is None:
            continue
        steps.append(_through(v, i, grads[i], position, names, uses, received, finishes))
    return steps


def _through(
    v: Value,
    i: int,
    g: Any,
    position: dict[int, int],
    names: list[str],
    uses: list[int],
    received: dict[int, list[Any]],
    finishes: dict[int, list[int]],
) -> Step:
    """The backward step through the op that made `v`, whose gradient is `g`."""
    op: Any = v.op  # a Function subclass: this is an op node
    inputs = [position[id(p)] for p in v.parents]
    lines = [f"Backward through {names[i]} = {formula(v, [names[j] for j in inputs])}"]
    lines.append(
        f"local derivative: {op.derivative}"
        if op.derivative
        else f"local derivative: what {op.__name__}.backward computes (no formula given)"
    )
    lines.append(f"incoming gradient: d{names[-1]}/d{names[i]} = {number_text(g)}")
    sent = _gradients(v, g)
    local = _gradients(v, 1.0) if v.is_scalar and all(p.is_scalar for p in v.parents) else None
    flows = []
    for slot, (j, p) in enumerate(zip(inputs, v.parents)):
        if not p.requires_grad:
            lines.append(f"to {names[j]}: nothing (a constant needs no gradient)")
            continue
        gp = sent[slot]
        if gp is None:
            gp = 0.0 if p.is_scalar else np.zeros(p.shape, dtype=p.dtype)
        d = None if local is None or local[slot] is None else float(local[slot])
        flows.append(Flow(j, gp, d))
        if d is not None:
            words = f"{number_text(g)} × {number_text(d)} = {number_text(gp)}"
        else:
            words = number_text(gp)
        lines.append(f"to {names[j]}: {words}")
        so_far = received.setdefault(j, [])
        so_far.append(gp)
        if uses[j] > 1:
            lines.append(
                f"  {names[j]} is used {uses[j]} times: its gradient is the sum of what each "
                f"use sends, {' + '.join(number_text(x) for x in so_far)}"
                + (f" = {number_text(sum(so_far[1:], so_far[0]))}" if len(so_far) > 1 else "")
                + (" (final)" if len(so_far) == uses[j] else " so far")
            )
    return Step("backward", i, inputs, lines, final=sorted(finishes.get(i, [])), flows=flows)


def _gradients(v: Value, g: Any) -> list[Any]:
    """What `v`'s op sends to each input for the incoming gradient `g`: the engine's
    `call_backward`, summed back to each input's shape (as the backward pass does)."""
    op: Any = v.op  # a Function subclass: this is an op node
    params = dict(v.params)
    if op.skips_unneeded_grads:
        params["needs_grad"] = tuple(p.requires_grad for p in v.parents)
    data = [p.data for p in v.parents]
    if isinstance(g, Value):
        g = g.data
    try:
        results = call_backward(op, g, data, v.data, params)
    except ArithmeticError:  # Python floats raise where numpy gives inf/nan, as in the engine
        with np.errstate(all="ignore"):
            results = call_backward(
                op, np.float64(g), [np.float64(d) for d in data], np.float64(v.data), params
            )
    shaped: list[Any] = []
    for p, r in zip(v.parents, results):
        if r is None:
            shaped.append(None)
            continue
        if isinstance(r, Value):
            r = r.data
        if p.is_scalar:
            shaped.append(float(np.sum(r)) if np.ndim(r) else float(r))
        else:
            r = np.asarray(r, dtype=p.dtype)
            shaped.append(
                np.broadcast_to(r, p.shape).copy()
                if r.ndim == 0
                else np.asarray(unbroadcast(r, p.shape))
            )
    return shaped
