"""check_graph: it names the op with a wrong backward inside a 50-op graph, and its element."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers.drawing import read_dot
from tests.helpers.planted import (
    B,
    DoubledSoftplus,
    OneElementWrong,
    SignFlippedSoftplus,
    Softplus,
    UnsummedAddBias,
    X,
)
from tinygrad_mlp import GradcheckError, Value, check_graph, draw_graph
from tinygrad_mlp.engine import module_scope


def fifty_op_graph(op: type) -> tuple[Value, Value]:
    """24 built-in ops, then `op` (inside a module scope, labelled), then 25 more: 50 in all."""
    x = Value(X, label="x")
    b = Value(B, label="b")
    h = x
    for k in range(12):
        h = (h * 0.9).tanh() if k % 2 else (h + b).sigmoid()
    with module_scope(object(), name="hidden"):
        planted = op.apply(h, b) if op.__name__.endswith("AddBias") else op.apply(h)
    planted.label = "planted"
    h = planted
    for k in range(12):
        h = (h * 0.5).tanh() if k % 2 else (h - b).exp()
    return h.sum(), planted


def test_check_graph_passes_a_correct_graph() -> None:
    out, _ = fifty_op_graph(Softplus)
    report = check_graph(out)
    assert report and report.ok and report.failed_nodes == []
    assert report.checked == 50
    assert str(report) == "check_graph: all 50 ops agree with finite differences"


@pytest.mark.parametrize(
    "op", [SignFlippedSoftplus, UnsummedAddBias, DoubledSoftplus, OneElementWrong]
)
def test_check_graph_names_the_planted_op_inside_a_50_op_graph(op: type) -> None:
    out, planted = fifty_op_graph(op)
    report = check_graph(out)
    assert not report
    assert report.checked == 50
    assert len(report.failed_nodes) == 1 and report.failed_nodes[0] is planted
    name = f"{op.__name__} 'planted' (op 25 of 50) in hidden (output shape (4, 3))"
    assert report.failed_ops == [name]
    assert "1 of 50 ops have a backward that disagrees" in str(report)
    assert f"  {name}: " in str(report)


def test_check_graph_points_at_the_wrong_element_of_the_op() -> None:
    out, _ = fifty_op_graph(OneElementWrong)
    report = check_graph(out)
    assert [f.finding.element for f in report.failures] == [(1, 2)]
    assert "input 0 (shape (4, 3)) at element (1, 2): numerical" in str(report)


def test_check_graph_lists_kinks_apart_from_failures() -> None:
    x = Value(np.array([0.0, 1.0, -2.0, -9e-8]))  # the last within a step of the kink
    report = check_graph((x.relu() * 2).sum())
    assert report.ok
    assert [f.finding.element for f in report.kinks] == [(0,), (3,)]
    assert "(2 element(s) at a kink, between its slopes: fine)" in str(report)


def test_check_graph_checks_a_float32_graph_in_float64() -> None:
    x = Value(X.astype(np.float32))
    out = (x.tanh() @ Value(B.astype(np.float32))).sum()
    assert check_graph(out, atol=1e-8, rtol=1e-7)


def test_check_graph_can_raise() -> None:
    out, _ = fifty_op_graph(SignFlippedSoftplus)
    with pytest.raises(GradcheckError, match="SignFlippedSoftplus 'planted' \\(op 25 of 50\\)"):
        check_graph(out, raise_exception=True)


def test_check_graph_of_a_leaf_checks_nothing() -> None:
    report = check_graph(Value(1.0))
    assert report.ok and report.checked == 0
    with pytest.raises(TypeError, match="output must be a Value, got float"):
        check_graph(1.0)


def test_draw_graph_highlights_the_op_check_graph_found() -> None:
    out, planted = fifty_op_graph(SignFlippedSoftplus)
    report = check_graph(out)
    dot = read_dot(draw_graph(out, highlight=report).source)
    red = [n for n in dot.nodes if 'fillcolor="#d32f2f"' in dot.nodes[n][0]]
    assert [dot.label(n) for n in red] == ["SignFlippedSoftplus"]
