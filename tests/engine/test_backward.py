"""The backward pass and `grad`: every gradient in an array of its own, no side effects from
`grad`, zero for what an output does not depend on, and one check of what a backward returns."""

from __future__ import annotations

import math
import warnings
import weakref

import numpy as np
import pytest

from tinygrad_mlp import Function, Value, detect_anomaly, grad
from tinygrad_mlp.ops import MatMul


def test_each_leaf_gets_its_own_gradient_array() -> None:
    a, b = Value(np.ones(3)), Value(np.ones(3))
    (a + b).sum().backward()
    assert a.grad is not b.grad
    assert not np.shares_memory(a.grad, b.grad)


def test_a_leaf_does_not_share_its_gradient_with_an_intermediate() -> None:
    a = Value(np.ones((2, 3)))
    h = a.reshape(6)  # reshape's backward hands back a view of h's gradient
    h.sum().backward()
    assert not np.shares_memory(a.grad, h.grad)


class PassesOn(Function):
    """Hands its gradient on as it is, to one input or, with `both`, to two."""

    @staticmethod
    def forward(a, b, both=False):
        return a + b

    @staticmethod
    def backward(g, a, b, out, both=False):
        return (g, g) if both else (g, None)


class GivesOneArrayToTwo(Function):
    @staticmethod
    def forward(a, b, scale=1.0):
        return a + b

    @staticmethod
    def backward(g, a, b, out, scale=1.0):
        shared = g * scale
        return shared, shared


@pytest.mark.parametrize("both", [False, True])
def test_a_leaf_does_not_keep_a_gradient_an_op_passed_on(both: bool) -> None:
    a, b = Value(np.ones(3)), Value(np.ones(3))
    h = PassesOn.apply(a, b, both=both)
    h.backward(grad=np.ones(3))
    assert not np.shares_memory(a.grad, h.grad)
    if both:
        assert not np.shares_memory(b.grad, h.grad) and not np.shares_memory(a.grad, b.grad)


def test_two_leaves_given_one_array_each_get_their_own() -> None:
    a, b = Value(np.ones(3)), Value(np.ones(3))
    GivesOneArrayToTwo.apply(a, b, scale=2.0).sum().backward()
    assert not np.shares_memory(a.grad, b.grad)
    np.testing.assert_array_equal(a.grad, b.grad)


def test_a_gradient_no_other_value_holds_is_stored_without_a_copy() -> None:
    made = []

    class Fresh(Function):
        @staticmethod
        def forward(x):
            return x * 2

        @staticmethod
        def backward(g, x, out):
            made.append(weakref.ref(result := g * 2))
            return result

    x = Value(np.ones(3))
    Fresh.apply(x).backward(grad=np.ones(3))
    assert x.grad is made[0]()


def test_backward_never_stores_the_callers_gradient_array() -> None:
    seed = np.ones(3)
    x = Value(np.arange(3.0))
    y = x * 1.0
    y.backward(grad=seed)
    assert y.grad is not seed and x.grad is not seed
    assert not np.shares_memory(x.grad, seed)
    x.backward(grad=seed)  # backward on the leaf itself
    assert x.grad is not seed
    np.testing.assert_array_equal(seed, np.ones(3))


def test_grad_changes_no_grad_anywhere() -> None:
    x = Value(np.array([1.0, 2.0]))
    h = (x * x).tanh()
    out = h.sum()
    out.backward()
    before = {id(v): np.array(v.grad) for v in (x, h, out)}
    (gx,) = grad(out, [x])
    for v in (x, h, out):
        np.testing.assert_array_equal(v.grad, before[id(v)])
    np.testing.assert_allclose(gx, x.grad)


def test_grad_of_an_output_that_does_not_depend_on_the_input_is_zero() -> None:
    x, unused = Value(np.ones(3)), Value(np.ones(2))
    gx, gu = grad((x * 2).sum(), [x, unused])
    np.testing.assert_array_equal(gu, np.zeros(2))
    np.testing.assert_array_equal(gx, np.full(3, 2.0))


def test_grad_of_a_constant_output_is_zero() -> None:
    x = Value(3.0)
    (dx,) = grad(x * 3, [x], create_graph=True)  # 3: a constant, it does not depend on x
    assert grad(dx, x) == 0.0
    (ddx,) = grad(dx, [x], create_graph=True)
    assert isinstance(ddx, Value) and ddx.data == 0.0


