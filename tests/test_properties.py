"""Properties of backpropagation that hold for any graph, checked on random ones.

Random expression graphs of up to 30 ops (`tinygrad_mlp.testing.strategies.expressions`) are
checked end to end against finite differences and op by op with `check_graph`; the algebra of
gradients (sums, linearity in the output gradient, products, the chain rule across `detach`)
and the agreement of scalar and tensor Values are checked on them; and a whole MLP, for every
activation and loss, is checked end to end.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import MLP, Value, check_graph, grad, gradcheck, losses
from tinygrad_mlp.ops import Mul
from tinygrad_mlp.testing import strategies as tst

TIGHT = {"atol": 1e-6, "rtol": 1e-5}


def leaves(expr) -> list[Value]:
    return [Value(x) for x in expr.inputs]


def assert_same(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-10)


# -- random graphs end to end ------------------------------------------------------------------


# hypothesis favours small sizes (the median graph of expressions(max_ops=30) has one op): half
# the examples here are drawn at the full 30 ops.
UP_TO_30_OPS = st.one_of(tst.expressions(max_ops=30), tst.expressions(min_ops=30, max_ops=30))
UP_TO_30_OPS_WITH_KINKS = st.one_of(
    tst.expressions(max_ops=30, kinks=True), tst.expressions(min_ops=30, max_ops=30, kinks=True)
)


@given(UP_TO_30_OPS)
def test_random_graph_gradients_match_finite_differences(expr) -> None:
    assert gradcheck(expr, list(expr.inputs), **TIGHT)


@given(UP_TO_30_OPS_WITH_KINKS)
def test_every_op_of_a_random_graph_passes_check_graph(expr) -> None:
    """Kinks allowed: an op at its kink is listed as such, never as a failure."""
    report = check_graph(expr(*leaves(expr)), **TIGHT)
    assert report, str(report)


# -- the algebra of gradients ------------------------------------------------------------------


@given(tst.expressions(max_ops=20), st.data())
def test_gradient_of_a_sum_is_the_sum_of_gradients(expr, data) -> None:
    xs = leaves(expr)
    results = expr.trace(*xs)[len(xs) :]
    f = results[data.draw(st.integers(0, len(results) - 1))].sum()
    g = results[data.draw(st.integers(0, len(results) - 1))].sum()
    for both, df, dg in zip(grad(f + g, xs), grad(f, xs), grad(g, xs)):
        assert_same(both, np.asarray(df) + np.asarray(dg))


@given(tst.expressions(max_ops=20), st.data())
def test_gradient_is_linear_in_the_output_gradient(expr, data) -> None:
    xs = leaves(expr)
    out = expr(*xs)
    u, v = (data.draw(tst.arrays(out.shape)) for _ in range(2))
    a, b = data.draw(st.floats(-2, 2)), data.draw(st.floats(-2, 2))
    if out.is_scalar:
        u, v = float(u), float(v)
    combined = grad(out, xs, grad_output=a * u + b * v)
    for gw, gu, gv in zip(combined, grad(out, xs, grad_output=u), grad(out, xs, grad_output=v)):
        assert_same(gw, a * np.asarray(gu) + b * np.asarray(gv))


@given(tst.inputs_for(Mul, tst.shapes().map(lambda s: (s, s))))
def test_derivative_of_a_product_is_the_other_factor(inputs) -> None:
    x, y = Value(inputs[0]), Value(inputs[1])
    (x * y).sum().backward()
    assert_same(x.grad, y.data)  # d(x y)/dx = y, exactly
    assert_same(y.grad, x.data)


@given(tst.arrays(tst.shapes(min_dims=1, max_dims=1)), st.data())
def test_derivative_of_a_dot_product_is_the_other_vector(a, data) -> None:
    x, y = Value(a), Value(data.draw(tst.arrays(a.shape)))
    (x @ y).backward()
    assert_same(x.grad, y.data)
    assert_same(y.grad, x.data)


@given(tst.expressions(max_ops=15), st.data())
def test_chain_rule_across_detach(expr, data) -> None:
    """Cut a graph at a detached Value, backpropagate each half, chain them by hand: the same."""
    xs = leaves(expr)
    y = expr(*xs)
    shape = () if y.is_scalar else y.shape
    bounds = expr.bounds[-1]  # where y's elements lie: the outer graph is drawn to take them
    domain = tst.Domain(bounds.lo, bounds.hi)
    outer = data.draw(tst.expressions(max_ops=15, input_shapes=[shape], input_domains=[domain]))
    whole = grad(outer(y).sum(), xs)

    cut = y.detach().requires_grad_()
    assert cut.is_leaf and cut.data is y.data
    (upstream,) = grad(outer(cut).sum(), [cut])
    chained = grad(y, xs, grad_output=upstream)
    for w, c in zip(whole, chained):
        assert_same(w, c)
    assert not outer(y.detach()).requires_grad  # nothing flows back through detach


@given(
    st.one_of(
        tst.expressions(max_ops=30, elementwise=True),
        tst.expressions(min_ops=30, max_ops=30, elementwise=True),
    )
)
def test_scalar_values_agree_with_tensor_values(expr) -> None:
    """Element by element with scalar Values, or all at once with tensors: the same gradients."""
    tensors = leaves(expr)
    out = expr(*tensors)
    tensor_grads = grad(out.sum(), tensors)
    for idx in np.ndindex(out.shape):
        scalars = [Value(float(x[idx])) for x in expr.inputs]
        out_s = expr(*scalars)
        assert out_s.is_scalar
        assert out_s.data == pytest.approx(float(out.data[idx]), rel=1e-9, abs=1e-12)
        for gs, gt in zip(grad(out_s, scalars), tensor_grads):
            assert gs == pytest.approx(float(gt[idx]), rel=1e-9, abs=1e-12)


# -- an MLP, every activation and every loss, end to end ---------------------------------------


@functools.cache  # built once per (loss, n, width): hypothesis validates each new strategy
def targets_for(loss: str, n: int, width: int) -> st.SearchStrategy:
    """Targets of the kind each loss takes, for n examples and `width` outputs."""
    if loss == "sse":
        return tst.arrays((n, width))
    if loss == "mse":
        return tst.arrays((n,))
    if loss == "cross_entropy":
        return st.lists(st.integers(0, width - 1), min_size=n, max_size=n).map(np.array)
    if loss == "binary_cross_entropy":
        return st.lists(st.integers(0, 1), min_size=n, max_size=n).map(np.array)
    return st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n).map(np.array)  # hinge


AWAY_FROM_ZERO = tst.Domain(avoid=(0.0,), margin=0.1)
WIDTH = {"sse": 2, "mse": 1, "cross_entropy": 3, "binary_cross_entropy": 1, "hinge": 1}
ARCHITECTURES = {
    loss: tst.mlp_architectures(max_inputs=3, max_layers=3, max_width=4, nout=width)
    for loss, width in WIDTH.items()
}


def swap_parameters(model: MLP, values: list[Value]) -> None:
    """Put `values` in place of the model's parameters, so gradcheck's leaves are the weights."""
    for (name, _), value in zip(model.named_parameters(), values):
        *path, attribute = name.split(".")
        owner = model
        for part in path:
            owner = owner[int(part)] if part.isdigit() else getattr(owner, part)
        setattr(owner, attribute, value)


@pytest.mark.parametrize("loss", sorted(losses.LOSSES))
@given(data=st.data())
def test_mlp_loss_gradient_matches_finite_differences(loss: str, data) -> None:
    """Every weight and bias of an MLP with any hidden activation, through the loss."""
    arch = data.draw(ARCHITECTURES[loss])
    n = data.draw(st.integers(1, 4))
    X = data.draw(
        tst.arrays((n, arch.nin), domain=AWAY_FROM_ZERO)
    )  # zero biases + X = 0: relu kinks
    y = data.draw(targets_for(loss, n, WIDTH[loss]))
    model = MLP(
        arch.nin, list(arch.nouts), activation=arch.activation, seed=data.draw(st.integers(0, 99))
    )
    # Biases away from zero too: after a layer of dead relus, a zero bias sits at the next kink.
    weights = [
        p.data if p.ndim > 1 else data.draw(tst.arrays(p.shape, domain=AWAY_FROM_ZERO))
        for p in model.parameters()
    ]

    def loss_of(*parameters: Value) -> Value:
        swap_parameters(model, list(parameters))
        return losses.LOSSES[loss](model(X), y)

    assert gradcheck(loss_of, weights, **TIGHT)
