"""Gradient checking: the gradients backpropagation computes, compared with finite differences.

Three checks, from the whole function down to the single operation:

* `gradcheck(fn, inputs)`: every element of every input, d fn / d input by central differences
  in float64 against the engine's reverse-mode gradient (the full Jacobian when `fn` returns more
  than one number).
* `gradgradcheck(fn, inputs)`: the same for second derivatives, through `create_graph=True`.
* `check_graph(output)`: every recorded operation of a graph, its `backward` against finite
  differences of its own `forward` at the inputs it saw, so that a wrong gradient is pinned to the
  one operation that computes it.

All three are kink-aware. Where the function is not differentiable (relu or abs at 0, a max with
ties), here or within two finite-difference steps, the slopes to the left and to the right
differ; the point is then reported as a kink with both slopes (a `KinkWarning`, or
`report.kinks`), not as a wrong gradient, and the gradient the engine chose must lie between them.

The package, by concern: `findings` (what a check finds, the error and the warning),
`differences` (the finite differences and the comparison every check shares), `functions`
(`gradcheck`, `gradgradcheck`), `graph` (`check_graph`, its report).

>>> import numpy as np
>>> from tinygrad_mlp import Value
>>> x = Value(np.array([0.5, -1.0, 2.0]))
>>> gradcheck(lambda v: (v * v).tanh().sum(), [x])
True
>>> check_graph((x.tanh() * x).sum()).ok
True
"""

from __future__ import annotations

from .differences import compare
from .findings import Finding, GradcheckError, KinkWarning
from .functions import gradcheck, gradgradcheck
from .graph import GraphReport, OpFinding, check_graph, describe_node

__all__ = [
    "Finding",
    "GradcheckError",
    "GraphReport",
    "KinkWarning",
    "OpFinding",
    "check_graph",
    "compare",
    "describe_node",
    "gradcheck",
    "gradgradcheck",
]
