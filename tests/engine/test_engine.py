"""The engine: Value construction, the backward pass, grad modes, higher order, errors, memory."""

from __future__ import annotations

import gc
import math
import tracemalloc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import Function, Value, detect_anomaly, grad, no_grad

# -- the examples from the README, as written ----------------------------------------------


def test_readme_scalar_example() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = (a * b + b**2).tanh()
    c.backward()
    t = math.tanh(2.0 * -3.0 + 9.0)
    assert isinstance(a.grad, float) and isinstance(b.grad, float)
    assert a.grad == pytest.approx((1 - t * t) * -3.0)
    assert b.grad == pytest.approx((1 - t * t) * (2.0 + 2 * -3.0))


def test_readme_tensor_example() -> None:
    x = Value(np.random.randn(32, 3))
    W = Value(np.random.randn(3, 4))
    bias = Value(np.zeros(4))
    loss = ((x @ W + bias).relu() ** 2).mean()
    loss.backward()
    assert W.grad.shape == (3, 4) and bias.grad.shape == (4,)


# -- construction --------------------------------------------------------------------------


def test_scalars_hold_python_floats_and_tensors_hold_arrays() -> None:
    assert Value(2).data.__class__ is float
    assert Value(np.float32(1.5)).data.__class__ is float
    assert Value(True).data == 1.0
    t = Value([[1, 2], [3, 4]])
    assert isinstance(t.data, np.ndarray) and t.dtype == np.float64  # ints become float64
    assert Value(np.array([True, False])).dtype == np.float64
    assert Value(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert Value([1.0, 2.0], dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "bad, words",
    [
        ("hello", "str"),
        (np.array(["a", "b"]), "<U1"),
        ({"a": 1}, "dict"),
        (object(), "object"),
        (1 + 2j, "complex"),
        (np.array([1 + 2j]), "complex"),
        ([[1.0, 2.0], [3.0]], "list"),
    ],
)
def test_non_numeric_data_is_refused_naming_the_type(bad, words) -> None:
    with pytest.raises(TypeError, match=words):
        Value(bad)


def test_unsupported_dtype_is_refused() -> None:
    with pytest.raises(TypeError, match="float32 or float64"):
        Value([1.0], dtype=np.int32)


def test_operator_with_non_numeric_operand_names_it() -> None:
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "x"


def test_repr_is_readable() -> None:
    a = Value(2.0)
    (a * -1.5).backward()
    assert repr(a) == "Value(data=2, grad=-1.5)"
    r = repr(Value(np.zeros((3, 4), dtype=np.float32)))
    assert "shape=(3, 4)" in r and "float32" in r and "grad=None" in r


# -- the backward pass ---------------------------------------------------------------------


def test_reused_node_gradients_add_up() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_reused_tensor_node_gradients_add_up() -> None:
    a = Value(np.ones(3))
    b = a * a  # 2a
    (b + a).sum().backward()
    np.testing.assert_allclose(a.grad, 3.0)


def test_leaf_gradients_accumulate_across_backward_calls() -> None:
    a = Value(2.0)
    (a * 3).backward()
    (a * 3).backward()
    assert a.grad == 6.0
    a.zero_grad()
    assert a.grad == 0.0


def test_backward_twice_on_one_graph_accumulates_leaves_once_per_call() -> None:
    a = Value(2.0)
    h = a * a
    out = h * 3
    out.backward()
    out.backward()
    assert a.grad == 2 * 12.0  # not more: intermediate gradients restart each pass
    assert h.grad == 3.0


def test_shared_subgraph_between_two_outputs() -> None:
    a = Value(np.array([1.0, 2.0]))
    h = a * 2
    (h.sum()).backward()
    (h * h).sum().backward()
    np.testing.assert_allclose(a.grad, 2 + 8 * a.data)


def test_backward_on_non_scalar_needs_grad() -> None:
    v = Value(np.ones((2, 3))) * 2
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        v.backward()
    x = Value(np.ones((2, 3)))
    (x * 2).backward(grad=np.full((2, 3), 0.5))
    np.testing.assert_allclose(x.grad, 1.0)


def test_backward_with_wrong_grad_shape_names_both_shapes() -> None:
    v = Value(np.ones((2, 3))) * 2
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        v.backward(grad=np.ones((3, 2)))


def test_backward_on_single_element_tensor() -> None:
    x = Value(np.array([[3.0]]))
    (x * x).backward()
    np.testing.assert_allclose(x.grad, [[6.0]])


def test_million_op_chain_backpropagates_without_recursion_error() -> None:
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001**1_000_000, rel=1e-9)


