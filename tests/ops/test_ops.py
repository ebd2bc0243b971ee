"""Every op: its value against numpy, its gradient against central finite differences.

The ops are listed once, in OPS, each with the domains its inputs are drawn from (kept away from
kinks and domain edges, mostly the public `tinygrad_mlp.testing.strategies.DOMAINS`); every test
runs over the whole table on hypothesis-generated shapes and values, and the gradients are
checked with the public `gradcheck`, at float64 and a relative tolerance of 1e-6.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import Value, concat, gradcheck, gradgradcheck, maximum, minimum, stack, where
from tinygrad_mlp.ops import (
    Abs,
    Add,
    Clip,
    Div,
    Elu,
    LeakyRelu,
    Log,
    Log1p,
    MatMul,
    Max,
    Min,
    Mul,
    Pow,
    Relu,
    Remainder,
    Sqrt,
    Sub,
    Var,
    Where,
)
from tinygrad_mlp.testing import strategies as tst
from tinygrad_mlp.testing.strategies import DOMAINS, Domain

ANY = Domain()
NONZERO = DOMAINS[Div][1]  # |x| >= 0.5
STRICT = {"atol": 1e-7, "rtol": 1e-6}  # float64 finite differences agree to about 1e-9


@dataclass
class OpCase:
    name: str
    fn: Callable[..., Value]  # Values in, a Value out
    reference: Callable[..., np.ndarray]  # the same on numpy arrays
    domains: tuple[Domain, ...] = (ANY,)  # one per input
    shapes: st.SearchStrategy | None = None  # a tuple of shapes; default: tst.inputs' default

    def inputs(self, dtype=np.float64) -> st.SearchStrategy:
        return tst.inputs(self.domains, self.shapes, dtype)

    @functools.cached_property
    def scalar_inputs(self) -> st.SearchStrategy:  # built once: hypothesis checks each new one
        return st.tuples(*[tst.elements(d) for d in self.domains])


def shaped(min_dims=1, max_dims=3, min_side=1, max_side=4):
    """One input of `tst.shapes(...)`, as the tuple of shapes `OpCase.shapes` wants."""
    return tst.shapes(min_dims, max_dims, min_side, max_side).map(lambda s: (s,))


def softmax_ref(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def leaky_relu_ref(a, slope=0.01):
    return np.where(a > 0, a, slope * a)


def elu_ref(a, alpha=1.0):
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


def gelu_ref(a):  # the tanh form
    return 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))


matmul_shapes = st.sampled_from(
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((2, 2, 3), (3, 2)),
        ((2, 2, 3), (2, 3, 4)),
        ((1, 2, 3), (2, 3, 2)),
    ]
)

OPS = [
    OpCase("add", lambda a, b: a + b, np.add, DOMAINS[Add]),
    OpCase("sub", lambda a, b: a - b, np.subtract, DOMAINS[Sub]),
    OpCase("mul", lambda a, b: a * b, np.multiply, DOMAINS[Mul]),
    OpCase("div", lambda a, b: a / b, np.divide, DOMAINS[Div]),
    OpCase("rdiv", lambda a: 1 / a, lambda a: 1 / a, (NONZERO,)),
    OpCase("neg", lambda a: -a, np.negative),
    OpCase("pow3", lambda a: a**3, lambda a: a**3),
    OpCase("pow_half", lambda a: a**0.5, np.sqrt, (Domain(0.2, 3.0),)),
    OpCase("pow_neg", lambda a: a**-2, lambda a: a**-2.0, (NONZERO,)),
    OpCase("pow_value", lambda a, b: a**b, np.power, DOMAINS[Pow]),
    OpCase("rpow", lambda a: 2.0**a, lambda a: 2.0**a),
    OpCase("exp", lambda a: a.exp(), np.exp),
    OpCase("log", lambda a: a.log(), np.log, DOMAINS[Log]),
    OpCase("tanh", lambda a: a.tanh(), np.tanh),
    OpCase("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    OpCase("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), DOMAINS[Relu]),
    OpCase("abs", lambda a: a.abs(), np.abs, DOMAINS[Abs]),
    OpCase("sqrt", lambda a: a.sqrt(), np.sqrt, DOMAINS[Sqrt]),
    OpCase("softmax", lambda a: a.softmax(axis=-1), softmax_ref, shapes=shaped()),
    OpCase(
        "softmax_axis0",
        lambda a: a.softmax(axis=0),
        lambda a: softmax_ref(a, 0),
        shapes=shaped(2, 2),
    ),
    OpCase(
        "log_softmax",
        lambda a: a.log_softmax(),
        lambda a: np.log(softmax_ref(a)),
        shapes=shaped(),
    ),
    OpCase("sum", lambda a: a.sum(), np.sum),
    OpCase("sum_axis", lambda a: a.sum(axis=-1), lambda a: a.sum(axis=-1), shapes=shaped()),
    OpCase(
        "sum_axis0_keepdims",
        lambda a: a.sum(axis=0, keepdims=True),
        lambda a: a.sum(axis=0, keepdims=True),
        shapes=shaped(),
    ),
    OpCase("mean", lambda a: a.mean(), np.mean),
    OpCase(
        "mean_axis",
        lambda a: a.mean(axis=(0, -1)),
        lambda a: a.mean(axis=(0, -1)),
        shapes=shaped(2),
    ),
    OpCase("max", lambda a: a.max(), np.max, DOMAINS[Max], shaped()),
    OpCase(
        "max_axis_keepdims",
        lambda a: a.max(axis=1, keepdims=True),
        lambda a: a.max(axis=1, keepdims=True),
        DOMAINS[Max],
        shaped(2),
    ),
    OpCase("reshape", lambda a: a.reshape(-1), lambda a: a.reshape(-1)),
    OpCase("transpose", lambda a: a.T, lambda a: a.T),
    OpCase(
        "transpose_axes",
        lambda a: a.transpose(1, 2, 0),
        lambda a: a.transpose(1, 2, 0),
        shapes=shaped(3, 3, max_side=3),
    ),
    OpCase(
        "getitem_slice",
        lambda a: a[1:, ::2],
        lambda a: a[1:, ::2],
        shapes=shaped(2, 3, min_side=2),
    ),
    OpCase("getitem_int", lambda a: a[-1], lambda a: a[-1], shapes=shaped()),
    OpCase(  # repeated integer indices: gradients must add up
        "getitem_fancy",
        lambda a: a[np.array([0, 2, 0, 1]), np.array([1, 0, 1, 1])],
        lambda a: a[np.array([0, 2, 0, 1]), np.array([1, 0, 1, 1])],
        shapes=st.just(((3, 2),)),
    ),
    OpCase("matmul", lambda a, b: a @ b, np.matmul, DOMAINS[MatMul], matmul_shapes),
    OpCase(
        "concat",
        lambda a, b: concat([a, b], axis=1),
        lambda a, b: np.concatenate([a, b], axis=1),
        (ANY, ANY),
        st.just(((2, 3), (2, 1))),
    ),
    OpCase(
        "stack",
        lambda a, b: stack([a, b], axis=-1),
        lambda a, b: np.stack([a, b], axis=-1),
        (ANY, ANY),
        st.just(((2, 3), (2, 3))),
    ),
    # -- the ops of the tensor API (issue 11) --
    OpCase("log1p", lambda a: a.log1p(), np.log1p, DOMAINS[Log1p]),
    OpCase("expm1", lambda a: a.expm1(), np.expm1),
    OpCase("sin", lambda a: a.sin(), np.sin),
    OpCase("cos", lambda a: a.cos(), np.cos),
    OpCase("leaky_relu", lambda a: a.leaky_relu(), leaky_relu_ref, DOMAINS[LeakyRelu]),
    OpCase(
        "leaky_relu_slope",
        lambda a: a.leaky_relu(0.3),
        lambda a: leaky_relu_ref(a, 0.3),
        DOMAINS[LeakyRelu],
    ),
    OpCase("elu", lambda a: a.elu(), elu_ref, DOMAINS[Elu]),
    OpCase("elu_alpha", lambda a: a.elu(0.5), lambda a: elu_ref(a, 0.5), DOMAINS[Elu]),
    OpCase("gelu", lambda a: a.gelu(), gelu_ref),
    OpCase("softplus", lambda a: a.softplus(), lambda a: np.log1p(np.exp(a))),
    OpCase("clip", lambda a: a.clip(-1.0, 1.0), lambda a: np.clip(a, -1.0, 1.0), DOMAINS[Clip]),
    OpCase("clip_low", lambda a: a.clip(low=-1.0), lambda a: np.maximum(a, -1.0), DOMAINS[Clip]),
    OpCase("mod", lambda a, b: a % b, np.mod, DOMAINS[Remainder]),
    OpCase("rmod", lambda b: 5.0 % b, lambda b: np.mod(5.0, b), DOMAINS[Remainder][1:]),
    OpCase(
        "where",
        lambda a, b: where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        DOMAINS[Where],
    ),
    # shifted, so that hypothesis's favourite round numbers never tie (the second derivative
    # of max(a, b) does not exist where a == b)
    OpCase(
        "maximum",
        lambda a, b: maximum(a, b + 0.0123),
        lambda a, b: np.maximum(a, b + 0.0123),
        (ANY, ANY),
    ),
    OpCase(
        "minimum",
        lambda a, b: minimum(a, b + 0.0123),
        lambda a, b: np.minimum(a, b + 0.0123),
        (ANY, ANY),
    ),
    OpCase("min", lambda a: a.min(), np.min, DOMAINS[Min], shaped()),
    OpCase(
        "min_axis_keepdims",
        lambda a: a.min(axis=0, keepdims=True),
        lambda a: a.min(axis=0, keepdims=True),
        DOMAINS[Min],
        shaped(2),
    ),
    OpCase("var", lambda a: a.var(), np.var, DOMAINS[Var], shaped(min_side=2)),
    OpCase(
        "var_axis_ddof1",
        lambda a: a.var(axis=-1, ddof=1),
        lambda a: a.var(axis=-1, ddof=1),
        DOMAINS[Var],
        shaped(min_side=2),
    ),
    OpCase(
        "std_axis0_keepdims",
        lambda a: a.std(axis=0, keepdims=True),
        lambda a: a.std(axis=0, keepdims=True),
        DOMAINS[Var],
        shaped(2, min_side=2),
    ),
    OpCase("flatten", lambda a: a.flatten(), lambda a: a.reshape(-1), shapes=shaped()),
    OpCase(
        "flatten_from_1",
        lambda a: a.flatten(1),
        lambda a: a.reshape(a.shape[0], -1),
        shapes=shaped(2, 3),
    ),
    OpCase("squeeze", lambda a: a.squeeze(), np.squeeze, shapes=st.just(((2, 1, 3, 1),))),
    OpCase(
        "unsqueeze",
        lambda a: a.unsqueeze(-1),
        lambda a: np.expand_dims(a, -1),
        shapes=shaped(0),
    ),
    OpCase(
        "broadcast_to",
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        shapes=st.sampled_from([((4,),), ((3, 1),), ((1, 3, 4),), ((),)]),
    ),
]
IDS = [op.name for op in OPS]


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_forward_matches_numpy(op: OpCase, data) -> None:
    inputs = data.draw(op.inputs())
    out = op.fn(*[Value(x) for x in inputs])
    np.testing.assert_allclose(out.data, op.reference(*inputs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_gradient_matches_finite_differences(op: OpCase, data) -> None:
    """The whole Jacobian: every output element against every input element."""
    assert gradcheck(op.fn, list(data.draw(op.inputs())), **STRICT)


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_second_derivative_matches_finite_differences(op: OpCase, data) -> None:
    """The backward of every op, recorded with create_graph=True, is itself differentiable."""
    assert gradgradcheck(op.fn, list(data.draw(op.inputs())), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("op", OPS, ids=IDS)
@given(data=st.data())
def test_float32_graph_stays_float32(op: OpCase, data) -> None:
    values = [Value(x) for x in data.draw(op.inputs(np.float32))]
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
        "log1p",
        "expm1",
        "sin",
        "cos",
        "leaky_relu",
        "leaky_relu_slope",
        "elu",
        "elu_alpha",
        "gelu",
        "softplus",
        "clip",
        "clip_low",
        "mod",
        "rmod",
        "where",
        "maximum",
        "minimum",
    }
]


@pytest.mark.parametrize("op", SCALAR_OPS, ids=[op.name for op in SCALAR_OPS])
@given(data=st.data())
def test_scalar_ops_match_tensor_ops(op: OpCase, data) -> None:
    """The same op on float Values gives the same value and gradient as on 0-d tensors."""
    inputs = data.draw(op.scalar_inputs)
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
    assert gradcheck(op.fn, [float(x) for x in data.draw(op.scalar_inputs)], **STRICT)


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


@given(tst.broadcastable_shapes(2, max_dims=4))
def test_broadcast_gradients_have_input_shapes(shapes) -> None:
    sa, sb = shapes
    a, b = Value(np.ones(sa)), Value(np.full(sb, 2.0))
    out = a * b
    result_shape = np.broadcast_shapes(sa, sb)
    assert out.shape == result_shape
    out.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    # each element of a was used once per copy broadcasting made of it
    copies = int(np.prod(result_shape)) // max(1, int(np.prod(sa)))
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
