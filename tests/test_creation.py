"""The constructors: shapes and contents as numpy's, dtype= and requires_grad= honoured."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_mlp as tg

MAKERS = {
    "zeros": lambda **kw: tg.zeros(2, 3, **kw),
    "ones": lambda **kw: tg.ones((2, 3), **kw),
    "full": lambda **kw: tg.full((2, 3), 1.5, **kw),
    "arange": lambda **kw: tg.arange(6, **kw),
    "eye": lambda **kw: tg.eye(3, **kw),
    "zeros_like": lambda **kw: tg.zeros_like(np.ones((2, 2)), **kw),
    "ones_like": lambda **kw: tg.ones_like(tg.zeros(4), **kw),
    "rand": lambda **kw: tg.rand(2, 3, seed=0, **kw),
    "randn": lambda **kw: tg.randn(2, 3, seed=0, **kw),
}
EXPECTED = {
    "zeros": np.zeros((2, 3)),
    "ones": np.ones((2, 3)),
    "full": np.full((2, 3), 1.5),
    "arange": np.arange(6.0),
    "eye": np.eye(3),
    "zeros_like": np.zeros((2, 2)),
    "ones_like": np.ones(4),
    "rand": np.random.default_rng(0).random((2, 3)),
    "randn": np.random.default_rng(0).standard_normal((2, 3)),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_constructor_matches_numpy(name: str) -> None:
    v = MAKERS[name]()
    assert isinstance(v, tg.Value)
    np.testing.assert_array_equal(v.data, EXPECTED[name])


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_constructor_is_a_constant_unless_asked(name: str) -> None:
    assert not MAKERS[name]().requires_grad
    assert MAKERS[name](requires_grad=True).requires_grad


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_constructor_honours_dtype(name: str) -> None:
    assert MAKERS[name](dtype="float32").dtype == np.float32
    assert MAKERS[name](dtype=np.float64).dtype == np.float64


def test_like_constructors_keep_the_dtype_of_their_model() -> None:
    assert tg.zeros_like(tg.ones(2, dtype="float32")).dtype == np.float32
    assert tg.ones_like(np.zeros(3, dtype=np.float32)).shape == (3,)


def test_random_constructors_repeat_with_a_seed() -> None:
    np.testing.assert_array_equal(tg.randn(5, seed=3).data, tg.randn(5, seed=3).data)
    assert not np.array_equal(tg.rand(5, seed=3).data, tg.rand(5, seed=4).data)


def test_arange_with_start_stop_and_step() -> None:
    np.testing.assert_array_equal(tg.arange(1, 2, 0.5).data, [1.0, 1.5])


def test_eye_rectangular() -> None:
    np.testing.assert_array_equal(tg.eye(2, 3).data, np.eye(2, 3))


def test_bad_shape_and_dtype_are_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        tg.zeros(2, -1)
    with pytest.raises(TypeError, match="float32 or float64"):
        tg.ones(2, dtype="int32")
    with pytest.raises(ValueError, match="step"):
        tg.arange(0, 3, 0)


def test_constructed_parameter_trains() -> None:
    w = tg.zeros(3, requires_grad=True)
    (w * tg.arange(3)).sum().backward()
    np.testing.assert_array_equal(w.grad, [0.0, 1.0, 2.0])


def test_constructors_match_pytorch_shapes_and_values() -> None:
    torch = pytest.importorskip("torch")
    pairs = [
        (tg.zeros(2, 3), torch.zeros(2, 3)),
        (tg.ones(4), torch.ones(4)),
        (tg.full((2, 2), 3.0), torch.full((2, 2), 3.0)),
        (tg.arange(0, 2, 0.5), torch.arange(0, 2, 0.5)),
        (tg.eye(3, 2), torch.eye(3, 2)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.data, theirs.numpy())
