"""tinygrad_mlp.data.synthetic: the toy 2-D sets (xor, moons, circles, spirals)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_mlp import data

TOYS = [data.xor, data.moons, data.circles, data.spirals]
toy_ids = [f.__name__ for f in TOYS]


# --------------------------------------------------------------------------- toy datasets


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_shapes_and_dtypes(make):
    X, y = make(n=61, noise=0.1, seed=3)
    assert X.shape == (61, 2) and X.dtype == np.float64
    assert y.shape == (61,) and y.dtype == np.int64


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_same_seed_same_data(make):
    X1, y1 = make(n=50, seed=7)
    X2, y2 = make(n=50, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_different_seed_different_data(make):
    X1, _ = make(n=50, seed=0)
    X2, _ = make(n=50, seed=1)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_default_seed_is_zero(make):
    np.testing.assert_array_equal(make()[0], make(seed=0)[0])


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_generator_seed_advances(make):
    rng = np.random.default_rng(0)
    X1, _ = make(n=40, seed=rng)
    X2, _ = make(n=40, seed=rng)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("make", [data.xor, data.moons, data.circles], ids=toy_ids[:3])
@given(n=st.integers(2, 500))
@settings(max_examples=25, deadline=None)
def test_binary_toy_classes_are_balanced(make, n):
    _, y = make(n=n, seed=0)
    counts = np.bincount(y, minlength=2)
    assert set(np.unique(y).tolist()) <= {0, 1} and len(counts) == 2
    assert counts.sum() == n and abs(counts[0] - counts[1]) <= 1


@given(n=st.integers(4, 500), classes=st.integers(2, 4))
@settings(max_examples=25, deadline=None)
def test_spirals_classes_are_balanced(n, classes):
    _, y = data.spirals(n=n, classes=classes, seed=0)
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_spirals_default_has_three_classes():
    _, y = data.spirals()
    assert np.bincount(y).tolist() == [100, 100, 100]


def test_toys_are_shuffled():
    _, y = data.moons(n=100, seed=0)
    assert not np.array_equal(y, np.sort(y))


def test_moons_without_noise_lie_on_sklearn_half_circles():
    X, y = data.moons(n=101, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    # make_moons: upper (cos t, sin t), lower (1 - cos t, 0.5 - sin t), t in [0, pi]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    ends = {tuple(np.round(p, 9)) for p in np.vstack([upper, lower])}
    assert {(1.0, 0.0), (-1.0, 0.0), (0.0, 0.5), (2.0, 0.5)} <= ends


def test_moons_noise_0_1_classes_separable_by_nearest_neighbour():
    # every point's nearest neighbour has its label, so a small MLP can fit the training set
    X, y = data.moons(n=200, noise=0.1, seed=0)
    dist = np.linalg.norm(X[:, None] - X[None], axis=-1)
    np.fill_diagonal(dist, np.inf)
    assert np.array_equal(y[dist.argmin(axis=1)], y)


def test_circles_without_noise_have_two_radii():
    X, y = data.circles(n=20, noise=0.0, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_xor_without_noise_labels_sign_disagreement():
    X, y = data.xor(n=100, noise=0.0)
    assert np.array_equal(y == 1, X[:, 0] * X[:, 1] < 0)


def test_noise_zero_moons_ignores_seed():
    X1, y1 = data.moons(n=30, noise=0.0, seed=0)
    X2, y2 = data.moons(n=30, noise=0.0, seed=1)
    order1, order2 = np.lexsort(X1.T), np.lexsort(X2.T)
    np.testing.assert_array_equal(X1[order1], X2[order2])
    np.testing.assert_array_equal(y1[order1], y2[order2])


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
@pytest.mark.parametrize("n", [0, -5])
def test_toy_rejects_nonpositive_n(make, n):
    with pytest.raises(ValueError, match="n must be"):
        make(n=n)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_rejects_non_int_n(make):
    with pytest.raises(TypeError, match="n must be an int"):
        make(n=10.5)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf")])
def test_toy_rejects_bad_noise(make, noise):
    with pytest.raises(ValueError, match="noise must be"):
        make(n=10, noise=noise)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_rejects_bad_seed(make):
    with pytest.raises(TypeError, match="seed must be"):
        make(n=10, seed="zero")


def test_spirals_rejects_fewer_examples_than_classes():
    with pytest.raises(ValueError, match="n must be >= 5"):
        data.spirals(n=4, classes=5)


def test_spirals_rejects_one_class():
    with pytest.raises(ValueError, match="classes must be >= 2"):
        data.spirals(classes=1)


@pytest.mark.parametrize("factor", [0.0, 1.0, -0.5])
def test_circles_rejects_bad_factor(factor):
    with pytest.raises(ValueError, match="factor"):
        data.circles(factor=factor)
