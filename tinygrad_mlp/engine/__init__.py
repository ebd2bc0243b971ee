"""The engine: `Value`, the graph it records, and reverse-mode differentiation over that graph.

One file per concern, each importing only those above it in this list:

- `modes`: grad mode and anomaly mode, per thread;
- `scope`: the module call a node is made in (drawn as a box);
- `data`: user input as what a Value holds (a float, a read-only array);
- `value`: `Value` and its operators;
- `node`: `new_node`, the one node constructor;
- `function`: the `Function` base (an op's forward, backward and display) and `apply`;
- `graph`: the graph walk (topological order, scope chains);
- `accumulate`: gradients as a pass collects and stores them (`unbroadcast`, the seed, leaves);
- `backward`: the backward pass and `grad`.
"""

from __future__ import annotations

# value first: it completes the package's one import cycle (value -> ops -> function -> value)
from .value import Value  # isort: skip
from ..ops.shape import concat, stack  # noqa: E402  (kept importable from here, as before)
from .accumulate import unbroadcast
from .backward import backpropagate, call_backward, grad
from .data import as_data, as_float_dtype
from .function import Function, is_shared_constant, lift
from .graph import common_scope, scope_chain, scope_path, walk
from .modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad
from .node import StaleDataError
from .scope import Scope, current_scope, module_scope

__all__ = [
    "Function",
    "Scope",
    "StaleDataError",
    "Value",
    "as_data",
    "as_float_dtype",
    "backpropagate",
    "call_backward",
    "common_scope",
    "concat",
    "current_scope",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "is_shared_constant",
    "lift",
    "module_scope",
    "no_grad",
    "scope_chain",
    "scope_path",
    "stack",
    "unbroadcast",
    "walk",
]