def test_grad_of_a_constant_tensor_output_is_a_zero_array() -> None:
    x = Value(np.ones(2))
    c = Value(np.ones(2), requires_grad=False)
    np.testing.assert_array_equal(grad(c.sum(), x), np.zeros(2))


def test_grad_can_be_taken_of_an_intermediate_value() -> None:
    x = Value(2.0)
    h = x * x
    (gh,) = grad((h * 3).tanh(), [h])
    assert gh == pytest.approx(3 * (1 - np.tanh(12.0) ** 2))


def test_a_failed_backward_leaves_the_next_pass_clean() -> None:
    class Fails(Function):
        @staticmethod
        def forward(x):
            return x

        @staticmethod
        def backward(g, x, out):
            raise RuntimeError("planted")

    x = Value(2.0)
    out = Fails.apply(x * x) + x * x
    with pytest.raises(RuntimeError, match="planted"):
        out.backward()
    x.zero_grad()
    (x * x).backward()
    assert x.grad == 4.0


class OneInputTwoGradients(Function):
    @staticmethod
    def forward(x):
        return x * 2

    @staticmethod
    def backward(g, x, out):
        return g * 2, "garbage"


class TwoInputsThreeGradients(Function):
    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def backward(g, a, b, out):
        return g * b, g * a, g


class GradientIsAString(Function):
    @staticmethod
    def forward(x):
        return x * 2

    @staticmethod
    def backward(g, x, out):
        return "garbage"


@pytest.mark.parametrize("scalar", [True, False], ids=["scalar", "tensor"])
def test_a_one_input_op_returning_two_gradients_is_refused(scalar: bool) -> None:
    x = Value(1.0) if scalar else Value(np.ones(2))
    out = OneInputTwoGradients.apply(x)
    with pytest.raises(TypeError, match="OneInputTwoGradients.backward returned 2 gradients for 1"):
        (out if scalar else out.sum()).backward()


@pytest.mark.parametrize("scalar", [True, False], ids=["scalar", "tensor"])
def test_a_two_input_op_returning_three_gradients_is_refused(scalar: bool) -> None:
    a, b = (Value(1.0), Value(2.0)) if scalar else (Value(np.ones(2)), Value(np.ones(2)))
    out = TwoInputsThreeGradients.apply(a, b)
    with pytest.raises(TypeError, match="returned 3 gradients for 2 inputs"):
        (out if scalar else out.sum()).backward()


def test_a_gradient_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(TypeError, match="GradientIsAString.backward returned a str"):
        GradientIsAString.apply(Value(1.0)).backward()


def test_anomaly_mode_never_flags_the_gradient_of_a_constant() -> None:
    base = Value(np.array([0.0, 1.0]))
    with detect_anomaly():
        (base ** np.array([2.0, 2.0])).sum().backward()  # d/d(exponent) would need log(0)
    np.testing.assert_array_equal(base.grad, [0.0, 2.0])


class RecordingProduct(Function):
    """a * b, whose backward records the `needs_grad` it is told and writes d/da as out / a
    (= b): at a == 0, 0 / 0, which Python floats refuse and numpy makes nan."""

    calls: list = []

    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def backward(g, a, b, out, needs_grad=(True, True)):
        RecordingProduct.calls.append(needs_grad)
        return (g * out / a if needs_grad[0] else None), (g * a if needs_grad[1] else None)


RecordingProduct.skips_unneeded_grads = True


def test_no_gradient_is_computed_for_a_constant_exponent() -> None:
    RecordingProduct.calls.clear()
    x = Value(np.ones(2))
    RecordingProduct.apply(x, np.ones(2)).sum().backward()
    assert RecordingProduct.calls == [(True, False)]
    np.testing.assert_array_equal(x.grad, np.ones(2))


def test_a_scalar_backward_redone_in_numpy_is_told_the_same_needed_gradients() -> None:
    RecordingProduct.calls.clear()
    x = Value(0.0)
    with pytest.warns(RuntimeWarning, match="invalid value"):
        RecordingProduct.apply(x, 2.0).backward()
    assert math.isnan(x.grad)
    assert RecordingProduct.calls == [(True, False), (True, False)]  # in floats, then in numpy


