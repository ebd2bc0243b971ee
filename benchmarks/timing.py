"""Measuring: interleaved medians, peak memory, optional peers, and the rows of the results table.

Timings are wall-clock (`time.perf_counter`) medians of repeated runs, ours and the baselines
run in turn (A B C A B C ...) so that a load on the machine hits all of them alike.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


@dataclass
class Row:
    """One line of the results table: ours against one baseline, as a ratio of the two."""

    workload: str
    case: str
    ours: float  # seconds, or bytes when `unit` is "B"
    baseline: str  # what we compare against ("micrograd", "numpy by hand", "pytorch", ...)
    theirs: float | None  # None: the peer is not installed (see `note`)
    target: float | None = None  # the most `ours / theirs` may be, when the issue sets a target
    unit: str = "s"  # "s", "B" (bytes) or "B/op"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """ours / theirs: below 1 means ours is faster (or smaller)."""
        if self.theirs is None or self.theirs == 0:
            return None
        return self.ours / self.theirs

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target


@dataclass
class Workload:
    """What one workload module returns: its rows and free-form notes (skipped peers...)."""

    name: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def interleaved(
    cases: dict[str, Callable[[], Any]],
    repeats: int,
    warmup: int = 1,
    free_outside: bool = False,
    alternate: bool = False,
) -> dict[str, float]:
    """Median seconds per call of each case, the cases run in turn `repeats` times.

    The cyclic garbage collector runs between calls, outside the timing, so that a case never
    pays for the cycles another one left. With `free_outside`, what a call returns is dropped
    after the clock stops, so freeing it is not timed either. With `alternate`, every other
    round runs the cases in reverse order, so that none always runs first.
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    forward = list(cases.items())
    for round_ in range(warmup + repeats):
        for name, fn in forward[::-1] if alternate and round_ % 2 else forward:
            gc.collect()
            if free_outside:
                start = time.perf_counter()
                result = fn()
                elapsed = time.perf_counter() - start
                del result
            else:
                start = time.perf_counter()
                fn()
                elapsed = time.perf_counter() - start
            if round_ >= warmup:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated (traced by tracemalloc, numpy arrays included) while `fn` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base


class GcDisabled:
    """`with GcDisabled():` turns the cyclic garbage collector off, and back on after."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.collect()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


def optional(module: str) -> ModuleType | None:
    """The module if it is installed (`pip install -e ".[bench]"`), else None."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def missing_note(peer: str, workload: str) -> str:
    return f'{workload}: {peer} is not installed, skipped (pip install -e ".[bench]")'


def version_of(module: str) -> str:
    mod = optional(module)
    if mod is None:
        return "not installed"
    version = getattr(mod, "__version__", None)
    if version is None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        try:
            version = dist_version(module)
        except PackageNotFoundError:
            version = "unknown"
    return str(version)


def fix_allocator_thresholds() -> str:
    """Serve every array of the suite from the heap, never from a fresh `mmap`: one line saying
    what was done (or why not), for the run's description.

    glibc's malloc gives a block above its mmap threshold (128 KiB at first) pages of its own,
    which the first write must fault in, and then raises the threshold as such blocks are
    freed: whether a large step's temporaries cost page faults depends on what the process
    allocated before. Measured on the large float64 step, the same engine's backward took 9.3
    or 12.3 ms in two processes, and the previous engine's was faster or slower than this one's
    depending on the run (benchmarks/RESULTS.md). A fixed threshold above every array the suite
    makes (its largest is 3.2 MB) takes that history out of every row, ours and the baselines'.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return "allocator: the platform's (no glibc `mallopt` to fix its thresholds)"
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's malloc.h
    limit = 32 * 2**20  # the most glibc accepts for the mmap threshold on 64-bit
    if mallopt(m_mmap_threshold, limit) and mallopt(m_trim_threshold, 2 * limit):
        return "allocator: glibc, blocks up to 32 MiB from the heap (mmap threshold fixed)"
    return "allocator: glibc, its thresholds as they were (mallopt refused the change)"
