"""Grad mode and anomaly mode, per thread (as in PyTorch): `no_grad` in one thread never stops
another thread from recording.

The modes of a thread, with the module call it is inside (see `scope.py`), are one tuple,
`(grad_enabled, anomaly, scope)`, held in a `ContextVar`: each thread (and each asyncio task)
has its own, and a new thread starts from the default. The node constructor reads them for
every node it makes, through `current_modes` (`ContextVar.get` is a few nanoseconds dearer than
a module global; a `threading.local` costs about five times that).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

GRAD, ANOMALY, SCOPE = 0, 1, 2  # positions in the modes tuple

DEFAULT_MODES = (True, False, None)  # recording, no anomaly checks, in no module call
_modes: ContextVar[tuple[Any, ...]] = ContextVar(  # (bool, bool, Scope | None)
    "tinygrad_mlp_modes", default=DEFAULT_MODES
)
current_modes = _modes.get  # () -> (grad_enabled, anomaly, scope) of this thread
# Set (to what it already is) in the thread that imports the package: a variable that is set
# is read through the thread's cache, a third cheaper than falling back to its default, and
# it is read for every node. Other threads still start from the default.
_modes.set(DEFAULT_MODES)


def enter_scope(grad_enabled: bool, anomaly: bool, scope: Any) -> Any:
    """Open a module call: the modes with `scope` in place; returns the token `leave_scope`
    takes to restore exactly the modes before it."""
    return _modes.set((grad_enabled, anomaly, scope))


leave_scope = _modes.reset  # (token) -> None: what `enter_scope` changed, undone


def set_mode(position: int, value: Any) -> Any:
    """Set one of the current thread's modes; returns the value it had."""
    now = current_modes()
    _modes.set(now[:position] + (value,) + now[position + 1 :])
    return now[position]


@contextmanager
def _mode(position: int, value: Any) -> Iterator[None]:
    previous = set_mode(position, value)
    try:
        yield
    finally:
        set_mode(position, previous)


def is_grad_enabled() -> bool:
    """True unless this thread is inside `no_grad()`.

    >>> is_grad_enabled()
    True
    """
    return current_modes()[GRAD]


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()` (in this thread)."""
    return current_modes()[ANOMALY]


def no_grad() -> Any:
    """Record nothing inside this block (in this thread): results are constants with no history.

    >>> from tinygrad_mlp import Value
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.requires_grad
    False
    """
    return _mode(GRAD, False)


def enable_grad() -> Any:
    """Record operations again, even inside an enclosing `no_grad()`.

    >>> from tinygrad_mlp import Value
    >>> with no_grad(), enable_grad():
    ...     y = Value(2.0) * 3
    >>> y.requires_grad
    True
    """
    return _mode(GRAD, True)


def detect_anomaly() -> Any:
    """Raise `FloatingPointError` at the first operation whose forward or backward gives nan/inf.

    Off by default because it checks every result. The error names the operation, so a nan that
    would otherwise surface ten layers later is pinned to the op that made it.

    >>> from tinygrad_mlp import Value
    >>> with detect_anomaly():
    ...     Value(-1.0).log()
    Traceback (most recent call last):
    ...
    FloatingPointError: detect_anomaly: Log.forward produced nan or inf
    """
    return _mode(ANOMALY, True)