def test_parents_keep_their_order() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a - b
    assert c.parents == (a, b) and c.op.__name__ == "Sub"


# -- constants, no_grad, detach ------------------------------------------------------------


def test_constants_get_no_gradient() -> None:
    a = Value(2.0)
    k = Value(5.0, requires_grad=False)
    (a * k).backward()
    assert a.grad == 5.0 and k.grad == 0.0


def test_no_grad_records_nothing() -> None:
    a = Value(2.0)
    with no_grad():
        b = a * 3
    assert not b.requires_grad and b.is_leaf
    with pytest.raises(ValueError, match="does not require gradients"):
        b.backward()


def test_detach_cuts_the_graph() -> None:
    a = Value(2.0)
    b = (a * 3).detach()
    c = a * b  # only the direct use of a counts
    c.backward()
    assert a.grad == 6.0 and not b.requires_grad


# -- higher order --------------------------------------------------------------------------

SECOND_DERIVATIVES = {
    "tanh": (lambda v: v.tanh(), lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "sigmoid": (
        lambda v: v.sigmoid(),
        lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
    ),
    "exp": (lambda v: v.exp(), np.exp),
    "log": (lambda v: v.log(), lambda x: -1 / x**2),
    "cube": (lambda v: v**3, lambda x: 6 * x),
}


@pytest.mark.parametrize("name", SECOND_DERIVATIVES)
@given(x=st.floats(0.2, 2.5))
def test_second_derivative_matches_finite_differences_of_first(name, x) -> None:
    fn, analytic = SECOND_DERIVATIVES[name]

    def first(at: float) -> float:
        v = Value(at)
        return grad(fn(v), v)

    v = Value(x)
    (dx,) = grad(fn(v), [v], create_graph=True)
    assert isinstance(dx, Value)
    (ddx,) = grad(dx, [v])
    h = 1e-5
    numeric = (first(x + h) - first(x - h)) / (2 * h)
    assert ddx == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert ddx == pytest.approx(analytic(x), rel=1e-9, abs=1e-12)


def test_backward_create_graph_makes_grad_a_value() -> None:
    x = Value(3.0)
    (x**3).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(27.0)
    g = x.grad
    x.zero_grad()
    g.backward()
    assert x.grad == pytest.approx(18.0)


def _mlp_loss(params, X, y):
    W1, b1, W2, b2 = params
    h = (X @ W1 + b1).tanh()
    out = h @ W2 + b2
    return ((out - y) ** 2).mean()


def test_hessian_vector_product_of_small_mlp_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    shapes = [(3, 4), (4,), (4, 1), (1,)]
    data = [rng.normal(size=s) for s in shapes]
    vec = [rng.normal(size=s) for s in shapes]

    params = [Value(d) for d in data]
    grads = grad(_mlp_loss(params, X, y), params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vec))
    hvp = grad(dot, params)

    def gradient_at(shift: float) -> list[np.ndarray]:
        ps = [Value(d + shift * v) for d, v in zip(data, vec)]
        return list(grad(_mlp_loss(ps, X, y), ps))

    h = 1e-5
    numeric = [(p - m) / (2 * h) for p, m in zip(gradient_at(h), gradient_at(-h))]
    for ana, num in zip(hvp, numeric):
        np.testing.assert_allclose(ana, num, rtol=1e-5, atol=1e-8)


def test_gradient_penalty_differentiates_through_a_gradient() -> None:
    # d/dw of (d/dx (w x^2))^2 at x: (2 w x)^2 -> 8 w x^2
    w, x = Value(1.5), Value(2.0)
    (gx,) = grad(w * x**2, [x], create_graph=True)
    (gx**2).backward()
    assert w.grad == pytest.approx(8 * 1.5 * 4.0)


def test_grad_does_not_touch_dot_grad() -> None:
    a = Value(np.array([1.0, 2.0]))
    a.grad = np.array([10.0, 10.0])
    h = a * 3
    (ga,) = grad((h * a).sum(), [a])
    np.testing.assert_allclose(ga, 6 * a.data)
    np.testing.assert_allclose(a.grad, [10.0, 10.0])
    assert h.grad is None


def test_grad_of_unused_input_is_zero() -> None:
    a, b = Value(np.ones(2)), Value(np.ones(3))
    ga, gb = grad((a * 2).sum(), [a, b])
    np.testing.assert_allclose(gb, np.zeros(3))


