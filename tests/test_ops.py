"""Every op: its value against numpy, its gradient against central finite differences.

The ops are listed once, in OPS, each with the inputs it accepts (kept away from kinks and domain
edges); every test runs over the whole table on hypothesis-generated shapes and values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numeric import assert_grads_match

from tinygrad_mlp import Value, concat, stack


def arrays(shape, low=-3.0, high=3.0, away_from_zero=0.0):
    """Finite float64 arrays in [low, high]; with |x| >= away_from_zero when that is set."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
    if away_from_zero:
        elements = elements.filter(lambda v: abs(v) >= away_from_zero)
    return hnp.arrays(np.float64, shape, elements=elements)


small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@dataclass
class OpCase:
    name: str
    fn: Callable[..., Value]  # Values in, a Value out
    reference: Callable[..., np.ndarray]  # the same on numpy arrays
    inputs: st.SearchStrategy  # a tuple of arrays


def unary(low=-3.0, high=3.0, away_from_zero=0.0):
    return small_shapes.flatmap(lambda s: st.tuples(arrays(s, low, high, away_from_zero)))


def broadcast_pair(low=-3.0, high=3.0, b_low=None, b_high=None, away_from_zero=0.0):
    shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
    return shapes.flatmap(
        lambda bs: st.tuples(
            arrays(bs.input_shapes[0], low, high),
            arrays(
                bs.input_shapes[1],
                low if b_low is None else b_low,
                high if b_high is None else b_high,
                away_from_zero,
            ),
        )
    )


def softmax_ref(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def distinct(shape):
    """Arrays whose elements are all different (max has a unique winner)."""
    n = int(np.prod(shape))
    return st.permutations(list(range(n))).map(
        lambda p: np.array(p, dtype=np.float64).reshape(shape) * 0.37 - 1.0
    )


matmul_inputs = st.sampled_from(
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((2, 2, 3), (3, 2)),
        ((2, 2, 3), (2, 3, 4)),
        ((1, 2, 3), (2, 3, 2)),
    ]
).flatmap(lambda s: st.tuples(arrays(s[0]), arrays(s[1])))

