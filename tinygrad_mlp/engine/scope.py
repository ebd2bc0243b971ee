"""Module scopes: every node records the module call it was made in, so that a drawing can put
it in a box named after that call. Per thread, like the modes they live beside.
"""

from __future__ import annotations

from typing import Any

from .modes import SCOPE, current_modes, enter_scope, leave_scope


class Scope:
    """One call of a module in progress: the nodes it creates are drawn in a box named after it.

    `module` is whatever opened the scope (a `Module`, or any object), `parent` the scope that
    was open when this one started, so nested calls rebuild as nested boxes.
    """

    __slots__ = ("module", "name", "parent")

    def __init__(self, module: Any, name: str | None, parent: Scope | None) -> None:
        self.module = module
        self.name = name
        self.parent = parent

    @property
    def title(self) -> str:
        """The call's name: its given name, else the module's class name."""
        return self.name or type(self.module).__name__

    def __repr__(self) -> str:
        return f"Scope({self.title})"


class module_scope:  # lower case: used like the function-style context managers in modes.py
    """Tag every node created inside this block with a new `Scope` (drawn as a labelled box).

    >>> from tinygrad_mlp import Value
    >>> with module_scope(object(), "layers.0") as scope:
    ...     y = Value(2.0) * 3
    >>> y.scope is scope, scope.parent is None
    (True, True)

    Scopes nest: each node records the innermost one, and each scope its parent. A class rather
    than a `@contextmanager` generator: every module call opens one, and this is cheaper.
    """

    __slots__ = ("module", "name", "token")

    def __init__(self, module: Any, name: str | None = None) -> None:
        self.module = module
        self.name = name

    def __enter__(self) -> Scope:
        scope, self.token = open_scope(self.module, self.name)
        return scope

    def __exit__(self, *exc: object) -> None:
        # the modes as they were when the call began: a `no_grad` block inside it has ended
        leave_scope(self.token)


def open_scope(module: Any, name: str | None) -> tuple[Scope, Any]:
    """Begin a call of `module` in this thread: its new `Scope`, and the token that
    `leave_scope(token)` takes to end it (`module_scope` is the `with` form; `Module.__call__`
    calls these two itself, which costs less than entering an object per call)."""
    grad_enabled, anomaly, parent = current_modes()
    scope = Scope(module, name, parent)
    return scope, enter_scope(grad_enabled, anomaly, scope)


def current_scope() -> Scope | None:
    """The innermost `module_scope` in progress in this thread, or None."""
    return current_modes()[SCOPE]