# -- errors at the point of the mistake ----------------------------------------------------


def test_matmul_shape_mismatch_names_shapes() -> None:
    with pytest.raises(ValueError, match=r"MatMul.*\(32, 3\).*\(4, 4\)"):
        Value(np.ones((32, 3))) @ Value(np.ones((4, 4)))


def test_broadcast_mismatch_names_shapes() -> None:
    with pytest.raises(ValueError, match=r"Add.*\(3,\).*\(4,\)"):
        Value(np.ones(3)) + Value(np.ones(4))


def test_index_out_of_range_names_shape() -> None:
    with pytest.raises(IndexError, match=r"\(3,\)"):
        Value(np.ones(3))[5]


def test_log_of_negative_follows_numpy() -> None:
    with pytest.warns(RuntimeWarning):
        assert math.isnan(Value(-1.0).log().data)
    with pytest.warns(RuntimeWarning):
        assert Value(0.0).log().data == -math.inf
    with pytest.warns(RuntimeWarning):
        assert (Value(-1.0) / 0.0).data == -math.inf
    with pytest.warns(RuntimeWarning):
        assert np.isnan(Value(np.array([-1.0])).sqrt().data[0])


def test_scalar_division_by_zero_gives_inf_like_numpy() -> None:
    with pytest.warns(RuntimeWarning):
        assert (Value(1.0) / 0.0).data == math.inf


def test_detect_anomaly_names_the_forward_op() -> None:
    with detect_anomaly(), pytest.warns(RuntimeWarning):
        with pytest.raises(FloatingPointError, match="Log.forward"):
            Value(np.array([-1.0, 1.0])).log()


def test_detect_anomaly_names_the_backward_op() -> None:
    x = Value(0.0)
    y = x.sqrt()  # forward is 0, finite; backward is 1/(2*0) = inf
    with detect_anomaly(), pytest.warns(RuntimeWarning):
        with pytest.raises(FloatingPointError, match="Sqrt.backward"):
            y.backward()


def test_custom_function_forward_and_backward_must_be_static() -> None:
    with pytest.raises(TypeError, match="staticmethod"):

        class Bad(Function):
            def forward(x):  # type: ignore[misc]
                return x


def test_custom_function_used_like_a_built_in() -> None:
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def backward(g, x, out):
            return 2 * x * g

    x = Value(np.array([1.0, -2.0]))
    out = Square.apply(x)
    assert out.op is Square
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, -4.0])
    s = Value(3.0)
    (gs,) = grad(Square.apply(s), [s], create_graph=True)  # written in operators: 2nd order
    assert grad(gs, s) == pytest.approx(2.0)


# -- memory --------------------------------------------------------------------------------


def test_graph_is_freed_by_reference_counting_alone() -> None:
    gc.disable()
    try:
        x = Value(np.ones(4))
        h = (x * 2).tanh()
        probe = weakref.ref(h)
        loss = (h * h).sum()
        del h
        loss.backward()
        assert probe() is not None
        del loss
        assert probe() is None  # no reference cycle: freed without the cyclic collector
    finally:
        gc.enable()


def test_scalar_graph_has_no_reference_cycles() -> None:
    gc.collect()
    gc.disable()
    try:
        a = Value(1.0)
        y = a
        for _ in range(100):
            y = (y * 1.01 + 0.5).tanh()
        y.backward()
        del y
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_training_for_10000_steps_does_not_grow_memory() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 2)), rng.normal(size=(16, 1))
    W = Value(rng.normal(size=(2, 1)))
    b = Value(np.zeros(1))

    def step() -> None:
        loss = ((X @ W + b - y) ** 2).mean()
        W.zero_grad()
        b.zero_grad()
        loss.backward()
        W.data = W.data - 0.01 * W.grad
        b.data = b.data - 0.01 * b.grad

    for _ in range(200):
        step()
    tracemalloc.start()
    for _ in range(1000):
        step()
    after_1000 = tracemalloc.get_traced_memory()[0]
    for _ in range(9000):
        step()
    after_10000 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after_10000 - after_1000 < 64 * 1024


def test_zero_dim_tensor_gradient_is_an_array() -> None:
    b = Value(np.array(0.5))
    x = Value(np.ones(3))
    (x * b).sum().backward()
    (x * b).sum().backward()  # accumulating 0-d + 0-d
    assert isinstance(b.grad, np.ndarray) and b.grad.shape == () and b.grad == 6.0
