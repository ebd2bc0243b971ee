"""What gradient checking reads from the engine, in one place.

Each accessor below is the one line to change when the engine's names change (the rebuilt
engine: `engine.backward.call_backward`, `engine.graph.walk`, `Value.scope`, `op.symbol`).

>>> from tinygrad_mlp import Value
>>> x = Value(2.0)
>>> [op_name(v.op) for v in op_nodes((x * 3).tanh())]
['Mul', 'Tanh']
"""

from __future__ import annotations

from typing import Any

from ..engine import Scope, Value
from ..engine import _call_backward as _engine_call_backward  # noqa: PLC2701  (until the new engine)
from ..graph_walk import walk

__all__ = ["call_backward", "op_name", "op_nodes", "scope_of"]


def call_backward(
    op: type, grad: Any, inputs: list[Any], out: Any, params: dict[str, Any]
) -> tuple[Any, ...]:
    """`op.backward` at `inputs`, validated by the engine: one gradient per input."""
    return _engine_call_backward(op, grad, inputs, out, params or None)


def op_nodes(output: Value) -> list[Value]:
    """The op nodes `output` depends on (itself included, leaves left out), inputs first."""
    return [v for v in walk(output) if v.op is not None]


def scope_of(node: Value) -> Scope | None:
    """The innermost module call the node was made in (None outside any)."""
    return node._scope


def op_name(op: type) -> str:
    """How a report names an op: its class name (`Tanh`, or a custom Function's)."""
    return op.__name__
