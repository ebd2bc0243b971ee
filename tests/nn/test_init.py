"""Initialisation schemes, seeds and dtypes (a misspelt dtype is refused)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, Layer, losses
from tinygrad_mlp.nn import DTYPES, init_weights


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    a, b, c = MLP(2, [8, 1], seed=3), MLP(2, [8, 1], seed=3), MLP(2, [8, 1], seed=4)
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
    assert not np.array_equal(a.layers[0].W.data, c.layers[0].W.data)


def test_default_init_is_he_for_relu_and_xavier_otherwise() -> None:
    rng = np.random.default_rng(0)
    relu = Layer(400, 300, "relu", seed=rng).W.data
    assert abs(relu.std() - np.sqrt(2 / 400)) < 0.02 * np.sqrt(2 / 400)
    for activation in ("tanh", "sigmoid"):
        W = Layer(400, 300, activation, seed=rng).W.data
        limit = np.sqrt(6 / 700)
        assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    assert not Layer(4, 3, seed=rng).b.data.any()


def test_uniform01_gives_weights_and_biases_in_zero_one() -> None:
    model = MLP(3, [50, 50], init="uniform01", seed=0)
    for p in model.parameters():
        assert p.data.min() >= 0.0 and p.data.max() < 1.0
    assert model.layers[0].b.data.min() > 0.0  # biases drawn too, not zero


def test_init_weights_rejects_an_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unknown init 'normal'"):
        init_weights((2, 2), 2, 2, "relu", "normal", np.random.default_rng(0), np.float64)


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32])
def test_dtype_holds_through_forward_and_backward(dtype) -> None:
    model = MLP(2, [4, 1], dtype=dtype, seed=0)
    out = model(np.ones((3, 2)))  # float64 input is converted to the model's dtype
    losses.mse(out, np.zeros(3)).backward()
    assert out.dtype == np.dtype(dtype)
    assert all(p.data.dtype == np.dtype(dtype) == p.grad.dtype for p in model.parameters())


@pytest.mark.parametrize("dtype", ["flaot32", "float16", "int32", None, "", object()])
def test_a_dtype_other_than_float32_or_float64_is_refused_naming_both(dtype) -> None:
    with pytest.raises(ValueError, match="dtype must be one of 'float32', 'float64', got"):
        MLP(2, [3, 1], dtype=dtype)
    assert DTYPES == ("float32", "float64")
