"""The benchmark baselines compute what the engine computes, so timing them side by side is fair.

- numpy by hand (benchmarks/numpy_mlp.py): same loss, same gradients, same SGD update as the
  library's MLP + loss + optimizer;
- the per-op chain by hand (benchmarks/per_op.py): same gradient as the engine's chain;
- micrograd's demo net written over our Value (benchmarks/scalar_net.py): same loss and
  gradients as micrograd itself (skipped when micrograd is not installed).
No test here times anything.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks import per_op, scalar_net, tensor_mlp
from benchmarks.numpy_mlp import NumpyMLP
from tinygrad_mlp import MLP, Value, losses

LOSS_FUNCTIONS = {"mse": losses.mse, "cross_entropy": losses.cross_entropy}


def _problem(sizes: list[int], batch: int, loss: str, seed: int, dtype: str = "float64"):
    rng = np.random.default_rng(seed)
    model = MLP(sizes[0], sizes[1:], activation="relu", seed=seed, dtype=dtype)
    x = rng.normal(size=(batch, sizes[0])).astype(dtype)
    if loss == "mse":
        target = rng.normal(size=(batch, sizes[-1])).astype(dtype)
    else:
        target = rng.integers(0, sizes[-1], size=batch)
    return model, x, target


architectures = st.lists(st.integers(1, 12), min_size=1, max_size=3)


@given(
    hidden=architectures,
    nin=st.integers(1, 6),
    nout=st.integers(2, 5),
    batch=st.integers(1, 9),
    loss=st.sampled_from(["mse", "cross_entropy"]),
    seed=st.integers(0, 2**16),
)
def test_numpy_by_hand_gradients_equal_the_engines(hidden, nin, nout, batch, loss, seed) -> None:
    sizes = [nin, *hidden, nout]
    model, x, target = _problem(sizes, batch, loss, seed)
    engine_loss = LOSS_FUNCTIONS[loss](model(x), target)
    engine_loss.backward()
    value, grads = NumpyMLP(tensor_mlp.weights_of(model)).gradients(x, target, loss)
    assert value == pytest.approx(engine_loss.item(), rel=1e-12)
    for layer, (gW, gb) in zip(model.layers, grads):
        np.testing.assert_allclose(gW, layer.W.grad, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(gb, layer.b.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("size", tensor_mlp.SIZES[:2], ids=lambda s: s.name)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_by_hand_steps_like_the_library(size, dtype) -> None:
    """Three SGD steps of the benchmark's two contestants give the same losses and weights."""
    model = tensor_mlp.engine_model(size, dtype)
    x, target = tensor_mlp.batch(size, dtype)
    ours, by_hand = tensor_mlp.engine_step(model, size), NumpyMLP(tensor_mlp.weights_of(model))
    rtol = 1e-4 if dtype == "float32" else 1e-10
    for _ in range(3):
        expected = by_hand.step(x, target, size.loss, tensor_mlp.LEARNING_RATE)
        assert ours(x, target) == pytest.approx(expected, rel=rtol)
    for layer, (W, b) in zip(model.layers, by_hand.layers):
        assert layer.W.data.dtype == W.dtype == np.dtype(dtype)
        np.testing.assert_allclose(layer.W.data, W, rtol=rtol, atol=rtol * 1e-2)
        np.testing.assert_allclose(layer.b.data, b, rtol=rtol, atol=rtol * 1e-2)


def test_numpy_by_hand_refuses_an_unknown_loss() -> None:
    net = NumpyMLP([(np.ones((2, 1)), np.zeros(1))])
    with pytest.raises(ValueError, match="hinge"):
        net.gradients(np.ones((3, 2)), np.ones((3, 1)), "hinge")


@given(seed=st.integers(0, 2**16), length=st.integers(1, 40))
def test_per_op_chain_by_hand_has_the_engines_gradient(seed, length) -> None:
    x = np.random.default_rng(seed).normal(size=per_op.WIDTH)
    np.testing.assert_allclose(
        per_op.numpy_chain(x, length), per_op.engine_chain(x, length).grad, rtol=1e-12
    )


def test_scalar_net_over_our_value_matches_micrograd() -> None:
    engine = pytest.importorskip("micrograd.engine")
    X, y = scalar_net.demo_data(20)
    ours = scalar_net.MLP(Value, 2, [16, 16, 1], seed=3)
    theirs = scalar_net.MLP(engine.Value, 2, [16, 16, 1], seed=3)
    for _ in range(2):  # the second step starts from the updated weights
        loss = scalar_net.training_step(Value, ours, X, y).data
        assert loss == pytest.approx(scalar_net.training_step(engine.Value, theirs, X, y).data)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-9, abs=1e-12)
        assert p.data == pytest.approx(q.data, rel=1e-9, abs=1e-12)


def test_scalar_net_is_micrograds_demo_size() -> None:
    model = scalar_net.MLP(Value, 2, [16, 16, 1])
    assert len(model.parameters()) == 337  # as in micrograd's demo notebook
    X, y = scalar_net.demo_data(100)
    assert len(X) == 100 and set(y) == {-1.0, 1.0}


@pytest.mark.parametrize("size", tensor_mlp.SIZES[:2], ids=lambda s: s.name)
def test_pytorch_contestant_trains_the_same_network(size) -> None:
    """PyTorch's step starts from our weights and takes the same loss and SGD steps."""
    torch = pytest.importorskip("torch")
    cases = tensor_mlp.contestants(size, "float64", torch)
    for _ in range(3):
        expected = cases["numpy by hand"]()
        assert cases["pytorch"]() == pytest.approx(expected, rel=1e-9)
        assert cases["ours"]() == pytest.approx(expected, rel=1e-9)


def test_several_passes_give_each_row_from_its_median_pass():
    from benchmarks.run import median_rows
    from benchmarks.timing import Row

    def row(ours, theirs, case="tiny"):
        return Row("tensor", case, ours, "numpy by hand", theirs)

    passes = [
        [row(3.0, 1.0), row(5.0, None, case="alone")],
        [row(2.0, 1.0), row(4.0, None, case="alone")],
        [row(9.0, 2.0), row(6.0, None, case="alone")],
    ]
    tiny, alone = median_rows(passes)
    assert (tiny.ours, tiny.theirs) == (3.0, 1.0)  # ratios 3, 2, 4.5: the pass of 3
    assert alone.ours == 5.0  # no ratio: the median of ours