def test_the_matmul_operator_asks_only_for_the_gradients_needed(monkeypatch) -> None:
    seen = []
    original = MatMul.backward

    def spy(g, a, b, out, needs_grad=(True, True)):
        seen.append(needs_grad)
        return original(g, a, b, out, needs_grad=needs_grad)

    monkeypatch.setattr(MatMul, "backward", staticmethod(spy))
    w = Value(np.ones((3, 2)))
    (np.ones((4, 3)) @ w).sum().backward()  # the batch is a constant: d/d(batch) is not made
    (w.T @ Value(np.ones((3, 1)))).sum().backward()
    assert seen == [(False, True), (True, True)]
    np.testing.assert_array_equal(w.grad, np.full((3, 2), 4.0) + 1.0)


class PassesGradient(Function):
    """A sum that says so: the backward pass hands both inputs g without calling backward."""

    passes_gradient = True
    calls: list = []

    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(g, a, b, out):
        PassesGradient.calls.append(g)
        return g, g


@pytest.mark.parametrize("scalar", [True, False], ids=["scalar", "tensor"])
def test_an_op_that_passes_the_gradient_is_not_called_and_broadcasting_is_summed(
    scalar: bool,
) -> None:
    PassesGradient.calls.clear()
    a = Value(2.0) if scalar else Value(np.ones((3, 2)))
    b = Value(5.0) if scalar else Value(np.ones(2))  # broadcast along the first axis
    out = PassesGradient.apply(a, b) * 3
    (out if scalar else out.sum()).backward()
    assert PassesGradient.calls == []
    if scalar:
        assert (a.grad, b.grad) == (3.0, 3.0)
    else:
        np.testing.assert_array_equal(a.grad, np.full((3, 2), 3.0))
        np.testing.assert_array_equal(b.grad, [9.0, 9.0])  # summed over the 3 rows


class Product(Function):
    """A product that says so: the backward pass makes g * b and g * a without calling it."""

    product_rule = True
    calls: list = []

    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def backward(g, a, b, out):
        Product.calls.append(g)
        return g * b, g * a


@pytest.mark.parametrize("scalar", [True, False], ids=["scalar", "tensor"])
def test_an_op_under_the_product_rule_is_not_called_and_broadcasting_is_summed(
    scalar: bool,
) -> None:
    Product.calls.clear()
    a = Value(2.0) if scalar else Value(np.full((3, 2), 2.0))
    b = Value(5.0) if scalar else Value(np.array([5.0, 7.0]))  # broadcast along the first axis
    out = Product.apply(a, b) * 3
    (out if scalar else out.sum()).backward()
    assert Product.calls == []
    if scalar:
        assert (a.grad, b.grad) == (15.0, 6.0)
    else:
        np.testing.assert_array_equal(a.grad, np.tile([15.0, 21.0], (3, 1)))
        np.testing.assert_array_equal(b.grad, [18.0, 18.0])  # 3 * 2, summed over the 3 rows


def test_the_product_rule_makes_no_gradient_for_a_constant() -> None:
    x = Value(np.array([10.0, 10.0]))
    y = x * np.array([1e-10, 1e-10])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the constant's gradient, 1e308 * 10, would overflow
        y.backward(grad=np.full(2, 1e308))
    np.testing.assert_allclose(x.grad, [1e298, 1e298])


def test_a_subclass_of_an_op_that_passes_the_gradient_has_its_backward_called() -> None:
    class Doubled(PassesGradient):  # another op: its parent's shortcut may not hold
        @staticmethod
        def backward(g, a, b, out):
            return 2 * g, 2 * g

    a, b = Value(1.0), Value(1.0)
    Doubled.apply(a, b).backward()
    assert not Doubled.passes_gradient
    assert (a.grad, b.grad) == (2.0, 2.0)


def test_a_subclass_of_an_op_under_the_product_rule_has_its_backward_called() -> None:
    class Squared(Product):  # another op: its parent's shortcut may not hold
        @staticmethod
        def backward(g, a, b, out):
            return 2 * g * b, 2 * g * a

    a, b = Value(1.0), Value(3.0)
    Squared.apply(a, b).backward()
    assert not Squared.product_rule
    assert (a.grad, b.grad) == (6.0, 2.0)
