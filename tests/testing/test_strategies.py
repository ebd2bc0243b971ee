"""tinygrad_mlp.testing.strategies: each strategy draws what its docstring promises."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import Value, check_graph, no_grad
from tinygrad_mlp.ops import Div, Log, Max
from tinygrad_mlp.testing import strategies as tst
from tinygrad_mlp.testing.expressions import LIMIT, OPS, OPS_BY_NAME, Expression, Step
from tinygrad_mlp.testing.strategies import DOMAINS, Domain


def test_importing_the_package_does_not_import_hypothesis() -> None:
    code = "import sys, tinygrad_mlp, tinygrad_mlp.testing; print('hypothesis' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


@given(tst.shapes(min_dims=1, max_dims=2, min_side=2, max_side=3))
def test_shapes_stay_within_their_bounds(shape) -> None:
    assert 1 <= len(shape) <= 2 and all(2 <= n <= 3 for n in shape)


@given(tst.broadcastable_shapes(3, max_dims=3))
def test_broadcastable_shapes_broadcast_together(shapes) -> None:
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)  # raises if they do not


DOMAIN = Domain(-2.0, 1.0, avoid=(0.0, 0.5), margin=0.1)


@given(tst.arrays(tst.shapes(), domain=DOMAIN))
def test_arrays_are_finite_inside_their_domain_and_away_from_avoided_points(a) -> None:
    assert a.dtype == np.float64
    assert np.all(np.isfinite(a)) and np.all((-2.0 <= a) & (a <= 1.0))
    for point in DOMAIN.avoid:
        assert np.all(np.abs(a - point) >= 0.1 - 1e-12)


@given(tst.arrays((2, 3), np.float32, Domain(0.1, 5.0)))
def test_arrays_of_float32(a) -> None:
    assert a.dtype == np.float32 and a.shape == (2, 3)
    assert np.all((a >= np.float32(0.1)) & (a <= np.float32(5.0)))


@given(tst.arrays(tst.shapes(min_dims=1), domain=DOMAINS[Max][0]))
def test_distinct_arrays_have_no_ties(a) -> None:
    flat = np.sort(a.reshape(-1))
    spacing = 6.0 / a.size
    assert np.all(np.diff(flat) >= spacing / 2)  # far apart for any finite-difference step


def test_push_stays_inside_the_domain_even_at_its_edge() -> None:
    low_edge = Domain(0.0, 1.0, avoid=(0.0,), margin=0.1)
    assert low_edge.push(0.05) == 0.1 and low_edge.push(0.0) == 0.1
    high_edge = Domain(-1.0, 0.0, avoid=(0.0,), margin=0.1)
    assert high_edge.push(0.0) == -0.1 and high_edge.push(-0.05) == -0.1
    assert Domain(avoid=(0.0,)).push(-1e-9) == -1e-3


def test_a_domain_must_make_sense() -> None:
    with pytest.raises(ValueError, match=r"finite low <= high, got \[1.0, 0.0\]"):
        Domain(1.0, 0.0)
    with pytest.raises(ValueError, match="margin 1.0 must be >= 0 and leave room"):
        Domain(0.0, 1.0, avoid=(0.5,), margin=1.0)
    with pytest.raises(ValueError, match="no room for distinct values"):
        Domain(1.0, 1.0, distinct=True)
    assert Domain(1e-28, 1e-5).low == 1e-28  # a narrow domain is fine when nothing is avoided


@given(tst.values(shape=(3, 2), dtype=np.float32, requires_grad=False))
def test_values_hold_arrays_of_the_dtype_and_shape(v) -> None:
    assert isinstance(v, Value) and v.shape == (3, 2) and v.dtype == np.float32
    assert not v.requires_grad


@given(tst.scalars(Domain(0.1, 5.0)))
def test_scalars_hold_python_floats(v) -> None:
    assert v.is_scalar and 0.1 <= v.data <= 5.0 and v.requires_grad


@given(tst.inputs_for(Log))
def test_inputs_for_log_are_positive(inputs) -> None:
    (x,) = inputs
    assert np.all(x >= 0.1)


@given(tst.inputs_for(Div))
def test_inputs_for_div_broadcast_and_keep_the_divisor_from_zero(inputs) -> None:
    a, b = inputs
    np.broadcast_shapes(a.shape, b.shape)
    assert np.all(np.abs(b) >= 0.5)


@given(st.data())
def test_inputs_needs_one_shape_per_domain(data) -> None:
    strategy = tst.inputs((Domain(), Domain()), st.just(((2,),)))
    with pytest.raises(ValueError, match="1 shapes drawn for 2 domains"):
        data.draw(strategy)


@given(tst.mlp_architectures(max_inputs=3, max_layers=2, max_width=4, nout=2))
def test_mlp_architectures_are_small(arch) -> None:
    assert 1 <= arch.nin <= 3 and 1 <= len(arch.nouts) <= 2
    assert all(1 <= n <= 4 for n in arch.nouts[:-1]) and arch.nouts[-1] == 2


# -- expressions -------------------------------------------------------------------------------


@given(tst.expressions(max_ops=30, kinks=True))
def test_every_result_of_an_expression_stays_within_its_bounds(expr) -> None:
    assert 1 <= len(expr.steps) <= 30
    with no_grad(), np.errstate(over="raise", divide="raise", invalid="raise"):
        results = expr.trace(*[Value(x) for x in expr.inputs])
    assert len(expr.bounds) == len(results)
    for value, bounds in zip(results, expr.bounds):
        assert -LIMIT <= bounds.lo <= bounds.hi <= LIMIT
        assert np.all(bounds.lo - 1e-9 <= value.data) and np.all(value.data <= bounds.hi + 1e-9)


@given(tst.expressions(max_ops=10))
def test_each_step_records_one_op_and_every_op_reaches_the_output(expr) -> None:
    out = expr(*[Value(x) for x in expr.inputs])
    assert check_graph(out).checked == len(expr.steps)
    assert not {"relu", "abs", "max"} & set(expr.ops)  # kinks are off by default


@given(tst.expressions(elementwise=True))
def test_elementwise_expressions_keep_the_input_shape(expr) -> None:
    assert all(op.elementwise for op in OPS if op.name in expr.ops)
    assert len({x.shape for x in expr.inputs}) == 1
    assert expr(*[Value(x) for x in expr.inputs]).shape == expr.inputs[0].shape


@given(tst.expressions(scalar=True))
def test_scalar_expressions_run_on_python_floats(expr) -> None:
    assert all(x.__class__ is float for x in expr.inputs)
    assert expr(*[Value(x) for x in expr.inputs]).is_scalar


@given(tst.expressions(input_shapes=[(2, 3), (3,)], max_ops=5))
def test_expressions_take_given_input_shapes(expr) -> None:
    assert [x.shape for x in expr.inputs] == [(2, 3), (3,)]
    assert "v0: (2, 3), v1: (3,)" in repr(expr)


def test_an_expression_checks_how_many_inputs_it_gets() -> None:
    expr = Expression((np.ones(2),), (Step(OPS_BY_NAME["tanh"], (0,)),))
    assert repr(expr) == "Expression(v0: (2,); 1 ops)\n  v1 = tanh(v0)"
    with pytest.raises(TypeError, match="takes 1 inputs, got 2"):
        expr(Value(np.ones(2)), Value(np.ones(2)))
