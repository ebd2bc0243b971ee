"""Workload 1, scalar: micrograd's demo training step, ours against micrograd.

The network is micrograd's `MLP(2, [16, 16, 1])` on 100 moons samples (about 66,000 nodes per
step), written micrograd's way over each library's scalar `Value` (see `scalar_net.py`). Timed
twice:

- as each library ships, the cyclic garbage collector on: micrograd's closures make a reference
  cycle per node, which the collector must find; ours are freed by reference counting. Each step
  drops its graph inside the timing, so every cost of both is counted. (The objects that existed
  before the run, imported modules above all, are frozen out of the collector's scans: run.py.)
- with the collector off for both, so that the engines themselves are compared: building the
  graph, backward and the update. A step's graph is then dropped after the clock stops, for both
  (micrograd's would never be freed without the collector); what freeing ours costs is reported
  beside it.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from tinygrad_mlp import Value, compile_step, optim

from . import scalar_net
from .timing import GcDisabled, Row, Workload, interleaved, missing_note, optional

NAME = "scalar"


def nodes_per_step(model: scalar_net.MLP, X: list[list[float]], y: list[float]) -> int:
    """How many Values one training step creates (inputs, weights' uses, constants, results):
    the loss and its backward pass, whose creation indices count them (the SGD update after it
    assigns data, which also ticks that clock)."""
    before = Value(0.0).index
    scalar_net.loss(Value, model, X, y).backward()
    return Value(0.0).index - before - 1


def cycles_per_step(V: type, model: scalar_net.MLP, X: list[list[float]], y: list[float]) -> int:
    """Objects left for the cyclic collector by one step (0: the graph is freed when dropped)."""
    with GcDisabled():
        scalar_net.training_step(V, model, X, y)
        return gc.collect()


def freeing_seconds(
    model: scalar_net.MLP, X: list[list[float]], y: list[float], repeats: int
) -> float:
    """How long dropping one step's graph takes for ours (reference counting frees it at once)."""
    best = float("inf")
    with GcDisabled():
        for _ in range(repeats):
            graph = scalar_net.training_step(Value, model, X, y)
            start = time.perf_counter()
            del graph
            best = min(best, time.perf_counter() - start)
    return best


def phases(V: type, model: scalar_net.MLP, X: list, y: list, repeats: int) -> tuple[float, float]:
    """Median seconds of building the loss graph and of its backward pass, collector off."""
    build, backward = [], []
    with GcDisabled():
        for _ in range(repeats):
            start = time.perf_counter()
            total = scalar_net.loss(V, model, X, y)
            middle = time.perf_counter()
            total.backward()
            build.append(middle - start)
            backward.append(time.perf_counter() - middle)
            del total
            gc.collect()
    return statistics.median(build), statistics.median(backward)


def run(quick: bool = False) -> Workload:
    result = Workload(NAME)
    X, y = scalar_net.demo_data(100)
    ours = scalar_net.MLP(Value, 2, [16, 16, 1], seed=0)
    nodes = nodes_per_step(ours, X, y)
    off_case = "demo step, GC off for both"
    micrograd = optional("micrograd.engine")
    if micrograd is None:
        result.notes.append(missing_note("micrograd", NAME))
        with GcDisabled():
            step = {"ours": lambda: scalar_net.training_step(Value, ours, X, y)}
            t = interleaved(step, repeats=5, free_outside=True)
        result.rows.append(Row(NAME, off_case, t["ours"], "micrograd", None))
        return result
    MV = micrograd.Value
    theirs = scalar_net.MLP(MV, 2, [16, 16, 1], seed=0)
    cases = {
        "ours": lambda: scalar_net.training_step(Value, ours, X, y),
        "micrograd": lambda: scalar_net.training_step(MV, theirs, X, y),
    }
    with GcDisabled():
        off = interleaved(cases, repeats=5 if quick else 15, free_outside=True)
    on = interleaved(cases, repeats=2 if quick else 5)
    result.rows += [
        Row(
            NAME,
            off_case,
            off["ours"],
            "micrograd",
            off["micrograd"],
            target=1 / 2.5,
            note=f"{nodes:,} nodes, ours {off['ours'] / nodes * 1e6:.2f} µs/node",
        ),
        Row(
            NAME,
            "demo step, GC on (as shipped)",
            on["ours"],
            "micrograd",
            on["micrograd"],
            target=1 / 15,
        ),
    ]
    compiled_model = scalar_net.MLP(Value, 2, [16, 16, 1], seed=0)
    compiled = compile_step(
        lambda: scalar_net.loss(Value, compiled_model, X, y),
        optim.SGD(compiled_model.parameters(), lr=0.1),  # the demo's update, p -= 0.1 * grad
    )
    start = time.perf_counter()
    compiled()
    compiled()  # two traces; the generated program runs from the third call
    trace_seconds = time.perf_counter() - start
    with_compiled: dict[str, Callable[[], Any]] = {
        "ours compiled": compiled,
        "micrograd": cases["micrograd"],
    }
    with GcDisabled():
        off_c = interleaved(with_compiled, repeats=3 if quick else 9, free_outside=True)
    on_c = interleaved(with_compiled, repeats=2 if quick else 5)
    result.rows += [
        Row(
            NAME,
            "demo step compiled, GC off",
            off_c["ours compiled"],
            "micrograd",
            off_c["micrograd"],
            target=1 / 10,
        ),
        Row(
            NAME,
            "demo step compiled, GC on (as shipped)",
            on_c["ours compiled"],
            "micrograd",
            on_c["micrograd"],
            target=1 / 40,
        ),
    ]
    result.notes.append(
        f"{NAME}: compiling the demo step (two traces, code generation, Python's compile of "
        f"the generated source): {trace_seconds:.1f} s, once"
    )
    ours_cycles = cycles_per_step(Value, ours, X, y)
    their_cycles = cycles_per_step(MV, theirs, X, y)
    repeats = 2 if quick else 7
    (ours_build, ours_back), (their_build, their_back) = (
        phases(Value, ours, X, y, repeats),
        phases(MV, theirs, X, y, repeats),
    )
    result.notes += [
        f"{NAME}: GC off, building the graph / backward: ours {ours_build * 1e3:.0f} / "
        f"{ours_back * 1e3:.0f} ms, micrograd {their_build * 1e3:.0f} / {their_back * 1e3:.0f} ms",
        f"{NAME}: objects only the cyclic GC can free, per step: ours {ours_cycles:,}, "
        f"micrograd {their_cycles:,}",
        f"{NAME}: freeing one step's graph (ours, reference counting, not in the GC-off "
        f"figure): {freeing_seconds(ours, X, y, repeats) * 1e3:.1f} ms",
    ]
    return result