OPS = [
    OpCase("add", lambda a, b: a + b, np.add, broadcast_pair()),
    OpCase("sub", lambda a, b: a - b, np.subtract, broadcast_pair()),
    OpCase("mul", lambda a, b: a * b, np.multiply, broadcast_pair()),
    OpCase("div", lambda a, b: a / b, np.divide, broadcast_pair(b_low=0.5, b_high=3.0)),
    OpCase("rdiv", lambda a: 1 / a, lambda a: 1 / a, unary(0.5, 3.0)),
    OpCase("neg", lambda a: -a, np.negative, unary()),
    OpCase("pow3", lambda a: a**3, lambda a: a**3, unary()),
    OpCase("pow_half", lambda a: a**0.5, np.sqrt, unary(0.2, 3.0)),
    OpCase("pow_neg", lambda a: a**-2, lambda a: a**-2.0, unary(0.5, 3.0)),
    OpCase("pow_value", lambda a, b: a**b, np.power, broadcast_pair(0.2, 3.0, -2.0, 2.0)),
    OpCase("rpow", lambda a: 2.0**a, lambda a: 2.0**a, unary()),
    OpCase("exp", lambda a: a.exp(), np.exp, unary()),
    OpCase("log", lambda a: a.log(), np.log, unary(0.1, 5.0)),
    OpCase("tanh", lambda a: a.tanh(), np.tanh, unary()),
    OpCase("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), unary()),
    OpCase("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), unary(away_from_zero=1e-3)),
    OpCase("abs", lambda a: a.abs(), np.abs, unary(away_from_zero=1e-3)),
    OpCase("sqrt", lambda a: a.sqrt(), np.sqrt, unary(0.1, 5.0)),
    OpCase(
        "softmax",
        lambda a: a.softmax(axis=-1),
        softmax_ref,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(
        "softmax_axis0",
        lambda a: a.softmax(axis=0),
        lambda a: softmax_ref(a, 0),
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(
        "log_softmax",
        lambda a: a.log_softmax(),
        lambda a: np.log(softmax_ref(a)),
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase("sum", lambda a: a.sum(), np.sum, unary()),
    OpCase(
        "sum_axis",
        lambda a: a.sum(axis=-1),
        lambda a: a.sum(axis=-1),
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(
        "sum_axis0_keepdims",
        lambda a: a.sum(axis=0, keepdims=True),
        lambda a: a.sum(axis=0, keepdims=True),
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase("mean", lambda a: a.mean(), np.mean, unary()),
    OpCase(
        "mean_axis",
        lambda a: a.mean(axis=(0, -1)),
        lambda a: a.mean(axis=(0, -1)),
        hnp.array_shapes(min_dims=2, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(
        "max",
        lambda a: a.max(),
        np.max,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(distinct(s))
        ),
    ),
    OpCase(
        "max_axis_keepdims",
        lambda a: a.max(axis=1, keepdims=True),
        lambda a: a.max(axis=1, keepdims=True),
        hnp.array_shapes(min_dims=2, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(distinct(s))
        ),
    ),
    OpCase("reshape", lambda a: a.reshape(-1), lambda a: a.reshape(-1), unary()),
    OpCase("transpose", lambda a: a.T, lambda a: a.T, unary()),
    OpCase(
        "transpose_axes",
        lambda a: a.transpose(1, 2, 0),
        lambda a: a.transpose(1, 2, 0),
        hnp.array_shapes(min_dims=3, max_dims=3, max_side=3).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(
        "getitem_slice",
        lambda a: a[1:, ::2],
        lambda a: a[1:, ::2],
        hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(
        "getitem_int",
        lambda a: a[-1],
        lambda a: a[-1],
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
            lambda s: st.tuples(arrays(s))
        ),
    ),
    OpCase(  # repeated integer indices: gradients must add up
        "getitem_fancy",
        lambda a: a[np.array([0, 2, 0, 1]), np.array([1, 0, 1, 1])],
        lambda a: a[np.array([0, 2, 0, 1]), np.array([1, 0, 1, 1])],
        st.tuples(arrays((3, 2))),
    ),
    OpCase("matmul", lambda a, b: a @ b, np.matmul, matmul_inputs),
    OpCase(
        "concat",
        lambda a, b: concat([a, b], axis=1),
        lambda a, b: np.concatenate([a, b], axis=1),
        st.tuples(arrays((2, 3)), arrays((2, 1))),
    ),
    OpCase(
        "stack",
        lambda a, b: stack([a, b], axis=-1),
        lambda a, b: np.stack([a, b], axis=-1),
        st.tuples(arrays((2, 3)), arrays((2, 3))),
    ),
]
IDS = [op.name for op in OPS]


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy(op: OpCase, data) -> None:
    inputs = data.draw(op.inputs)
    out = op.fn(*[Value(x) for x in inputs])
    np.testing.assert_allclose(out.data, op.reference(*inputs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_gradient_matches_finite_differences(op: OpCase, data) -> None:
    inputs = data.draw(op.inputs)
    out_shape = np.shape(op.reference(*inputs))
    weights = data.draw(arrays(out_shape, -2.0, 2.0))  # every output element matters
    assert_grads_match(lambda *vs: (op.fn(*vs) * weights).sum(), inputs)


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_float32_graph_stays_float32(op: OpCase, data) -> None:
    inputs = [x.astype(np.float32) for x in data.draw(op.inputs)]
    values = [Value(x) for x in inputs]
    out = op.fn(*values)
    assert out.dtype == np.float32
    out.sum().backward()
    for v in values:
        assert v.grad.dtype == np.float32


# -- scalars: the same ops on Python floats -------------------------------------------------

SCALAR_OPS = [
    op
    for op in OPS
    if op.name
    in {
        "add",
        "sub",
        "mul",
        "div",
        "rdiv",
        "neg",
        "pow3",
        "pow_half",
        "pow_neg",
        "pow_value",
        "rpow",
        "exp",
        "log",
        "tanh",
        "sigmoid",
        "relu",
        "abs",
        "sqrt",
    }
]


@pytest.mark.parametrize("op", SCALAR_OPS, ids=[op.name for op in SCALAR_OPS])
@given(data=st.data())
def test_scalar_ops_match_tensor_ops(op: OpCase, data) -> None:
    """The same op on float Values gives the same value and gradient as on 0-d tensors."""
    inputs = [x.reshape(-1)[0] for x in data.draw(op.inputs)]  # one element of each
    scalars = [Value(float(x)) for x in inputs]
    out = op.fn(*scalars)
    assert isinstance(out.data, float)
    out.backward()
    assert all(isinstance(v.grad, float) for v in scalars)
    tensors = [Value(np.array(x)) for x in inputs]
    out_t = op.fn(*tensors)
    out_t.backward()
    assert out.data == pytest.approx(float(out_t.data), rel=1e-12, abs=1e-12)
    for s, t in zip(scalars, tensors):
        assert s.grad == pytest.approx(float(t.grad), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("op", SCALAR_OPS, ids=[op.name for op in SCALAR_OPS])
@given(data=st.data())
def test_scalar_gradient_matches_finite_differences(op: OpCase, data) -> None:
    inputs = [float(x.reshape(-1)[0]) for x in data.draw(op.inputs)]
    assert_grads_match(op.fn, inputs)


# -- hand-derived gradients: one example each, the formula written out ---------------------


def test_hand_derived_scalar_gradients() -> None:
    x = 0.7
    cases = {
        "exp": (lambda v: v.exp(), np.exp(x)),
        "log": (lambda v: v.log(), 1 / x),
        "tanh": (lambda v: v.tanh(), 1 - np.tanh(x) ** 2),
        "sigmoid": (lambda v: v.sigmoid(), np.exp(-x) / (1 + np.exp(-x)) ** 2),
        "relu": (lambda v: v.relu(), 1.0),
        "abs": (lambda v: (-v).abs(), 1.0),
        "sqrt": (lambda v: v.sqrt(), 0.5 / np.sqrt(x)),
        "pow": (lambda v: v**3, 3 * x**2),
        "rdiv": (lambda v: 1 / v, -1 / x**2),
    }
    for name, (fn, expected) in cases.items():
        v = Value(x)
        fn(v).backward()
        assert v.grad == pytest.approx(expected, rel=1e-12), name


def test_hand_derived_matmul_gradient() -> None:
    A = np.arange(6.0).reshape(2, 3)
    B = np.arange(12.0).reshape(3, 4) / 10
    a, b = Value(A), Value(B)
    (a @ b).sum().backward()
    # d sum(AB) / dA = 1 B^T, d sum(AB) / dB = A^T 1
    np.testing.assert_allclose(a.grad, np.ones((2, 4)) @ B.T)
    np.testing.assert_allclose(b.grad, A.T @ np.ones((2, 4)))


def test_hand_derived_softmax_cross_entropy_gradient() -> None:
    logits = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]])
    labels = np.array([1, 2])
    x = Value(logits)
    loss = -x.log_softmax()[np.arange(2), labels].mean()
    loss.backward()
    expected = (softmax_ref(logits) - np.eye(3)[labels]) / 2  # (p - onehot) / N
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


def test_log_softmax_is_stable_for_large_inputs() -> None:
    x = Value(np.array([[1000.0, 0.0, -1000.0]]))
    out = x.log_softmax()
    assert np.all(np.isfinite(out.data))
    np.testing.assert_allclose(out.data, [[0.0, -1000.0, -2000.0]])
    np.testing.assert_allclose(x.softmax().data, [[1.0, 0.0, 0.0]])


def test_max_splits_gradient_between_ties() -> None:
    x = Value(np.array([1.0, 3.0, 3.0]))
    x.max().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.5, 0.5])


# -- broadcasting --------------------------------------------------------------------------


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3))
def test_broadcast_gradients_have_input_shapes(shapes) -> None:
    sa, sb = shapes.input_shapes
    a, b = Value(np.ones(sa)), Value(np.full(sb, 2.0))
    out = a * b
    assert out.shape == shapes.result_shape
    out.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    # each element of a was used once per copy broadcasting made of it
    copies = int(np.prod(shapes.result_shape)) // max(1, int(np.prod(sa)))
    np.testing.assert_allclose(a.grad, np.full(sa, 2.0 * copies))


def test_scalar_value_broadcast_with_tensor_gets_summed_float_gradient() -> None:
    s = Value(2.0)
    t = Value(np.arange(3.0))
    (s * t).sum().backward()
    assert isinstance(s.grad, float) and s.grad == 3.0
    np.testing.assert_allclose(t.grad, [2.0, 2.0, 2.0])


def test_numbers_and_arrays_mix_on_either_side() -> None:
    v = Value(np.array([1.0, 2.0]))
    arr = np.array([[1.0, 0.0], [0.0, 2.0]])
    for expr, expected in [
        (2 * v, [2, 4]),
        (v * 2, [2, 4]),
        (v - 1, [0, 1]),
        (1 - v, [0, -1]),
        (1 / v, [1, 0.5]),
        (v / 2, [0.5, 1]),
        (arr @ v, [1, 4]),
        (v @ arr, [1, 4]),
        (arr[0] + v, [2, 2]),
        (v + arr[0], [2, 2]),
        (2**v, [2, 4]),
    ]:
        assert isinstance(expr, Value)
        np.testing.assert_allclose(expr.data, expected)
