"""Workload 4, scaling and memory.

- Backward time and peak memory of a chain of n scalar ops (`y = y * 1.0000001`), n = 10^3 to
  10^6: both must grow linearly, so the per-op figures are compared with the 10^3 chain's.
- Peak memory (tracemalloc, numpy's buffers included) of one large-MLP training step, ours
  against numpy by hand.
- Memory over 10,000 training steps of the digits MLP: what is allocated at the end against
  what was allocated after the first 1,000, model included (flat: a ratio of 1).
"""

from __future__ import annotations

import gc
import time
import tracemalloc

from tinygrad_mlp import Value

from . import tensor_mlp
from .timing import GcDisabled, Row, Workload, peak_memory

NAME = "scaling"


def chain(n: int) -> tuple[Value, Value]:
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0000001
    return x, y


def backward_seconds(n: int, repeats: int) -> float:
    """The fastest of `repeats` backward passes over a fresh n-op chain (building not timed)."""
    best = float("inf")
    for _ in range(repeats):
        _, y = chain(n)
        with GcDisabled():
            start = time.perf_counter()
            y.backward()
            best = min(best, time.perf_counter() - start)
        del y
    return best


def chain_peak_bytes(n: int) -> int:
    def build_and_backward() -> None:
        _, y = chain(n)
        y.backward()

    return peak_memory(build_and_backward)


def memory_over_steps(steps: int, first: int) -> tuple[int, int]:
    """Traced bytes allocated after `first` and after `steps` digits-MLP training steps.

    Tracing starts before the model is built, so both figures include the model, its gradients
    and the optimizer: flat memory means the two are equal.
    """
    size = tensor_mlp.SIZES[1]
    gc.collect()
    tracemalloc.start()
    try:
        step = tensor_mlp.contestants(size, "float32")["ours"]
        for i in range(1, steps + 1):
            step()
            if i == first:
                gc.collect()
                after_first = tracemalloc.get_traced_memory()[0]
        gc.collect()
        at_end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after_first, at_end


def run(quick: bool = False) -> Workload:
    result = Workload(NAME)
    sizes = [10**3, 10**4, 10**5] + ([] if quick else [10**6])
    per_op = {n: backward_seconds(n, 5 if n <= 10**5 else 2) / n for n in sizes}
    base = sizes[0]
    for n in sizes[1:]:
        result.rows.append(
            Row(
                NAME,
                f"chain of {n:,} ops: backward per op",
                per_op[n],
                f"chain of {base:,}",
                per_op[base],
                target=1.5 if n == 10**6 else None,
            )
        )
    mem_sizes = [10**3, 10**4] + ([10**5] if quick else [10**5, 10**6])
    mem = {n: chain_peak_bytes(n) / n for n in mem_sizes}
    for n in mem_sizes[1:]:
        result.rows.append(
            Row(
                NAME,
                f"chain of {n:,} ops: peak memory per op",
                mem[n],
                f"chain of {mem_sizes[0]:,}",
                mem[mem_sizes[0]],
                unit="B/op",
            )
        )
    large = tensor_mlp.SIZES[-1]
    for dtype in ("float32", "float64"):
        cases = tensor_mlp.contestants(large, dtype)
        for step in cases.values():
            step()  # the first step allocates what later steps reuse (velocity, caches)
        result.rows.append(
            Row(
                NAME,
                f"large {dtype} step: peak memory",
                peak_memory(cases["ours"]),
                "numpy by hand",
                peak_memory(cases["numpy by hand"]),
                target=1.25,
                unit="B",
            )
        )
    steps, first = (2_000, 1_000) if quick else (10_000, 1_000)
    after_first, at_end = memory_over_steps(steps, first)
    result.rows.append(
        Row(
            NAME,
            f"digits float32 steps: memory after {steps:,} steps",
            at_end,
            f"after {first:,} steps",
            after_first,
            target=1.05,
            unit="B",
        )
    )
    return result
