"""Workload 5, graph rendering: building and rendering the SVG of a computation graph.

Two graphs: the loss of the 2-16-16-1 MLP on a batch of 8 (the library's modules, drawn with
their boxes) and a chain of 100,000 scalar ops (past `max_nodes`, drawn collapsed: what a user
gets when they draw a huge graph). Absolute times: there is no peer to compare with.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from tinygrad_mlp import MLP, Value, losses

from .timing import Row, Workload

NAME = "rendering"


def mlp_loss() -> Value:
    model = MLP(2, [16, 16, 1], seed=0)
    rng = np.random.default_rng(0)
    loss = losses.mse(model(rng.normal(size=(8, 2))), rng.normal(size=(8, 1)))
    loss.backward()
    return loss


def big_chain(n: int) -> Value:
    y = Value(1.0, label="x")
    for _ in range(n):
        y = y * 1.0000001
    y.backward()
    return y


def render_seconds(output: Value, repeats: int) -> float:
    from tinygrad_mlp import draw_graph

    best = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            start = time.perf_counter()
            draw_graph(output, path=Path(folder) / "graph.svg")
            best = min(best, time.perf_counter() - start)
    return best


def run(quick: bool = False) -> Workload:
    result = Workload(NAME)
    try:
        from tinygrad_mlp import draw_graph  # noqa: F401
    except ImportError:
        result.notes.append(f"{NAME}: tinygrad_mlp.draw_graph is not available, skipped")
        return result
    if shutil.which("dot") is None:
        result.notes.append(f"{NAME}: Graphviz's `dot` is not on PATH, skipped")
        return result
    repeats = 2 if quick else 5
    cases = [("2-16-16-1 MLP loss graph, SVG", mlp_loss())]
    n = 10_000 if quick else 100_000
    cases.append((f"{n:,}-node chain, SVG (collapsed past max_nodes)", big_chain(n)))
    for case, output in cases:
        seconds = render_seconds(output, repeats if "MLP" in case else 1)
        result.rows.append(Row(NAME, case, seconds, "none (absolute time)", None))
    return result
