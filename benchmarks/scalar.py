"""Workload 1, scalar: micrograd's demo training step, ours against micrograd.

The network is micrograd's `MLP(2, [16, 16, 1])` on 100 moons samples (about 66,000 nodes per
step), written micrograd's way over each library's scalar `Value` (see `scalar_net.py`). Timed
twice: as each library ships (cyclic garbage collector on: micrograd's closures make a reference
cycle per node, which the collector must find), and with the collector off for both, so the
engines themselves are compared. With it off, micrograd's graphs are collected between steps,
outside the timing, while ours are freed inside it (by reference counting, as they are dropped).
"""

from __future__ import annotations

import gc

from tinygrad_mlp import Value

from . import scalar_net
from .timing import GcDisabled, Row, Workload, interleaved, missing_note, optional

NAME = "scalar"


def nodes_per_step(model: scalar_net.MLP, X: list[list[float]], y: list[float]) -> int:
    """How many Values one training step creates (inputs, weights' uses, constants, results)."""
    before = Value(0.0)._index
    scalar_net.training_step(Value, model, X, y)
    return Value(0.0)._index - before - 1


def cycles_per_step(V: type, model: scalar_net.MLP, X: list[list[float]], y: list[float]) -> int:
    """Objects left for the cyclic collector by one step (0: the graph is freed when dropped)."""
    with GcDisabled():
        scalar_net.training_step(V, model, X, y)
        return gc.collect()


def run(quick: bool = False) -> Workload:
    result = Workload(NAME)
    X, y = scalar_net.demo_data(100)
    ours = scalar_net.MLP(Value, 2, [16, 16, 1], seed=0)
    nodes = nodes_per_step(ours, X, y)
    micrograd = optional("micrograd.engine")
    if micrograd is None:
        result.notes.append(missing_note("micrograd", NAME))
        with GcDisabled():
            t = interleaved({"ours": lambda: scalar_net.training_step(Value, ours, X, y)}, 5)
        result.rows.append(
            Row(NAME, f"demo step, GC off ({nodes:,} nodes)", t["ours"], "micrograd", None)
        )
        return result
    MV = micrograd.Value
    theirs = scalar_net.MLP(MV, 2, [16, 16, 1], seed=0)
    cases = {
        "ours": lambda: scalar_net.training_step(Value, ours, X, y),
        "micrograd": lambda: scalar_net.training_step(MV, theirs, X, y),
    }
    with GcDisabled():
        off = interleaved(cases, repeats=5 if quick else 15)
    on = interleaved(cases, repeats=2 if quick else 5)
    per_node = off["ours"] / nodes * 1e6
    result.rows += [
        Row(
            NAME,
            f"demo step, GC off for both ({nodes:,} nodes)",
            off["ours"],
            "micrograd",
            off["micrograd"],
            target=1 / 2.5,
            note=f"ours {per_node:.2f} µs/node",
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
    ours_cycles = cycles_per_step(Value, ours, X, y)
    their_cycles = cycles_per_step(MV, theirs, X, y)
    result.notes.append(
        f"{NAME}: objects only the cyclic GC can free, per step: ours {ours_cycles:,}, "
        f"micrograd {their_cycles:,}"
    )
    return result
