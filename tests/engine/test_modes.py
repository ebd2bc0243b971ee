"""Grad mode, anomaly mode and module scopes belong to the thread that sets them."""

from __future__ import annotations

import threading

import numpy as np

from tinygrad_mlp import Value, detect_anomaly, is_grad_enabled, no_grad
from tinygrad_mlp.engine import current_scope, is_anomaly_enabled, module_scope


def run_in_thread(fn):
    """Run `fn` in a new thread and return what it returned (or raise what it raised)."""
    box: dict = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # handed back to the caller
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def test_no_grad_in_one_thread_leaves_another_thread_recording() -> None:
    with no_grad():
        recorded = run_in_thread(lambda: (Value(2.0) * 3).requires_grad)
        assert not (Value(2.0) * 3).requires_grad
    assert recorded


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on() -> None:
    inside_a, inside_b, a_done = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with no_grad():
            inside_a.set()
            inside_b.wait(5)
        a_done.set()  # thread a leaves its block first, while b is still inside its own

    def b() -> None:
        inside_a.wait(5)
        with no_grad():
            inside_b.set()
            a_done.wait(5)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert is_grad_enabled()
    assert run_in_thread(is_grad_enabled)
    assert (Value(1.0) * 2).requires_grad


def test_anomaly_mode_in_one_thread_is_off_in_another() -> None:
    with detect_anomaly():
        assert is_anomaly_enabled()
        assert not run_in_thread(is_anomaly_enabled)
        made = run_in_thread(lambda: Value(np.array([np.inf])) * 1.0)  # no FloatingPointError
    assert np.isinf(made.data[0])


def test_a_module_scope_in_one_thread_is_not_seen_by_another() -> None:
    with module_scope(object(), "outer") as scope:
        other = run_in_thread(lambda: ((Value(1.0) * 2).scope, current_scope()))
        here = (Value(1.0) * 2).scope
    assert other == (None, None)
    assert here is scope


def test_a_new_thread_starts_from_the_default_modes_whatever_the_importing_thread_set() -> None:
    with no_grad(), detect_anomaly(), module_scope(object()):
        modes = run_in_thread(lambda: (is_grad_enabled(), is_anomaly_enabled(), current_scope()))
    assert modes == (True, False, None)
