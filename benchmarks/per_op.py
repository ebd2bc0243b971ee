"""Workload 3, per-op overhead: a chain of 1,000 small elementwise ops, forward and backward.

The chain cycles through `y * 1.001`, `y + 0.5` and `tanh(y)`. Tensor case: a vector of 16
elements, ours against the same chain by hand in numpy (intermediates kept, backward written
out) and PyTorch eager. Scalar case: micrograd has no tanh, so its chain cycles `* 1.001`,
`+ 0.5` and `relu`, for ours and micrograd alike (micrograd's recursive sort needs the recursion
limit raised for a 1,000-op chain). Reported per op (forward + backward).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from tinygrad_mlp import Value

from .timing import GcDisabled, Row, Workload, interleaved, missing_note, optional

NAME = "per_op"
LENGTH = 1000
WIDTH = 16


def engine_chain(
    x: np.ndarray | float, length: int = LENGTH, last: str = "tanh", value_class: Any = Value
) -> Any:
    """Run the chain on a Value of x; returns that leaf after backward (its .grad filled).
    `value_class`: another engine's Value (see against.py)."""
    leaf = value_class(x)
    y = leaf
    for i in range(length):
        k = i % 3
        y = y * 1.001 if k == 0 else y + 0.5 if k == 1 else getattr(y, last)()
    (y.sum() if isinstance(x, np.ndarray) else y).backward()
    return leaf


def numpy_chain(x: np.ndarray, length: int = LENGTH) -> np.ndarray:
    """The same chain and its backward written by hand: d(sum(y))/dx."""
    tanh_outputs = []
    y = x
    for i in range(length):
        k = i % 3
        if k == 0:
            y = y * 1.001
        elif k == 1:
            y = y + 0.5
        else:
            y = np.tanh(y)
            tanh_outputs.append(y)
    g = np.ones_like(y)
    for i in range(length - 1, -1, -1):
        k = i % 3
        if k == 0:
            g = g * 1.001
        elif k == 2:
            t = tanh_outputs.pop()
            g = g * (1.0 - t * t)  # d tanh = 1 - tanh^2
    return g


def torch_chain(torch: Any, x: Any, length: int = LENGTH) -> Any:
    leaf = x.detach().clone().requires_grad_(True)
    y = leaf
    for i in range(length):
        k = i % 3
        y = y * 1.001 if k == 0 else y + 0.5 if k == 1 else torch.tanh(y)
    y.sum().backward()
    return leaf.grad


def micrograd_chain(MV: type, x: float, length: int = LENGTH) -> Any:
    """micrograd's recursive topological sort needs a recursion limit above the chain's length."""
    leaf = MV(x)
    y = leaf
    for i in range(length):
        k = i % 3
        y = y * 1.001 if k == 0 else y + 0.5 if k == 1 else y.relu()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * length))
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    return leaf


def run(quick: bool = False) -> Workload:
    result = Workload(NAME)
    repeats = 7 if quick else 25
    x = np.random.default_rng(0).normal(size=WIDTH)
    cases = {"ours": lambda: engine_chain(x), "numpy by hand": lambda: numpy_chain(x)}
    torch = optional("torch")
    if torch is None:
        result.notes.append(missing_note("PyTorch", NAME))
    else:
        tx = torch.from_numpy(x)
        cases["pytorch"] = lambda: torch_chain(torch, tx)
    times = interleaved(cases, repeats)
    for baseline in ("numpy by hand", "pytorch"):
        result.rows.append(
            Row(
                NAME,
                f"{WIDTH}-vector op + backward, per op",
                times["ours"] / LENGTH,
                baseline,
                times[baseline] / LENGTH if baseline in times else None,
            )
        )
    micrograd = optional("micrograd.engine")
    if micrograd is None:
        result.notes.append(missing_note("micrograd", NAME))
        return result
    with GcDisabled():
        scalar = interleaved(
            {
                "ours": lambda: engine_chain(0.3, last="relu"),
                "micrograd": lambda: micrograd_chain(micrograd.Value, 0.3),
            },
            repeats,
        )
    result.rows.append(
        Row(
            NAME,
            "scalar op + backward, per op (GC off)",
            scalar["ours"] / LENGTH,
            "micrograd",
            scalar["micrograd"] / LENGTH,
        )
    )
    return result
